import { ARCHIVE_PREFIX, QUARANTINE_DELIVERIES_PREFIX } from '../../lambdas/contract';
import { actionsOf, allIdentityStatements, grantLines, grantsOf, resourcesOf, statementsOfRole } from './iam';
import { arnOf, propertiesOf, ref, roleOf, synthWebhooks } from './synth';

// Traced, so the tests below see the two X-Ray actions CDK adds; untraced, as by default, see the end.
const { webhooks, template } = synthWebhooks({ tracing: true });
const receiverStatements = statementsOfRole(template, roleOf(webhooks.ingest.receiver));
const processorStatements = statementsOfRole(template, roleOf(webhooks.processing.processor));

/** What CDK grants for active tracing. X-Ray has no resource-level permissions: "*" is the only resource. */
const xrayActions = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

/** The two object prefixes the functions may write, each a wildcard the keys cannot avoid. */
const writablePrefixes = (resource: unknown) =>
  JSON.stringify(resource)
    .replace(`/${ARCHIVE_PREFIX}*`, '')
    .replace(`/${QUARANTINE_DELIVERIES_PREFIX}*`, '');

/** ARN pattern of the objects under a prefix of the archive bucket. */
const archiveObjectsUnder = (prefix: string) => {
  if (webhooks.archive === undefined) throw new Error('the archive is on by default');
  return { 'Fn::Join': ['', [arnOf(webhooks.archive.bucket), `/${prefix}*`]] };
};

describe.each([
  ['receiver', webhooks.ingest.receiver],
  ['processor', webhooks.processing.processor],
])('%s role', (_name, fn) => {
  it('can be assumed only by Lambda', () => {
    expect(propertiesOf(template, roleOf(fn))).toMatchObject({
      AssumeRolePolicyDocument: {
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
        ],
      },
    });
  });

  it('has no managed policies, whose log permissions cover every log group', () => {
    expect(propertiesOf(template, roleOf(fn)).ManagedPolicyArns).toBeUndefined();
  });
});

describe('receiver permissions', () => {
  it('are limited to sending to the queue, reading the token secret, quarantining, writing its logs and traces', () => {
    // sqs:GetQueueAttributes and sqs:GetQueueUrl come with grantSendMessages and
    // secretsmanager:DescribeSecret with grantRead; all three reveal metadata, never messages or values.
    expect(actionsOf(receiverStatements)).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:PutObject',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
        ...xrayActions,
      ].sort(),
    );
  });

  it('name only its queue, its secret, the quarantine prefix and its log group, besides the X-Ray actions on "*"', () => {
    expect(grantsOf(receiverStatements)).toEqual(
      [
        ...grantLines(arnOf(webhooks.ingest.receiver.logGroup), [
          'logs:CreateLogStream',
          'logs:PutLogEvents',
        ]),
        ...grantLines(ref(webhooks.ingest.tokenSecret), [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
        ]),
        ...grantLines(arnOf(webhooks.processing.queue), [
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:SendMessage',
        ]),
        ...grantLines(archiveObjectsUnder(QUARANTINE_DELIVERIES_PREFIX), ['s3:PutObject']),
        ...grantLines('*', xrayActions),
      ].sort(),
    );
  });
});

describe('processor permissions', () => {
  const queueActions = [
    'sqs:ChangeMessageVisibility',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
    'sqs:ReceiveMessage',
  ];
  const tableActions = ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
  // grantSendMessages on the DLQ: unprocessable events are sent there at once.
  const deadLetterActions = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
  // The archive: each batch is written before it is processed; writing only, under events/ only.
  const archiveObjects = () => archiveObjectsUnder(ARCHIVE_PREFIX);

  it('are limited to consuming the queue, sending to the DLQ, idempotency records, archiving, writing its logs and traces', () => {
    // The sqs actions are exactly what the SQS event source mapping needs to poll and delete, plus
    // sending to the DLQ; the dynamodb actions are the four calls the Powertools persistence layer makes.
    expect(actionsOf(processorStatements)).toEqual(
      [
        ...new Set([
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          ...queueActions,
          ...deadLetterActions,
          ...tableActions,
          's3:PutObject',
          ...xrayActions,
        ]),
      ].sort(),
    );
  });

  it('name only its queues, its table, the archive prefix and its log group, besides the X-Ray actions on "*"', () => {
    expect(grantsOf(processorStatements)).toEqual(
      [
        ...grantLines(arnOf(webhooks.processing.processor.logGroup), [
          'logs:CreateLogStream',
          'logs:PutLogEvents',
        ]),
        ...grantLines(arnOf(webhooks.processing.queue), queueActions),
        ...grantLines(arnOf(webhooks.processing.deadLetterQueue), deadLetterActions),
        ...grantLines(arnOf(webhooks.processing.idempotencyTable), tableActions),
        ...grantLines(archiveObjects(), ['s3:PutObject']),
        ...grantLines('*', xrayActions),
      ].sort(),
    );
  });
});

describe('every identity policy in the stack', () => {
  const statements = allIdentityStatements(template);

  it('allows only, with no conditions to reason about', () => {
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Condition).toBeUndefined();
    }
  });

  it('grants no KMS action while no encryptionKey is given', () => {
    expect(actionsOf(statements).filter((action) => action.startsWith('kms:'))).toEqual([]);
  });

  it('has no wildcard action', () => {
    expect(statements.length).toBeGreaterThan(0);
    for (const action of actionsOf(statements)) expect(action).not.toContain('*');
  });

  it('has no wildcard resource but "*" for exactly the two X-Ray actions, the archive and the quarantine prefix', () => {
    const onEverything = statements.filter((s) => resourcesOf([s]).includes('*'));
    expect(actionsOf(onEverything)).toEqual(xrayActions);
    for (const statement of onEverything) expect(statement.Resource).toBe('*');
    for (const resource of resourcesOf(statements.filter((s) => !onEverything.includes(s)))) {
      expect(writablePrefixes(resource)).not.toContain('*');
    }
  });
});

describe('by default, with tracing off', () => {
  it('no identity policy names "*" or grants X-Ray', () => {
    const statements = allIdentityStatements(synthWebhooks().template);
    expect(actionsOf(statements).filter((action) => action.startsWith('xray:'))).toEqual([]);
    for (const resource of resourcesOf(statements)) {
      expect(writablePrefixes(resource)).not.toContain('*');
    }
  });
});
