import type { IncomingMessage } from 'node:http';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  type Message,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  type ReceiveMessageCommandOutput,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { messageMoveTasks } from '../../local/message-move-tasks';
import type { InterceptedReply, Interceptor } from '../../local/switchable-proxy';
import { deferred } from './support-local-async';

const sqs = mockClient(SQSClient);

const ENDPOINT = 'http://127.0.0.1:4566/000000000000';
const queue = (name: string) => ({
  arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
  url: `${ENDPOINT}/${name}`,
});
const QUEUE = queue('smartcar-webhooks');
const DLQ = queue('smartcar-webhooks-dlq');
const OTHER_QUEUE = queue('other');
const OTHER_DLQ = queue('other-dlq');
const queueUrlOf = (arn: string) => `${ENDPOINT}/${arn.split(':').at(-1)}`;

const RECEIVE_FROM_DLQ = {
  QueueUrl: DLQ.url,
  MaxNumberOfMessages: 10,
  WaitTimeSeconds: 0,
  VisibilityTimeout: 30,
  MessageAttributeNames: ['All'],
};

function message(n: number): Message {
  return {
    MessageId: `message-${n}`,
    ReceiptHandle: `receipt-${n}`,
    Body: JSON.stringify({ eventId: `event-${n}` }),
    MessageAttributes: { eventId: { DataType: 'String', StringValue: `event-${n}` } },
  };
}

/** The queue answers GetQueueAttributes for its ARN and depth. */
function queueExists(q: { url: string; arn: string }, depth = 0) {
  sqs
    .on(GetQueueAttributesCommand, { QueueUrl: q.url, AttributeNames: ['QueueArn'] })
    .resolves({ Attributes: { QueueArn: q.arn } });
  sqs
    .on(GetQueueAttributesCommand, { QueueUrl: q.url, AttributeNames: ['ApproximateNumberOfMessages'] })
    .resolves({ Attributes: { ApproximateNumberOfMessages: String(depth) } });
}

/** ListQueues returns these queues; each names its dead-letter queue (if any) in its RedrivePolicy. */
function queuesAre(...queues: { url: string; arn: string; deadLetterArn?: string }[]) {
  sqs.on(ListQueuesCommand).resolves({ QueueUrls: queues.map((q) => q.url) });
  for (const q of queues) {
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: q.url, AttributeNames: ['RedrivePolicy', 'QueueArn'] })
      .resolves({
        Attributes: {
          QueueArn: q.arn,
          ...(q.deadLetterArn && {
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: q.deadLetterArn, maxReceiveCount: 3 }),
          }),
        },
      });
  }
}

/** The usual local setup: the webhook queue redrives to its DLQ, which holds these batches. */
function deadLetterQueueHolds(...batches: Message[][]) {
  queueExists(QUEUE);
  queueExists(DLQ, batches.flat().length);
  queuesAre({ ...QUEUE, deadLetterArn: DLQ.arn }, DLQ);
  let receive = sqs.on(ReceiveMessageCommand, { QueueUrl: DLQ.url });
  for (const batch of batches) receive = receive.resolvesOnce({ Messages: batch });
  receive.resolves({});
}

/** Keeps tasks RUNNING: their first ReceiveMessage never answers. */
function receiveNeverAnswers() {
  const pending = deferred<ReceiveMessageCommandOutput>().promise;
  sqs.on(ReceiveMessageCommand, { QueueUrl: DLQ.url }).callsFake(() => pending);
}

function fakeRequest(target: string | undefined): IncomingMessage {
  return { headers: target === undefined ? {} : { 'x-amz-target': target } } as unknown as IncomingMessage;
}

function call(intercept: Interceptor, operation: string, input: Record<string, unknown>) {
  return intercept(fakeRequest(`AmazonSQS.${operation}`), Buffer.from(JSON.stringify(input)));
}

/** The interceptor's reply, failing the test when it let the request through. */
function answered(reply: InterceptedReply | undefined): InterceptedReply & { json: Record<string, unknown> } {
  if (reply === undefined) throw new Error('the interceptor let the request through');
  return { ...reply, json: JSON.parse(reply.body) as Record<string, unknown> };
}

async function start(intercept: Interceptor, input: Record<string, unknown> = { SourceArn: DLQ.arn }) {
  return answered(await call(intercept, 'StartMessageMoveTask', input));
}

async function tasksOf(intercept: Interceptor, sourceArn = DLQ.arn, maxResults = 10) {
  const { json } = answered(
    await call(intercept, 'ListMessageMoveTasks', { SourceArn: sourceArn, MaxResults: maxResults }),
  );
  return json.Results as Record<string, unknown>[];
}

