import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  type QueueAttributeName,
  QueueDoesNotExist,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { CliIo } from '../../local/cli/io';
import { main } from '../../local/cli/main';

const sqs = mockClient(SQSClient);
const cloudFormation = mockClient(CloudFormationClient);

const ACCOUNT = '123456789012';
const DLQ = {
  name: 'SmartcarWebhooks-DeadLetterQueue',
  url: `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/SmartcarWebhooks-DeadLetterQueue`,
  arn: `arn:aws:sqs:eu-west-1:${ACCOUNT}:SmartcarWebhooks-DeadLetterQueue`,
};
const QUEUE = {
  name: 'SmartcarWebhooks-Queue',
  url: `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/SmartcarWebhooks-Queue`,
  arn: `arn:aws:sqs:eu-west-1:${ACCOUNT}:SmartcarWebhooks-Queue`,
};
const DLQ_ATTRIBUTES: QueueAttributeName[] = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
];
const LOCAL_STATUS = {
  sqs: {
    endpoint: 'http://127.0.0.1:4566',
    region: 'us-east-1',
    queueUrl: 'http://127.0.0.1:4566/000000000000/smartcar-webhooks',
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:smartcar-webhooks',
    deadLetterQueueUrl: 'http://127.0.0.1:4566/000000000000/smartcar-webhooks-dlq',
    deadLetterQueueArn: 'arn:aws:sqs:us-east-1:000000000000:smartcar-webhooks-dlq',
  },
};

/** Captured streams, an instant sleep, and a fetch that serves the emulator's status page. */
function redriveIo(status: unknown = LOCAL_STATUS) {
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  const fetched: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env: {},
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    fetch: async (input) => {
      fetched.push(String(input));
      return new Response(JSON.stringify(status), { headers: { 'content-type': 'application/json' } });
    },
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join(''), sleeps, fetched };
}

function dlqHolds(url: string, arn: string, visible: number, inFlight = 0) {
  sqs.on(GetQueueAttributesCommand, { QueueUrl: url, AttributeNames: DLQ_ATTRIBUTES }).resolves({
    Attributes: {
      QueueArn: arn,
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
    },
  });
}

function awsQueuesExist() {
  sqs.on(GetQueueUrlCommand, { QueueName: DLQ.name }).resolves({ QueueUrl: DLQ.url });
  sqs.on(GetQueueUrlCommand, { QueueName: QUEUE.name }).resolves({ QueueUrl: QUEUE.url });
  sqs
    .on(GetQueueAttributesCommand, { QueueUrl: QUEUE.url, AttributeNames: ['QueueArn'] })
    .resolves({ Attributes: { QueueArn: QUEUE.arn } });
}

