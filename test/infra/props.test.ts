import { CfnParameter, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { PROCESSOR_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import type { SmartcarWebhooksProps } from '../../lib/smartcar-webhooks';
import { ENV_VARS } from '../../lambdas/contract';
import { logicalId, propertiesOf, synthWebhooks } from './synth';

describe('props override the defaults', () => {
  it('maxReceiveCount sets the redrive policy', () => {
    const { webhooks, template } = synthWebhooks({ maxReceiveCount: 5 });
    expect(propertiesOf(template, webhooks.processing.queue)).toMatchObject({
      RedrivePolicy: { maxReceiveCount: 5 },
    });
  });

  it('maxConcurrency sets the event source scaling limit', () => {
    const { template } = synthWebhooks({ maxConcurrency: 20 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 20 },
    });
  });

  it.each([1, 1001, 2.5])('rejects maxConcurrency %s, outside what Lambda accepts', (maxConcurrency) => {
    expect(() => synthWebhooks({ maxConcurrency })).toThrow(
      /maxConcurrency must be an integer from 2 to 1000/,
    );
  });

  it('batchSize sets the event source batch size', () => {
    const { template } = synthWebhooks({ batchSize: 5 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 5 });
  });

  it('maxBatchingWindow sets the event source batching window, in seconds', () => {
    const { template } = synthWebhooks({ maxBatchingWindow: Duration.minutes(1) });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { MaximumBatchingWindowInSeconds: 60 });
  });

  it("a batching window allows batches of up to 10,000, Lambda's limit", () => {
    const { template } = synthWebhooks({ batchSize: 10_000 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10_000,
      MaximumBatchingWindowInSeconds: PROCESSOR_DEFAULTS.maxBatchingWindowSeconds,
    });
  });

  it("a batching window of 300 s, Lambda's limit, is accepted", () => {
    const { template } = synthWebhooks({ maxBatchingWindow: Duration.seconds(300) });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      MaximumBatchingWindowInSeconds: 300,
    });
  });

  it('maxBatchingWindow: Duration.seconds(0) leaves the window out, so the processor is invoked as soon as records are polled', () => {
    const { template } = synthWebhooks({ maxBatchingWindow: Duration.seconds(0), batchSize: 10 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
  });

  it('maxBatchingWindow: Duration.seconds(0) without a batchSize takes batches of 10, the most Lambda allows then', () => {
    const { template } = synthWebhooks({ maxBatchingWindow: Duration.seconds(0) });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: PROCESSOR_DEFAULTS.batchSizeWithoutWindow,
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
  });

  it('webhookPath sets the POST route', () => {
    const { template } = synthWebhooks({ webhookPath: '/hooks/smartcar-v2' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /hooks/smartcar-v2' });
  });

  it('webhookPath ends the webhook URL', () => {
    const { stack, webhooks } = synthWebhooks({ webhookPath: '/hooks/smartcar-v2' });
    const [, parts] = stack.resolve(webhooks.ingest.webhookUrl)['Fn::Join'];
    expect(parts.at(-1)).toBe('/hooks/smartcar-v2');
  });

  it('processorTimeout sets the function timeout, and six times it plus the batching window the visibility timeout', () => {
    const { webhooks, template } = synthWebhooks({ processorTimeout: Duration.minutes(1) });
    expect(propertiesOf(template, webhooks.processing.processor)).toMatchObject({ Timeout: 60 });
    expect(propertiesOf(template, webhooks.processing.queue)).toMatchObject({
      VisibilityTimeout: 6 * 60 + PROCESSOR_DEFAULTS.maxBatchingWindowSeconds,
    });
  });

  it('receiverTimeout sets the receiver timeout', () => {
    const { webhooks, template } = synthWebhooks({ receiverTimeout: Duration.seconds(5) });
    expect(propertiesOf(template, webhooks.ingest.receiver)).toMatchObject({ Timeout: 5 });
  });

  it('maxBodyBytes reaches the receiver', () => {
    const { webhooks, template } = synthWebhooks({ maxBodyBytes: 100_000 });
    expect(propertiesOf(template, webhooks.ingest.receiver)).toMatchObject({
      Environment: { Variables: { [ENV_VARS.maxBodyBytes]: '100000' } },
    });
  });

  it('idempotencyExpiry reaches the processor in seconds', () => {
    const { webhooks, template } = synthWebhooks({ idempotencyExpiry: Duration.days(10) });
    expect(propertiesOf(template, webhooks.processing.processor)).toMatchObject({
      Environment: { Variables: { [ENV_VARS.idempotencyExpirySeconds]: '864000' } },
    });
  });

  it('throttle sets the stage limits', () => {
    const { template } = synthWebhooks({ throttle: { rateLimit: 10, burstLimit: 20 } });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
    });
  });

  it('removalPolicy applies to the table and all three log groups', () => {
    const { webhooks, template } = synthWebhooks({ removalPolicy: RemovalPolicy.DESTROY });
    const resources = template.toJSON().Resources;
    for (const construct of [
      webhooks.processing.idempotencyTable,
      webhooks.ingest.accessLogGroup,
      webhooks.ingest.receiver.logGroup,
      webhooks.processing.processor.logGroup,
    ]) {
      expect(resources[logicalId(construct)]).toMatchObject({ DeletionPolicy: 'Delete' });
    }
  });

  it('retains the log groups by default', () => {
    const { webhooks, template } = synthWebhooks();
    const resources = template.toJSON().Resources;
    for (const logGroup of [
      webhooks.ingest.accessLogGroup,
      webhooks.ingest.receiver.logGroup,
      webhooks.processing.processor.logGroup,
    ]) {
      expect(resources[logicalId(logGroup)]).toMatchObject({ DeletionPolicy: 'Retain' });
    }
  });
});

