import { actionsOf, allIdentityStatements, grantLines, grantsOf, resourcesOf, statementsOfRole } from './iam';
import { arnOf, propertiesOf, ref, roleOf, synthWebhooks } from './synth';

const { webhooks, template } = synthWebhooks();
const receiverStatements = statementsOfRole(template, roleOf(webhooks.receiver));
const processorStatements = statementsOfRole(template, roleOf(webhooks.processor));

describe.each([
  ['receiver', webhooks.receiver],
  ['processor', webhooks.processor],
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
  it('are limited to sending to the queue, reading the token secret and writing its logs', () => {
    // sqs:GetQueueAttributes and sqs:GetQueueUrl come with grantSendMessages and
    // secretsmanager:DescribeSecret with grantRead; all three reveal metadata, never messages or values.
    expect(actionsOf(receiverStatements)).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
  });

  it('name only its queue, its secret and its log group', () => {
    expect(grantsOf(receiverStatements)).toEqual(
      [
        ...grantLines(arnOf(webhooks.receiver.logGroup), ['logs:CreateLogStream', 'logs:PutLogEvents']),
        ...grantLines(ref(webhooks.tokenSecret), [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
        ]),
        ...grantLines(arnOf(webhooks.queue), [
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:SendMessage',
        ]),
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

  it('are limited to consuming the queue, idempotency records and writing its logs', () => {
    // The sqs actions are exactly what the SQS event source mapping needs to poll and delete;
    // the dynamodb actions are the four calls the Powertools persistence layer makes.
    expect(actionsOf(processorStatements)).toEqual(
      ['logs:CreateLogStream', 'logs:PutLogEvents', ...queueActions, ...tableActions].sort(),
    );
  });

  it('name only its queue, its table and its log group', () => {
    expect(grantsOf(processorStatements)).toEqual(
      [
        ...grantLines(arnOf(webhooks.processor.logGroup), ['logs:CreateLogStream', 'logs:PutLogEvents']),
        ...grantLines(arnOf(webhooks.queue), queueActions),
        ...grantLines(arnOf(webhooks.idempotencyTable), tableActions),
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

  it('has no wildcard action', () => {
    expect(statements.length).toBeGreaterThan(0);
    for (const action of actionsOf(statements)) expect(action).not.toContain('*');
  });

  it('has no wildcard resource', () => {
    for (const resource of resourcesOf(statements)) {
      expect(resource).not.toBe('*');
      expect(JSON.stringify(resource)).not.toContain('*');
    }
  });
});