function taskReports(...statuses: { Status: string; moved?: number; FailureReason?: string }[]) {
  let mock = sqs.on(ListMessageMoveTasksCommand);
  for (const { Status, moved = 0, FailureReason } of statuses) {
    mock = mock.resolvesOnce({
      Results: [
        {
          Status,
          SourceArn: DLQ.arn,
          ApproximateNumberOfMessagesMoved: moved,
          ApproximateNumberOfMessagesToMove: 5,
          FailureReason,
        },
      ],
    });
  }
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

beforeEach(() => {
  sqs.reset();
  cloudFormation.reset();
  sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
});

describe('redrive against the local emulator', () => {
  it('reads the status page and moves the DLQ to the main queue with StartMessageMoveTask', async () => {
    const { io, stdout, fetched } = redriveIo();
    const { deadLetterQueueUrl, deadLetterQueueArn, queueArn } = LOCAL_STATUS.sqs;
    dlqHolds(deadLetterQueueUrl, deadLetterQueueArn, 5);
    taskReports({ Status: 'COMPLETED', moved: 5 });

    const code = await main(['redrive'], io);

    expect(code).toBe(0);
    expect(fetched).toEqual(['http://127.0.0.1:3000/_local/status']);
    expect(sqs).toHaveReceivedCommandWith(GetQueueAttributesCommand, {
      QueueUrl: deadLetterQueueUrl,
      AttributeNames: DLQ_ATTRIBUTES,
    });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      SourceArn: deadLetterQueueArn,
      DestinationArn: queueArn,
    });
    expect(stdout()).toContain('✔ Moved 5 messages from smartcar-webhooks-dlq');
  });

  it('talks to the endpoint and region the status page names, with dummy credentials', async () => {
    const { io } = redriveIo();
    dlqHolds(LOCAL_STATUS.sqs.deadLetterQueueUrl, LOCAL_STATUS.sqs.deadLetterQueueArn, 0);

    await main(['redrive', '--local', 'http://127.0.0.1:3000'], io);

    const client = sqs.call(0).thisValue as SQSClient;
    const endpoint = await client.config.endpoint?.();
    expect(`${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`).toBe('http://127.0.0.1:4566');
    expect(await client.config.region()).toBe('us-east-1');
    expect(await client.config.credentials()).toMatchObject({
      accessKeyId: 'local',
      secretAccessKey: 'local',
    });
  });

  it('polls ListMessageMoveTasks every second until the task completes', async () => {
    const { io, stdout, sleeps } = redriveIo();
    dlqHolds(LOCAL_STATUS.sqs.deadLetterQueueUrl, LOCAL_STATUS.sqs.deadLetterQueueArn, 5);
    taskReports(
      { Status: 'RUNNING', moved: 0 },
      { Status: 'RUNNING', moved: 3 },
      { Status: 'COMPLETED', moved: 5 },
    );

    const code = await main(['redrive'], io);

    expect(code).toBe(0);
    expect(sqs).toHaveReceivedCommandTimes(ListMessageMoveTasksCommand, 3);
    expect(sqs.commandCalls(ListMessageMoveTasksCommand)[0]?.args[0].input).toEqual({
      SourceArn: LOCAL_STATUS.sqs.deadLetterQueueArn,
      MaxResults: 1,
    });
    expect(sleeps).toEqual([1000, 1000, 1000]);
    expect(stdout()).toContain('RUNNING: 3 of 5 moved');
  });

  it('starts nothing and exits 0 when the DLQ is empty', async () => {
    const { io, stdout } = redriveIo();
    dlqHolds(LOCAL_STATUS.sqs.deadLetterQueueUrl, LOCAL_STATUS.sqs.deadLetterQueueArn, 0, 2);

    const code = await main(['redrive'], io);

    expect(code).toBe(0);
    expect(sqs).not.toHaveReceivedCommand(StartMessageMoveTaskCommand);
    expect(stdout()).toContain('Nothing to redrive: the dead-letter queue smartcar-webhooks-dlq');
    expect(stdout()).toContain('2 in flight');
  });

  it('exits 1 with the failure reason when the task FAILED', async () => {
    const { io, stdout } = redriveIo();
    dlqHolds(LOCAL_STATUS.sqs.deadLetterQueueUrl, LOCAL_STATUS.sqs.deadLetterQueueArn, 5);
    taskReports({ Status: 'FAILED', moved: 2, FailureReason: 'AWS.SimpleQueueService.NonExistentQueue' });

    const code = await main(['redrive'], io);

    expect(code).toBe(1);
    expect(stdout()).toContain(
      '✘ The move task failed after moving 2 of 5 messages: AWS.SimpleQueueService.NonExistentQueue',
    );
  });

  it('exits 1 when the task was CANCELLED', async () => {
    const { io, stdout } = redriveIo();
    dlqHolds(LOCAL_STATUS.sqs.deadLetterQueueUrl, LOCAL_STATUS.sqs.deadLetterQueueArn, 5);
    taskReports({ Status: 'CANCELLED', moved: 1 });

    const code = await main(['redrive'], io);

    expect(code).toBe(1);
    expect(stdout()).toContain('cancelled after moving 1 of 5 messages');
  });

  it('stops polling after --wait seconds, exits 1 and says how to follow the task', async () => {
    const { io, stderr } = redriveIo();
    dlqHolds(LOCAL_STATUS.sqs.deadLetterQueueUrl, LOCAL_STATUS.sqs.deadLetterQueueArn, 5);
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [{ Status: 'RUNNING' }] });

    const code = await main(['redrive', '--wait', '3'], io);

    expect(code).toBe(1);
    expect(sqs).toHaveReceivedCommandTimes(ListMessageMoveTasksCommand, 3);
    expect(stderr()).toContain('still running after 3 s');
    expect(stderr()).toContain(
      `aws sqs list-message-move-tasks --source-arn ${LOCAL_STATUS.sqs.deadLetterQueueArn}`,
    );
  });

  it('starts the task without polling for --wait 0', async () => {
    const { io } = redriveIo();
    dlqHolds(LOCAL_STATUS.sqs.deadLetterQueueUrl, LOCAL_STATUS.sqs.deadLetterQueueArn, 5);

    const code = await main(['redrive', '--wait', '0'], io);

    expect(code).toBe(0);
    expect(sqs).toHaveReceivedCommandTimes(StartMessageMoveTaskCommand, 1);
    expect(sqs).not.toHaveReceivedCommand(ListMessageMoveTasksCommand);
  });

  it('tells to run npm start when nothing listens on the status port', async () => {
    const { io, stderr } = redriveIo();
    io.fetch = async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      });
    };

    const code = await main(['redrive'], io);

    expect(code).toBe(1);
    expect(stderr()).toContain(
      'The local emulator is not running at http://127.0.0.1:3000 (connection refused)',
    );
    expect(stderr()).toContain('start it with `npm start`');
    expect(sqs.calls()).toHaveLength(0);
  });

  it('names the field when the status page is not the emulator’s', async () => {
    const { io, stderr } = redriveIo({ sqs: { endpoint: 'http://127.0.0.1:4566', region: 'us-east-1' } });

    const code = await main(['redrive'], io);

    expect(code).toBe(1);
    expect(stderr()).toContain('http://127.0.0.1:3000/_local/status has no sqs.queueArn');
  });
});