describe('invalid props fail at synth with a clear message', () => {
  it.each<[string, SmartcarWebhooksProps, RegExp]>([
    [
      'a webhookPath without a leading slash',
      { webhookPath: 'webhooks' },
      /webhookPath must be .*starting with "\/"/,
    ],
    [
      'a webhookPath with a parameter',
      { webhookPath: '/cars/{vin}' },
      /webhookPath must be .*without "\{\.\.\.\}"/,
    ],
    ['a batchSize of 0', { batchSize: 0 }, /batchSize must be an integer from 1 to 10000 .*got 0/],
    [
      "a batchSize of 10,001, above Lambda's limit even with a batching window",
      { batchSize: 10_001 },
      /batchSize must be an integer from 1 to 10000 \(Lambda's SQS limit with a batching window\); got 10001/,
    ],
    [
      'a batchSize of 11 without a batching window',
      { batchSize: 11, maxBatchingWindow: Duration.seconds(0) },
      /batchSize must be an integer from 1 to 10 \(Lambda's SQS limit without a batching window; for larger batches set maxBatchingWindow to 1 second or more\); got 11/,
    ],
    [
      'no batching window with a batchSize of 100',
      { maxBatchingWindow: Duration.seconds(0), batchSize: 100 },
      /batchSize must be an integer from 1 to 10 .*set maxBatchingWindow to 1 second or more\); got 100/,
    ],
    ['a fractional batchSize', { batchSize: 2.5 }, /batchSize must be an integer/],
    [
      'a maxBatchingWindow above 300 s',
      { maxBatchingWindow: Duration.seconds(301) },
      /maxBatchingWindow must be whole seconds from 0 to 300 \(Lambda's SQS event source limit\); got 5 minutes 1 second/,
    ],
    [
      'a maxBatchingWindow that is not whole seconds',
      { maxBatchingWindow: Duration.millis(1500) },
      /maxBatchingWindow must be whole seconds from 0 to 300 .*got 1 second 500 millis/,
    ],
    ['a maxBodyBytes of 0', { maxBodyBytes: 0 }, /maxBodyBytes must be an integer from 1 to 256000/],
    [
      'a maxBodyBytes that leaves no room for the message attributes',
      { maxBodyBytes: 256_001 },
      /maxBodyBytes must be .*SQS message/,
    ],
    ['a maxReceiveCount of 0', { maxReceiveCount: 0 }, /maxReceiveCount must be an integer from 1 to 1000/],
    [
      'a receiverTimeout above 30 s',
      { receiverTimeout: Duration.seconds(31) },
      /receiverTimeout must be at most 30 seconds/,
    ],
    [
      'a dead-letter queue growth window that is not whole minutes',
      { alarms: { deadLetterQueueGrowthWindow: Duration.seconds(90) } },
      /deadLetterQueueGrowthWindow must be whole minutes/,
    ],
    [
      'a 5xx rate threshold of 100%, which can never be exceeded',
      { alarms: { serverErrorRatePercent: 100 } },
      /serverErrorRatePercent must be from 0 to below 100/,
    ],
    [
      'a fractional signature failure count',
      { alarms: { signatureFailures: 2.5 } },
      /signatureFailures must be a whole number/,
    ],
    [
      "a receiver latency threshold at Smartcar's 15 s timeout",
      { alarms: { receiverLatencyP99: Duration.seconds(15) } },
      /receiverLatencyP99 must be below Smartcar's 15 seconds timeout/,
    ],
  ])('rejects %s', (_case, props, message) => {
    expect(() => synthWebhooks(props)).toThrow(message);
  });

  it('rejects a maxBatchingWindow from a CloudFormation parameter, which the visibility timeout cannot add', () => {
    expect(() =>
      synthWebhooks((stack) => ({
        maxBatchingWindow: Duration.seconds(
          new CfnParameter(stack, 'Window', { type: 'Number' }).valueAsNumber,
        ),
      })),
    ).toThrow(/maxBatchingWindow must be a literal Duration, not a token/);
  });
});

describe('logRetention and tracing', () => {
  const { webhooks, template } = synthWebhooks({ logRetention: RetentionDays.ONE_WEEK, tracing: false });

  it('logRetention applies to both function log groups and the access log group', () => {
    for (const logGroup of [
      webhooks.ingest.accessLogGroup,
      webhooks.ingest.receiver.logGroup,
      webhooks.processing.processor.logGroup,
    ]) {
      expect(propertiesOf(template, logGroup)).toMatchObject({ RetentionInDays: 7 });
    }
  });

  it('tracing: false turns X-Ray off on both functions, and their SDK calls are not traced', () => {
    for (const fn of [webhooks.ingest.receiver, webhooks.processing.processor]) {
      expect(propertiesOf(template, fn).TracingConfig).toBeUndefined();
      expect(propertiesOf(template, fn)).toMatchObject({
        Environment: { Variables: { [ENV_VARS.traceEnabled]: 'false' } },
      });
    }
  });
});

describe('alarms overrides each threshold', () => {
  const { webhooks, template } = synthWebhooks({
    alarms: {
      queueAge: Duration.minutes(5),
      deadLetterQueueGrowthWindow: Duration.minutes(10),
      serverErrorRatePercent: 2,
      signatureFailures: 50,
      receiverLatencyP99: Duration.seconds(2),
    },
  });

  it.each([
    ['queueAge, in seconds', () => webhooks.monitoring.alarms.queueAgeAlarm, { Threshold: 300 }],
    [
      'deadLetterQueueGrowthWindow, as one-minute periods',
      () => webhooks.monitoring.alarms.deadLetterQueueGrowthAlarm,
      { EvaluationPeriods: 10, DatapointsToAlarm: 1 },
    ],
    ['serverErrorRatePercent', () => webhooks.monitoring.alarms.serverErrorRateAlarm, { Threshold: 2 }],
    ['signatureFailures', () => webhooks.monitoring.alarms.signatureFailuresAlarm, { Threshold: 50 }],
    [
      'receiverLatencyP99, in milliseconds',
      () => webhooks.monitoring.alarms.receiverLatencyAlarm,
      { Threshold: 2000 },
    ],
  ])('%s', (_name, alarm, expected) => {
    expect(propertiesOf(template, alarm())).toMatchObject(expected);
  });

  it('and the descriptions quote the new thresholds', () => {
    expect(propertiesOf(template, webhooks.monitoring.alarms.serverErrorRateAlarm).AlarmDescription).toMatch(
      /More than 2%/,
    );
    expect(
      propertiesOf(template, webhooks.monitoring.alarms.signatureFailuresAlarm).AlarmDescription,
    ).toMatch(/More than 50 /);
  });
});