/** The newest task of `sourceArn` once it has ended. */
async function finished(intercept: Interceptor, sourceArn = DLQ.arn) {
  const deadline = Date.now() + 2000;
  for (;;) {
    const [newest] = await tasksOf(intercept, sourceArn);
    if (newest !== undefined && !['RUNNING', 'CANCELLING'].includes(String(newest.Status))) return newest;
    if (Date.now() > deadline)
      throw new Error(`the newest task of ${sourceArn} is ${String(newest?.Status)}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The commands the task sent to move messages (discovery commands left out), in order. */
function moveCommands() {
  return sqs
    .calls()
    .map((call) => call.args[0] as unknown as { constructor: { name: string }; input: unknown })
    .filter(
      (command) => !['GetQueueAttributesCommand', 'ListQueuesCommand'].includes(command.constructor.name),
    )
    .map((command) => [command.constructor.name, command.input]);
}

beforeEach(() => {
  sqs.reset();
});

describe('messageMoveTasks interceptor', () => {
  it('lets requests without an x-amz-target header through', async () => {
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    await expect(
      intercept(fakeRequest(undefined), Buffer.from('Action=SendMessage')),
    ).resolves.toBeUndefined();
  });

  it('lets other SQS operations through', async () => {
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    await expect(call(intercept, 'SendMessage', { QueueUrl: QUEUE.url })).resolves.toBeUndefined();
    expect(sqs.calls()).toHaveLength(0);
  });

  it('lets other services’ JSON operations through', async () => {
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    await expect(
      intercept(fakeRequest('secretsmanager.StartMessageMoveTask'), Buffer.from('{}')),
    ).resolves.toBeUndefined();
  });
});

describe('StartMessageMoveTask', () => {
  it('answers 200 with a task handle in the AWS JSON protocol', async () => {
    deadLetterQueueHolds();
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    const reply = await start(intercept);

    expect(reply.status).toBe(200);
    expect(reply.headers).toEqual({ 'content-type': 'application/x-amz-json-1.0' });
    expect(reply.json).toEqual({ TaskHandle: expect.any(String) });
  });

  it('moves every message, batch by batch, to the queue that redrives to the DLQ until the DLQ is empty', async () => {
    deadLetterQueueHolds([message(1), message(2)], [message(3)]);
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    await start(intercept);
    await finished(intercept);

    const sendTo = (n: number) => [
      'SendMessageCommand',
      { QueueUrl: QUEUE.url, MessageBody: message(n).Body, MessageAttributes: message(n).MessageAttributes },
    ];
    const deleteFromDlq = (...n: number[]) => [
      'DeleteMessageBatchCommand',
      {
        QueueUrl: DLQ.url,
        Entries: n.map((k, index) => ({ Id: String(index), ReceiptHandle: `receipt-${k}` })),
      },
    ];
    expect(moveCommands()).toEqual([
      ['ReceiveMessageCommand', RECEIVE_FROM_DLQ],
      sendTo(1),
      sendTo(2),
      deleteFromDlq(1, 2),
      ['ReceiveMessageCommand', RECEIVE_FROM_DLQ],
      sendTo(3),
      deleteFromDlq(3),
      ['ReceiveMessageCommand', RECEIVE_FROM_DLQ],
    ]);
  });

  it('ends the task COMPLETED with the number of messages moved', async () => {
    deadLetterQueueHolds([message(1), message(2)], [message(3)]);
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    const { json } = await start(intercept);
    const task = await finished(intercept);

    expect(task).toEqual({
      TaskHandle: json.TaskHandle,
      Status: 'COMPLETED',
      SourceArn: DLQ.arn,
      ApproximateNumberOfMessagesMoved: 3,
      ApproximateNumberOfMessagesToMove: 3,
      StartedTimestamp: expect.any(Number),
    });
  });

  it('finds the default destination by reading every queue’s RedrivePolicy', async () => {
    deadLetterQueueHolds();
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    await start(intercept);

    expect(sqs).toHaveReceivedCommandWith(ListQueuesCommand, {});
    for (const url of [QUEUE.url, DLQ.url]) {
      expect(sqs).toHaveReceivedCommandWith(GetQueueAttributesCommand, {
        QueueUrl: url,
        AttributeNames: ['RedrivePolicy', 'QueueArn'],
      });
    }
  });

  it('sends to an explicit DestinationArn without looking for the DLQ’s source queue', async () => {
    deadLetterQueueHolds([message(1)]);
    queueExists(OTHER_QUEUE);
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    await start(intercept, { SourceArn: DLQ.arn, DestinationArn: OTHER_QUEUE.arn });
    const task = await finished(intercept);

    expect(sqs).not.toHaveReceivedCommand(ListQueuesCommand);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, { QueueUrl: OTHER_QUEUE.url });
    expect(sqs).not.toHaveReceivedCommandWith(SendMessageCommand, { QueueUrl: QUEUE.url });
    expect(task).toMatchObject({ Status: 'COMPLETED', DestinationArn: OTHER_QUEUE.arn });
  });

  it('answers 400 ResourceNotFoundException when the DestinationArn does not exist', async () => {
    deadLetterQueueHolds([message(1)]);
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    const reply = await start(intercept, { SourceArn: DLQ.arn, DestinationArn: OTHER_QUEUE.arn });

    expect(reply.status).toBe(400);
    expect(reply.json.__type).toBe('com.amazonaws.sqs#ResourceNotFoundException');
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('answers 400 SerializationException to a body that is not JSON', async () => {
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    const reply = answered(
      await intercept(fakeRequest('AmazonSQS.StartMessageMoveTask'), Buffer.from('{not json')),
    );

    expect(reply.status).toBe(400);
    expect(reply.json.__type).toBe('com.amazonaws.sqs#SerializationException');
  });

  it('answers 400 ResourceNotFoundException when the source queue does not exist', async () => {
    sqs
      .on(GetQueueAttributesCommand)
      .rejects(new QueueDoesNotExist({ message: 'no such queue', $metadata: {} }));
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    const reply = await start(intercept);

    expect(reply.status).toBe(400);
    expect(reply.headers['x-amzn-query-error']).toBe(
      'AWS.SimpleQueueService.ResourceNotFoundException;Sender',
    );
    expect(reply.json).toEqual({
      __type: 'com.amazonaws.sqs#ResourceNotFoundException',
      message: `The source queue ${DLQ.arn} does not exist.`,
    });
  });

  it('answers 400 ResourceNotFoundException when the URL derived from the ARN is another queue', async () => {
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: DLQ.url, AttributeNames: ['QueueArn'] })
      .resolves({ Attributes: { QueueArn: OTHER_DLQ.arn } });
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    const reply = await start(intercept);

    expect(reply.status).toBe(400);
    expect(reply.json.__type).toBe('com.amazonaws.sqs#ResourceNotFoundException');
  });

  it('answers 400 InvalidParameterValue when no queue redrives to the source and no DestinationArn is given', async () => {
    queueExists(DLQ);
    queuesAre(QUEUE, DLQ);
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    const reply = await start(intercept);

    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      __type: 'com.amazonaws.sqs#InvalidParameterValue',
      message: 'Give DestinationArn: the DLQ has no single source queue.',
    });
    expect(sqs).not.toHaveReceivedCommand(ReceiveMessageCommand);
  });

  it('answers 400 InvalidParameterValue when several queues redrive to the source and no DestinationArn is given', async () => {
    queueExists(DLQ);
    queuesAre({ ...QUEUE, deadLetterArn: DLQ.arn }, { ...OTHER_QUEUE, deadLetterArn: DLQ.arn }, DLQ);
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    const reply = await start(intercept);

    expect(reply.status).toBe(400);
    expect(reply.json.__type).toBe('com.amazonaws.sqs#InvalidParameterValue');
    expect(sqs).not.toHaveReceivedCommand(ReceiveMessageCommand);
  });

  it('answers 400 UnsupportedOperation while a task for the same source is RUNNING', async () => {
    deadLetterQueueHolds();
    receiveNeverAnswers();
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);
    await start(intercept);

    const reply = await start(intercept);

    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      __type: 'com.amazonaws.sqs#UnsupportedOperation',
      message: `A message move task is already running for ${DLQ.arn}.`,
    });
  });

  it('starts only one of two tasks requested at the same time for the same source', async () => {
    deadLetterQueueHolds();
    receiveNeverAnswers();
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    // Two overlapping requests (two redrive commands run at once): neither has answered yet.
    const replies = await Promise.all([start(intercept), start(intercept)]);

    expect(replies.map((reply) => reply.status).sort()).toEqual([200, 400]);
  });

  it('starts a task for a source whose previous task has ended', async () => {
    deadLetterQueueHolds();
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);
    await start(intercept);
    await finished(intercept);

    const reply = await start(intercept);

    expect(reply.status).toBe(200);
  });

  it('ends the task FAILED with the SQS error as FailureReason when a call fails mid-task', async () => {
    deadLetterQueueHolds([message(1)]);
    sqs.on(SendMessageCommand).rejects(new Error('connect ECONNREFUSED 127.0.0.1:4566'));
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    await start(intercept);
    const task = await finished(intercept);

    expect(task).toMatchObject({
      Status: 'FAILED',
      FailureReason: 'connect ECONNREFUSED 127.0.0.1:4566',
      ApproximateNumberOfMessagesMoved: 0,
    });
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageBatchCommand);
  });

  it('ends the task FAILED when DeleteMessageBatch reports entries it could not delete', async () => {
    deadLetterQueueHolds([message(1), message(2)]);
    sqs.on(DeleteMessageBatchCommand).resolves({
      Successful: [{ Id: '0' }],
      Failed: [{ Id: '1', Code: 'ReceiptHandleIsInvalid', SenderFault: true }],
    });
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    await start(intercept);
    const task = await finished(intercept);

    // Message 2 is still in the DLQ and will be moved again: it must not count as moved.
    expect(task).toMatchObject({
      Status: 'FAILED',
      FailureReason: expect.stringContaining('ReceiptHandleIsInvalid'),
      ApproximateNumberOfMessagesMoved: 1,
    });
  });
});

describe('ListMessageMoveTasks', () => {
  /** Two finished tasks for the DLQ and one for another DLQ, started in this order. */
  async function threeTasks(intercept: Interceptor) {
    deadLetterQueueHolds();
    queueExists(OTHER_DLQ);
    queueExists(OTHER_QUEUE);
    const first = await start(intercept);
    await finished(intercept);
    const second = await start(intercept);
    await finished(intercept);
    await start(intercept, { SourceArn: OTHER_DLQ.arn, DestinationArn: OTHER_QUEUE.arn });
    await finished(intercept, OTHER_DLQ.arn);
    return [first.json.TaskHandle, second.json.TaskHandle];
  }

  it('lists the source’s tasks newest first', async () => {
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);
    const [first, second] = await threeTasks(intercept);

    const tasks = await tasksOf(intercept, DLQ.arn, 10);

    expect(tasks.map((task) => task.TaskHandle)).toEqual([second, first]);
  });

  it('lists only the tasks of the given SourceArn', async () => {
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);
    await threeTasks(intercept);

    const tasks = await tasksOf(intercept, OTHER_DLQ.arn, 10);

    expect(tasks.map((task) => task.SourceArn)).toEqual([OTHER_DLQ.arn]);
  });

  it('limits the list to MaxResults', async () => {
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);
    const [, second] = await threeTasks(intercept);

    const tasks = await tasksOf(intercept, DLQ.arn, 1);

    expect(tasks.map((task) => task.TaskHandle)).toEqual([second]);
  });

  it('returns only the newest task when MaxResults is not given, as SQS does', async () => {
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);
    const [, second] = await threeTasks(intercept);

    const { json } = answered(await call(intercept, 'ListMessageMoveTasks', { SourceArn: DLQ.arn }));

    expect((json.Results as { TaskHandle: string }[]).map((task) => task.TaskHandle)).toEqual([second]);
  });

  it('returns an empty list for a source without tasks', async () => {
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    const { status, json } = answered(await call(intercept, 'ListMessageMoveTasks', { SourceArn: DLQ.arn }));

    expect(status).toBe(200);
    expect(json).toEqual({ Results: [] });
  });
});

describe('CancelMessageMoveTask', () => {
  it('cancels a running task: it stops after the batch in flight and ends CANCELLED', async () => {
    deadLetterQueueHolds();
    const inFlight = deferred<{ Messages?: Message[] }>();
    sqs
      .on(ReceiveMessageCommand, { QueueUrl: DLQ.url })
      .callsFakeOnce(() => inFlight.promise)
      .resolves({ Messages: [message(2)] });
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);
    const { json } = await start(intercept);

    const reply = answered(await call(intercept, 'CancelMessageMoveTask', { TaskHandle: json.TaskHandle }));
    inFlight.resolve({ Messages: [message(1)] });
    const task = await finished(intercept);

    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ ApproximateNumberOfMessagesMoved: 0 });
    expect(task).toMatchObject({ Status: 'CANCELLED', ApproximateNumberOfMessagesMoved: 1 });
    expect(sqs).toHaveReceivedCommandTimes(ReceiveMessageCommand, 1);
  });

  it('answers 400 ResourceNotFoundException for an unknown task handle', async () => {
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);

    const reply = answered(await call(intercept, 'CancelMessageMoveTask', { TaskHandle: 'unknown' }));

    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      __type: 'com.amazonaws.sqs#ResourceNotFoundException',
      message: 'No running task has this handle.',
    });
  });

  it('answers 400 ResourceNotFoundException for a task that has already ended', async () => {
    deadLetterQueueHolds();
    const intercept = messageMoveTasks(new SQSClient({}), queueUrlOf);
    const { json } = await start(intercept);
    await finished(intercept);

    const reply = answered(await call(intercept, 'CancelMessageMoveTask', { TaskHandle: json.TaskHandle }));

    expect(reply.status).toBe(400);
  });
});