describe('redrive against AWS queues', () => {
  it('resolves --dlq and --queue names to ARNs and moves between them', async () => {
    const { io } = redriveIo();
    awsQueuesExist();
    dlqHolds(DLQ.url, DLQ.arn, 5);
    taskReports({ Status: 'COMPLETED', moved: 5 });

    const code = await main(
      ['redrive', '--dlq', DLQ.name, '--queue', QUEUE.name, '--region', 'eu-west-1'],
      io,
    );

    expect(code).toBe(0);
    expect(sqs).toHaveReceivedCommandWith(GetQueueUrlCommand, { QueueName: DLQ.name });
    expect(sqs).toHaveReceivedCommandWith(GetQueueUrlCommand, { QueueName: QUEUE.name });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      SourceArn: DLQ.arn,
      DestinationArn: QUEUE.arn,
    });
  });

  it('omits DestinationArn without --queue, so SQS moves messages back to their source queues', async () => {
    const { io, stdout } = redriveIo();
    sqs
      .on(GetQueueUrlCommand, { QueueName: DLQ.name, QueueOwnerAWSAccountId: ACCOUNT })
      .resolves({ QueueUrl: DLQ.url });
    dlqHolds(DLQ.url, DLQ.arn, 5);
    taskReports({ Status: 'COMPLETED', moved: 5 });

    const code = await main(['redrive', '--dlq', DLQ.arn], io);

    expect(code).toBe(0);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({ SourceArn: DLQ.arn });
    expect(stdout()).toContain('to the queue(s) they came from');
  });

  it.each([
    ['ARN', DLQ.arn],
    ['URL', DLQ.url],
  ])('takes the region from a --dlq %s when --region is absent', async (_kind, reference) => {
    const { io } = redriveIo();
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: DLQ.url });
    dlqHolds(DLQ.url, DLQ.arn, 0);

    await main(['redrive', '--dlq', reference], io);

    const client = sqs.call(0).thisValue as SQSClient;
    expect(await client.config.region()).toBe('eu-west-1');
  });

  it('reads a --dlq URL’s ARN without GetQueueUrl', async () => {
    const { io } = redriveIo();
    dlqHolds(DLQ.url, DLQ.arn, 0);

    const code = await main(['redrive', '--dlq', DLQ.url, '--region', 'eu-west-1'], io);

    expect(code).toBe(0);
    expect(sqs).not.toHaveReceivedCommand(GetQueueUrlCommand);
  });

  it('says which queue does not exist', async () => {
    const { io, stderr } = redriveIo();
    sqs
      .on(GetQueueUrlCommand)
      .rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }));

    const code = await main(['redrive', '--dlq', 'typo-dlq', '--region', 'eu-west-1'], io);

    expect(code).toBe(1);
    expect(stderr()).toContain('Queue typo-dlq does not exist in this region (check --region).');
  });

  it('names the permission and the ones a redrive also needs when StartMessageMoveTask is denied', async () => {
    const { io, stderr } = redriveIo();
    awsQueuesExist();
    dlqHolds(DLQ.url, DLQ.arn, 5);
    sqs.on(StartMessageMoveTaskCommand).rejects(awsError('AccessDenied', 'User is not authorized'));

    const code = await main(['redrive', '--dlq', DLQ.name, '--region', 'eu-west-1'], io);

    expect(code).toBe(1);
    expect(stderr()).toContain(`AWS denied sqs:StartMessageMoveTask on ${DLQ.arn}`);
    expect(stderr()).toContain('sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes');
  });

  it('names sqs:GetQueueAttributes when reading the DLQ is denied', async () => {
    const { io, stderr } = redriveIo();
    sqs.on(GetQueueAttributesCommand).rejects(awsError('AccessDeniedException', 'not authorized'));

    const code = await main(['redrive', '--dlq', DLQ.url, '--region', 'eu-west-1'], io);

    expect(code).toBe(1);
    expect(stderr()).toContain(`AWS denied sqs:GetQueueAttributes on ${DLQ.url}`);
  });
});

