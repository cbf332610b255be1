import { LATEST_STATE_TABLE, ENV_VARS } from '../../lambdas/contract';
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { actionsOf, grantLines, grantsOf, statementsOfRole } from './iam';
import { arnOf, propertiesOf, ref, roleOf, synthWebhooks } from './synth';

type FunctionProperties = { Environment: { Variables: Record<string, unknown> } };

describe('receiver runtime settings', () => {
  it('passes replayTolerance to the receiver in seconds, 0 turning the check off', () => {
    const { webhooks, template } = synthWebhooks({ replayTolerance: Duration.seconds(0) });
    const receiver = propertiesOf(template, webhooks.ingest.receiver) as FunctionProperties;

    expect(receiver.Environment.Variables[ENV_VARS.replayToleranceSeconds]).toBe('0');
  });

  it('passes tokenRotationGracePeriod to the receiver in seconds', () => {
    const { webhooks, template } = synthWebhooks({ tokenRotationGracePeriod: Duration.hours(6) });
    const receiver = propertiesOf(template, webhooks.ingest.receiver) as FunctionProperties;

    expect(receiver.Environment.Variables[ENV_VARS.tokenRotationGraceSeconds]).toBe('21600');
  });

  it('sets the debug log sample rate on both functions', () => {
    const { webhooks, template } = synthWebhooks({ debugLogSampleRate: 0.5 });

    for (const fn of [webhooks.ingest.receiver, webhooks.processing.processor]) {
      const properties = propertiesOf(template, fn) as FunctionProperties;
      expect(properties.Environment.Variables[ENV_VARS.logSampleRate]).toBe('0.5');
    }
  });

  it("with debugLogSampleRate above 0, keeps Lambda's text log format and filters no level, so sampled DEBUG lines reach the log", () => {
    const { webhooks, template } = synthWebhooks({ debugLogSampleRate: 0.5 });

    for (const fn of [webhooks.ingest.receiver, webhooks.processing.processor]) {
      expect(propertiesOf(template, fn).LoggingConfig).toEqual({
        LogGroup: ref(fn.logGroup),
        LogFormat: 'Text',
      });
    }
  });

  it("with debugLogSampleRate 0, filters Lambda's JSON log lines: platform lines at WARN, the functions' own at INFO", () => {
    const { webhooks, template } = synthWebhooks({ debugLogSampleRate: 0 });

    for (const fn of [webhooks.ingest.receiver, webhooks.processing.processor]) {
      const properties = propertiesOf(template, fn) as FunctionProperties;
      expect(properties).toMatchObject({
        LoggingConfig: { LogFormat: 'JSON', SystemLogLevel: 'WARN', ApplicationLogLevel: 'INFO' },
      });
      expect(properties.Environment.Variables[ENV_VARS.logSampleRate]).toBe('0');
    }
  });

  it.each([-0.1, 1.5, Number.NaN])('rejects a debugLogSampleRate of %p', (debugLogSampleRate) => {
    expect(() => synthWebhooks({ debugLogSampleRate })).toThrow(/debugLogSampleRate must be from 0 to 1/);
  });
});

describe('latest-state table (latestState: true)', () => {
  const { webhooks, template } = synthWebhooks({ latestState: true });
  const table = webhooks.processing.latestStateTable;
  if (table === undefined) throw new Error('latestState: true created no table');

  it('is keyed by vehicle and signal code, on demand, with point-in-time recovery', () => {
    expect(propertiesOf(template, table)).toMatchObject({
      KeySchema: [
        { AttributeName: LATEST_STATE_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: LATEST_STATE_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('is named to the processor', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      Environment: { Variables: Match.objectLike({ [ENV_VARS.latestStateTableName]: ref(table) }) },
    });
  });

  it('grants the processor only the store’s conditional writes and reads on that table', () => {
    const statements = statementsOfRole(template, roleOf(webhooks.processing.processor));
    const tableGrants = grantsOf(statements).filter((line) => line.includes(JSON.stringify(arnOf(table))));

    expect(tableGrants).toEqual(
      grantLines(arnOf(table), ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']).sort(),
    );
    expect(actionsOf(statements).filter((action) => action.startsWith('dynamodb:Scan'))).toEqual([]);
  });

  it('is not granted to the receiver', () => {
    const statements = statementsOfRole(template, roleOf(webhooks.ingest.receiver));

    expect(actionsOf(statements).filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
  });
});