describe('redrive against a stack', () => {
  const outputs = [
    {
      OutputKey: 'WebhookUrl',
      OutputValue: 'https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/smartcar',
    },
    { OutputKey: 'QueueName', OutputValue: QUEUE.name },
    { OutputKey: 'DeadLetterQueueName', OutputValue: DLQ.name },
  ];

  it('finds the queues through the stack outputs QueueName and DeadLetterQueueName', async () => {
    const { io } = redriveIo();
    cloudFormation.on(DescribeStacksCommand, { StackName: 'SmartcarWebhooks' }).resolves({
      Stacks: [
        {
          StackName: 'SmartcarWebhooks',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: outputs,
        },
      ],
    });
    awsQueuesExist();
    dlqHolds(DLQ.url, DLQ.arn, 5);
    taskReports({ Status: 'COMPLETED', moved: 5 });

    const code = await main(['redrive', '--stack', 'SmartcarWebhooks', '--region', 'eu-west-1'], io);

    expect(code).toBe(0);
    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, {
      StackName: 'SmartcarWebhooks',
    });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      SourceArn: DLQ.arn,
      DestinationArn: QUEUE.arn,
    });
  });

  it('says the stack was not found, with the region it looked in', async () => {
    const { io, stderr } = redriveIo();
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', 'Stack with id Smartcar does not exist'));

    const code = await main(['redrive', '--stack', 'Smartcar', '--region', 'eu-west-1'], io);

    expect(code).toBe(1);
    expect(stderr()).toContain('Stack Smartcar not found in eu-west-1');
    expect(sqs.calls()).toHaveLength(0);
  });

  it('names the output a stack lacks', async () => {
    const { io, stderr } = redriveIo();
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Other',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: outputs.filter((output) => output.OutputKey !== 'DeadLetterQueueName'),
        },
      ],
    });

    const code = await main(['redrive', '--stack', 'Other', '--region', 'eu-west-1'], io);

    expect(code).toBe(1);
    expect(stderr()).toContain('Stack Other has no output DeadLetterQueueName');
  });

  it('names cloudformation:DescribeStacks when it is denied', async () => {
    const { io, stderr } = redriveIo();
    cloudFormation.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'not authorized'));

    const code = await main(['redrive', '--stack', 'SmartcarWebhooks', '--region', 'eu-west-1'], io);

    expect(code).toBe(1);
    expect(stderr()).toContain('AWS denied cloudformation:DescribeStacks on stack SmartcarWebhooks');
  });
});
