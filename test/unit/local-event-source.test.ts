import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type ReceiveMessageCommandOutput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  startEventSource,
  type EventSource,
  type EventSourceOptions,
  type RecordResult,
} from '../../local/event-source';
import { deferred, until } from './support-local-async';

const sqs = mockClient(SQSClient);

const QUEUE_URL = 'http://127.0.0.1:4566/000000000000/smartcar-webhooks';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:smartcar-webhooks';

function message(n: number, receiveCount = 1): Message {
  return {
    MessageId: `message-${n}`,
    ReceiptHandle: `receipt-${n}`,
    MD5OfBody: `md5-${n}`,
    Body: JSON.stringify({ eventId: `event-${n}` }),
    Attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1700000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000500',
    },
    MessageAttributes: { eventId: { DataType: 'String', StringValue: `event-${n}` } },
  };
}

/**
 * A ReceiveMessage that, like a long poll on an empty queue, answers only when its call is
 * aborted (as the SDK does with `abortSignal`).
 */
function longPollOnEmptyQueue(): Promise<ReceiveMessageCommandOutput> {
  const options = receiveOptions({ args: sqs.send.args.at(-1) ?? [] });
  return new Promise((_, reject) => {
    options?.abortSignal?.addEventListener('abort', () => reject(new Error('Request aborted')));
  });
}

/** The queue hands out these results (a batch or an error) in turn, then long-polls an empty queue. */
function queueAnswers(...results: (Message[] | Error)[]) {
  let receive = sqs.on(ReceiveMessageCommand);
  for (const result of results) {
    receive =
      result instanceof Error ? receive.rejectsOnce(result) : receive.resolvesOnce({ Messages: result });
  }
  receive.callsFake(longPollOnEmptyQueue);
}

type Invoke = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

let source: EventSource | undefined;

/** Starts the event source with jest.fn()s for every callback; `invoke` succeeds for every record. */
function start(overrides: Partial<EventSourceOptions> = {}) {
  const invoke = jest.fn<ReturnType<Invoke>, Parameters<Invoke>>(async () => ({ batchItemFailures: [] }));
  const onRecord = jest.fn<void, [RecordResult]>();
  const onPollError = jest.fn<void, [unknown]>();
  source = startEventSource({
    sqs: new SQSClient({ region: 'us-east-1' }),
    queueUrl: QUEUE_URL,
    queueArn: QUEUE_ARN,
    region: 'us-east-1',
    batchSize: 10,
    invoke,
    onRecord,
    onPollError,
    ...overrides,
  });
  return { invoke, onRecord, onPollError };
}

/** The options the SDK call of a ReceiveMessage was made with. */
function receiveOptions(call: { args: unknown[] } | undefined) {
  return call?.args[1] as { abortSignal?: AbortSignal } | undefined;
}

/** Stops the running event source; afterEach has nothing left to stop. */
function stopSource(): Promise<void> {
  const stopping = source?.stop() ?? Promise.resolve();
  source = undefined;
  return stopping;
}

/** Whether `promise` settles while fake time stands still, once pending callbacks have run. */
async function settlesAtOnce(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.finally(() => (settled = true));
  await jest.advanceTimersByTimeAsync(0);
  return settled;
}

/** Waits until the event source has reported `count` records. */
async function recordsReported(onRecord: jest.Mock<void, [RecordResult]>, count: number) {
  await until(() => onRecord.mock.calls.length >= count, `${count} records`);
  return onRecord.mock.calls.map(([result]) => result);
}

beforeEach(() => {
  sqs.reset();
});

afterEach(async () => {
  await source?.stop();
  source = undefined;
  jest.useRealTimers();
});

describe('event source polling', () => {
  it('receives batches of batchSize with every attribute, as a long poll', async () => {
    queueAnswers();

    start({ batchSize: 7, waitTimeSeconds: 20 });
    await until(() => sqs.commandCalls(ReceiveMessageCommand).length > 0, 'a poll');

    expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, {
      QueueUrl: QUEUE_URL,
      MaxNumberOfMessages: 7,
      WaitTimeSeconds: 20,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    });
  });

  it('long-polls one second by default', async () => {
    queueAnswers();

    start();
    await until(() => sqs.commandCalls(ReceiveMessageCommand).length > 0, 'a poll');

    expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, { WaitTimeSeconds: 1 });
  });

  it('invokes the processor with records in Lambda’s SQS event shape', async () => {
    queueAnswers([message(1, 2)]);
    const { invoke, onRecord } = start({ region: 'eu-west-1' });

    await recordsReported(onRecord, 1);

    expect(invoke).toHaveBeenCalledWith({
      Records: [
        {
          messageId: 'message-1',
          receiptHandle: 'receipt-1',
          body: '{"eventId":"event-1"}',
          attributes: {
            ApproximateReceiveCount: '2',
            SentTimestamp: '1700000000000',
            SenderId: 'AIDAEXAMPLE',
            ApproximateFirstReceiveTimestamp: '1700000000500',
          },
          messageAttributes: {
            eventId: {
              stringValue: 'event-1',
              dataType: 'String',
              stringListValues: [],
              binaryListValues: [],
            },
          },
          md5OfBody: 'md5-1',
          eventSource: 'aws:sqs',
          eventSourceARN: QUEUE_ARN,
          awsRegion: 'eu-west-1',
        },
      ],
    });
  });

  it('invokes the processor once per batch, with the whole batch', async () => {
    queueAnswers([message(1), message(2)], [message(3)]);
    const { invoke, onRecord } = start();

    await recordsReported(onRecord, 3);

    expect(invoke.mock.calls.map(([event]) => event.Records.map((record) => record.messageId))).toEqual([
      ['message-1', 'message-2'],
      ['message-3'],
    ]);
  });

  it('does not poll again while a batch is being processed', async () => {
    const release = deferred<void>();
    let invoked = false;
    queueAnswers([message(1)], [message(2)]);
    const { onRecord } = start({
      invoke: async (event) => {
        invoked = true;
        if (event.Records[0]?.messageId === 'message-1') await release.promise;
        return { batchItemFailures: [] };
      },
    });
    await until(() => invoked, 'the first invocation');
    await new Promise((resolve) => setImmediate(resolve));
    const pollsDuringBatch = sqs.commandCalls(ReceiveMessageCommand).length;

    release.resolve();
    await recordsReported(onRecord, 2);

    expect(pollsDuringBatch).toBe(1);
  });

  it('counts a message without ApproximateReceiveCount as its first attempt', async () => {
    queueAnswers([{ ...message(1), Attributes: {} }]);
    const { invoke, onRecord } = start();

    await recordsReported(onRecord, 1);

    expect(invoke.mock.calls[0]?.[0].Records[0]?.attributes.ApproximateReceiveCount).toBe('1');
  });
});

describe('event source with batches of more than 10', () => {
  const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => message(from + i));

  it('asks SQS for at most 10 per receive, its limit', async () => {
    queueAnswers();

    start({ batchSize: 100 });
    await until(() => sqs.commandCalls(ReceiveMessageCommand).length > 0, 'a poll');

    expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, { MaxNumberOfMessages: 10 });
  });

  it('fills one batch from every receive that comes back full, and invokes once with all of it', async () => {
    queueAnswers(range(1, 10), range(11, 10), range(21, 3));
    const { invoke, onRecord } = start({ batchSize: 100 });

    await recordsReported(onRecord, 23);

    expect(invoke).toHaveBeenCalledTimes(1);
    expect(invoke.mock.calls[0]?.[0].Records.map((record) => record.messageId)).toEqual(
      range(1, 23).map((m) => m.MessageId),
    );
  });

  it('stops filling at batchSize', async () => {
    // The stub does not cut a receive at MaxNumberOfMessages, so each answer has what was asked for.
    queueAnswers(range(1, 10), range(11, 5), range(16, 10), range(26, 5));
    const { invoke, onRecord } = start({ batchSize: 15 });

    await recordsReported(onRecord, 30);

    expect(invoke.mock.calls.map(([event]) => event.Records.length)).toEqual([15, 15]);
    expect(sqs.commandCalls(ReceiveMessageCommand)[1]?.args[0].input.MaxNumberOfMessages).toBe(5);
  });

  it('deletes a batch of 23 in DeleteMessageBatch calls of at most 10 entries', async () => {
    queueAnswers(range(1, 10), range(11, 10), range(21, 3));
    const { onRecord } = start({ batchSize: 100 });

    await recordsReported(onRecord, 23);

    const deletes = sqs
      .commandCalls(DeleteMessageBatchCommand)
      .map((call) => call.args[0].input.Entries ?? []);
    expect(deletes.map((entries) => entries.length)).toEqual([10, 10, 3]);
    expect(deletes.flat().map((entry) => entry.ReceiptHandle)).toEqual(
      range(1, 23).map((m) => m.ReceiptHandle),
    );
  });

  it('makes failed records of a large batch visible again in calls of at most 10 entries', async () => {
    queueAnswers(range(1, 10), range(11, 2));
    const { onRecord } = start({
      batchSize: 100,
      visibility: { holdSeconds: 30, visibilityTimeoutSeconds: 1 },
      invoke: async (event) => ({
        batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })),
      }),
    });

    await recordsReported(onRecord, 12);

    const releases = sqs
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .map((call) => call.args[0].input.Entries ?? [])
      .filter((entries) => entries.every((entry) => entry.VisibilityTimeout === 1));
    expect(releases.map((entries) => entries.length)).toEqual([10, 2]);
  });
});

describe('event source deletes what succeeded', () => {
  it('deletes every record of a batch that reported no failures', async () => {
    queueAnswers([message(1), message(2)]);
    const { onRecord } = start();

    await recordsReported(onRecord, 2);

    expect(sqs).toHaveReceivedCommandTimes(DeleteMessageBatchCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageBatchCommand, {
      QueueUrl: QUEUE_URL,
      Entries: [
        { Id: '0', ReceiptHandle: 'receipt-1' },
        { Id: '1', ReceiptHandle: 'receipt-2' },
      ],
    });
  });

  it('deletes every record when the processor returns nothing', async () => {
    queueAnswers([message(1)]);
    const { onRecord } = start({ invoke: async () => undefined });

    await recordsReported(onRecord, 1);

    expect(sqs).toHaveReceivedCommandWith(DeleteMessageBatchCommand, {
      Entries: [{ Id: '0', ReceiptHandle: 'receipt-1' }],
    });
  });

  it('leaves the records named in batchItemFailures in the queue', async () => {
    queueAnswers([message(1), message(2), message(3)]);
    const { onRecord } = start({
      invoke: async () => ({ batchItemFailures: [{ itemIdentifier: 'message-2' }] }),
    });

    await recordsReported(onRecord, 3);

    expect(sqs).toHaveReceivedCommandWith(DeleteMessageBatchCommand, {
      QueueUrl: QUEUE_URL,
      Entries: [
        { Id: '0', ReceiptHandle: 'receipt-1' },
        { Id: '1', ReceiptHandle: 'receipt-3' },
      ],
    });
  });

  it('treats an item identifier that is not in the batch as a failure of the whole batch, as Lambda does', async () => {
    queueAnswers([message(1), message(2)]);
    const { onRecord } = start({
      invoke: async () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] }),
    });

    await recordsReported(onRecord, 2);

    expect(sqs).not.toHaveReceivedCommand(DeleteMessageBatchCommand);
    expect(onRecord).toHaveBeenCalledWith(expect.objectContaining({ messageId: 'message-1', failed: true }));
    expect(onRecord).toHaveBeenCalledWith(expect.objectContaining({ messageId: 'message-2', failed: true }));
  });

  it('sends no DeleteMessageBatch when every record failed', async () => {
    queueAnswers([message(1)]);
    const { onRecord } = start({
      invoke: async () => ({ batchItemFailures: [{ itemIdentifier: 'message-1' }] }),
    });

    await recordsReported(onRecord, 1);

    expect(sqs).not.toHaveReceivedCommand(DeleteMessageBatchCommand);
  });

  it('reports each record with its attempt and whether it failed', async () => {
    queueAnswers([message(1, 1), message(2, 3)]);
    const { onRecord } = start({
      invoke: async () => ({ batchItemFailures: [{ itemIdentifier: 'message-2' }] }),
    });

    const results = await recordsReported(onRecord, 2);

    expect(results).toEqual([
      {
        messageId: 'message-1',
        body: '{"eventId":"event-1"}',
        attempt: 1,
        failed: false,
        invocationError: undefined,
      },
      {
        messageId: 'message-2',
        body: '{"eventId":"event-2"}',
        attempt: 3,
        failed: true,
        invocationError: undefined,
      },
    ]);
  });
});

describe('event source when the processor throws', () => {
  const crash = async (): Promise<SQSBatchResponse> => {
    throw new Error('Task timed out after 30.00 seconds');
  };

  it('deletes nothing', async () => {
    queueAnswers([message(1), message(2)]);
    const { onRecord } = start({ invoke: crash });

    await recordsReported(onRecord, 2);

    expect(sqs).not.toHaveReceivedCommand(DeleteMessageBatchCommand);
  });

  it('reports every record of the batch as failed with the invocation error', async () => {
    queueAnswers([message(1), message(2)]);
    const { onRecord } = start({ invoke: crash });

    const results = await recordsReported(onRecord, 2);

    expect(results).toEqual([
      expect.objectContaining({
        messageId: 'message-1',
        failed: true,
        invocationError: 'Task timed out after 30.00 seconds',
      }),
      expect.objectContaining({
        messageId: 'message-2',
        failed: true,
        invocationError: 'Task timed out after 30.00 seconds',
      }),
    ]);
  });

  it('keeps polling', async () => {
    queueAnswers([message(1)], [message(2)]);
    const invoke = jest.fn(crash);
    const { onRecord } = start({ invoke });

    await recordsReported(onRecord, 2);

    expect(invoke).toHaveBeenCalledTimes(2);
  });
});

describe('event source when SQS fails', () => {
  it('reports a failed poll to onPollError', async () => {
    const unreachable = new Error('connect ECONNREFUSED 127.0.0.1:4566');
    queueAnswers(unreachable);
    const { onPollError } = start();

    await until(() => onPollError.mock.calls.length > 0, 'the poll error');

    expect(onPollError).toHaveBeenCalledWith(unreachable);
  });

  it('polls again one second after a failed poll', async () => {
    jest.useFakeTimers();
    const invoked = deferred<void>();
    queueAnswers(new Error('connect ECONNREFUSED 127.0.0.1:4566'), [message(1)]);
    start({
      invoke: async () => {
        invoked.resolve();
        return { batchItemFailures: [] };
      },
    });

    await jest.advanceTimersByTimeAsync(999);
    expect(sqs).toHaveReceivedCommandTimes(ReceiveMessageCommand, 1);
    await jest.advanceTimersByTimeAsync(1);

    // The second poll's batch reaches the processor.
    await expect(invoked.promise).resolves.toBeUndefined();
  });

  it('reports a failed DeleteMessageBatch to onPollError and still reports the records', async () => {
    const deleteFailed = new Error('connect ECONNREFUSED 127.0.0.1:4566');
    queueAnswers([message(1)]);
    sqs.on(DeleteMessageBatchCommand).rejects(deleteFailed);
    const { onRecord, onPollError } = start();

    const results = await recordsReported(onRecord, 1);

    expect(onPollError).toHaveBeenCalledWith(deleteFailed);
    expect(results).toEqual([expect.objectContaining({ messageId: 'message-1', failed: false })]);
  });
});

describe('event source with several batches in flight', () => {
  it('invokes the next batch while a slow one runs, up to maxConcurrency', async () => {
    const release = deferred<void>();
    queueAnswers([message(1)], [message(2)]);
    const { onRecord } = start({
      maxConcurrency: 2,
      invoke: async (event) => {
        if (event.Records[0]?.messageId === 'message-1') await release.promise;
        return { batchItemFailures: [] };
      },
    });

    const whileSlowRuns = await recordsReported(onRecord, 1);
    release.resolve();
    const all = await recordsReported(onRecord, 2);

    expect(whileSlowRuns.map((result) => result.messageId)).toEqual(['message-2']);
    expect(all.map((result) => result.messageId)).toEqual(['message-2', 'message-1']);
  });

  it('does not poll while maxConcurrency batches run, and polls again once one ends', async () => {
    const release = deferred<void>();
    const invoked: string[] = [];
    queueAnswers([message(1)], [message(2)], [message(3)]);
    const { onRecord } = start({
      maxConcurrency: 2,
      invoke: async (event) => {
        invoked.push(event.Records[0]?.messageId ?? '');
        if (invoked.length <= 2) await release.promise;
        return { batchItemFailures: [] };
      },
    });
    await until(() => invoked.length === 2, 'two invocations');
    await new Promise((resolve) => setImmediate(resolve));
    const pollsWhileFull = sqs.commandCalls(ReceiveMessageCommand).length;

    release.resolve();
    await recordsReported(onRecord, 3);

    expect(pollsWhileFull).toBe(2);
    expect(invoked).toEqual(['message-1', 'message-2', 'message-3']);
  });

  it('lets every batch in flight finish before stop() resolves', async () => {
    const release = deferred<void>();
    queueAnswers([message(1)], [message(2)]);
    let invocations = 0;
    const { onRecord } = start({
      maxConcurrency: 2,
      invoke: async () => {
        invocations++;
        await release.promise;
        return { batchItemFailures: [] };
      },
    });
    await until(() => invocations === 2, 'two invocations');

    const stopping = stopSource();
    release.resolve();
    await stopping;

    expect(onRecord).toHaveBeenCalledTimes(2);
    expect(sqs).toHaveReceivedCommandTimes(DeleteMessageBatchCommand, 2);
  });
});

describe('event source holding what it received', () => {
  const visibility = { holdSeconds: 180, visibilityTimeoutSeconds: 10 };

  /** The VisibilityTimeout of each entry of each ChangeMessageVisibilityBatch, call by call. */
  const visibilityChanges = () =>
    sqs
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .map((call) =>
        (call.args[0].input.Entries ?? []).map((entry) => [entry.ReceiptHandle, entry.VisibilityTimeout]),
      );

  it('hides each batch for the hold as soon as it is received, before it runs', async () => {
    queueAnswers([message(1), message(2)]);
    let changesBeforeInvoke: unknown[] = [];
    const { onRecord } = start({
      visibility,
      invoke: async () => {
        changesBeforeInvoke = visibilityChanges();
        return { batchItemFailures: [] };
      },
    });

    await recordsReported(onRecord, 2);

    expect(changesBeforeInvoke).toEqual([
      [
        ['receipt-1', 180],
        ['receipt-2', 180],
      ],
    ]);
  });

  it('runs only the records it could hold, leaving the others to come back', async () => {
    queueAnswers([message(1), message(2)]);
    sqs.on(ChangeMessageVisibilityBatchCommand).resolvesOnce({
      Successful: [{ Id: '1' }],
      Failed: [{ Id: '0', SenderFault: true, Code: 'ReceiptHandleIsInvalid' }],
    });
    const { invoke, onRecord } = start({ visibility });

    await recordsReported(onRecord, 1);

    expect(invoke.mock.calls.map(([event]) => event.Records.map((record) => record.messageId))).toEqual([
      ['message-2'],
    ]);
  });

  it('runs nothing of a batch it could not hold, and reports why', async () => {
    const unreachable = new Error('connect ECONNREFUSED 127.0.0.1:4566');
    queueAnswers([message(1)]);
    sqs.on(ChangeMessageVisibilityBatchCommand).rejectsOnce(unreachable);
    const { invoke, onPollError } = start({ visibility });

    await until(() => onPollError.mock.calls.length > 0, 'the error');

    expect(onPollError).toHaveBeenCalledWith(unreachable);
    expect(invoke).not.toHaveBeenCalled();
  });

  it('makes a failed record visible again when the queue’s visibility timeout after its receive ends', async () => {
    queueAnswers([message(1), message(2)]);
    const { onRecord } = start({
      visibility,
      invoke: async () => ({ batchItemFailures: [{ itemIdentifier: 'message-2' }] }),
    });

    await recordsReported(onRecord, 2);

    const release = visibilityChanges()[1] ?? [];
    expect(release).toEqual([['receipt-2', expect.any(Number)]]);
    expect(release[0]?.[1]).toBeGreaterThan(0);
    expect(release[0]?.[1]).toBeLessThanOrEqual(10);
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageBatchCommand, {
      Entries: [{ Id: '0', ReceiptHandle: 'receipt-1' }],
    });
  });

  it('makes the whole batch visible within a second when its invocation failed after the visibility timeout', async () => {
    queueAnswers([message(1), message(2)]);
    const { onRecord } = start({
      visibility: { holdSeconds: 180, visibilityTimeoutSeconds: 1 },
      invoke: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1200));
        throw new Error('Task timed out after 1.00 seconds');
      },
    });

    await until(() => onRecord.mock.calls.length === 2, 'both records');

    expect(visibilityChanges()[1]).toEqual([
      ['receipt-1', 1],
      ['receipt-2', 1],
    ]);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageBatchCommand);
  });

  it('reports a failed release to onPollError and still reports the records', async () => {
    const changeFailed = new Error('connect ECONNREFUSED 127.0.0.1:4566');
    queueAnswers([message(1)]);
    sqs
      .on(ChangeMessageVisibilityBatchCommand)
      .resolvesOnce({ Successful: [{ Id: '0' }] })
      .rejects(changeFailed);
    const { onRecord, onPollError } = start({
      visibility,
      invoke: async () => ({ batchItemFailures: [{ itemIdentifier: 'message-1' }] }),
    });

    const results = await recordsReported(onRecord, 1);

    expect(onPollError).toHaveBeenCalledWith(changeFailed);
    expect(results).toEqual([expect.objectContaining({ messageId: 'message-1', failed: true })]);
  });

  it('changes no visibility without the hold, leaving failures to the queue’s own timeout', async () => {
    queueAnswers([message(1)]);
    const { onRecord } = start({
      invoke: async () => ({ batchItemFailures: [{ itemIdentifier: 'message-1' }] }),
    });

    await recordsReported(onRecord, 1);

    expect(sqs).not.toHaveReceivedCommand(ChangeMessageVisibilityBatchCommand);
  });
});

describe('event source batching window', () => {
  /** The queue hands out these batches in turn; after them, a receive that does not wait finds nothing. */
  function arriving(...batches: Message[][]) {
    let receive = sqs.on(ReceiveMessageCommand);
    for (const batch of batches) receive = receive.resolvesOnce({ Messages: batch });
    receive.callsFake((input: { WaitTimeSeconds?: number }) =>
      input.WaitTimeSeconds === 0 ? Promise.resolve({}) : longPollOnEmptyQueue(),
    );
  }

  it('gathers what arrives within the window into one batch', async () => {
    arriving([message(1)], [message(2)], [message(3)]);
    const { invoke, onRecord } = start({ batchingWindowMs: () => 300 });

    await recordsReported(onRecord, 3);

    expect(invoke.mock.calls.map(([event]) => event.Records.map((record) => record.messageId))).toEqual([
      ['message-1', 'message-2', 'message-3'],
    ]);
    // Each further receive asks for no more than the batch still has room for.
    expect(
      sqs.commandCalls(ReceiveMessageCommand).map((call) => call.args[0].input.MaxNumberOfMessages),
    ).toEqual(expect.arrayContaining([10, 9, 8]));
  });

  it('stops gathering once the batch is full', async () => {
    arriving([message(1)], [message(2)], [message(3)]);
    // A long window for the first batch only: it must go as soon as it is full, not when the window ends.
    const window = jest.fn<number, []>().mockReturnValueOnce(60_000).mockReturnValue(0);
    const { invoke, onRecord } = start({ batchSize: 2, batchingWindowMs: window });

    await recordsReported(onRecord, 3);

    expect(invoke.mock.calls.map(([event]) => event.Records.length)).toEqual([2, 1]);
  });

  it('gathers nothing while the window is 0', async () => {
    arriving([message(1)], [message(2)]);
    const { invoke, onRecord } = start({ batchingWindowMs: () => 0 });

    await recordsReported(onRecord, 2);

    expect(invoke).toHaveBeenCalledTimes(2);
  });
});

describe('event source stop()', () => {
  it('aborts the long poll in flight', async () => {
    queueAnswers();
    start({ waitTimeSeconds: 20 });
    await until(() => sqs.commandCalls(ReceiveMessageCommand).length > 0, 'a poll');
    const options = receiveOptions(sqs.commandCalls(ReceiveMessageCommand)[0]);
    const stopping = source?.stop();
    source = undefined;

    await stopping;

    expect(options?.abortSignal?.aborted).toBe(true);
  });

  it('resolves without waiting for the long poll in flight to end', async () => {
    jest.useFakeTimers();
    queueAnswers();
    const running = start({ waitTimeSeconds: 20 });
    await jest.advanceTimersByTimeAsync(0);
    expect(sqs).toHaveReceivedCommandTimes(ReceiveMessageCommand, 1);

    // The clock stands still: the 20 s poll cannot end on its own.
    const stopped = await settlesAtOnce(stopSource());

    expect(stopped).toBe(true);
    expect(running.onPollError).not.toHaveBeenCalled();
  });

  it('resolves without waiting out the pause before retrying a failed poll', async () => {
    jest.useFakeTimers();
    queueAnswers(new Error('connect ECONNREFUSED 127.0.0.1:4566'));
    const { onPollError } = start();
    await jest.advanceTimersByTimeAsync(0);
    expect(onPollError).toHaveBeenCalledTimes(1);

    // The clock stands still: the one-second pause cannot end on its own.
    const stopped = await settlesAtOnce(stopSource());

    expect(stopped).toBe(true);
    expect(sqs).toHaveReceivedCommandTimes(ReceiveMessageCommand, 1);
  });

  it('lets the batch in flight finish before resolving', async () => {
    const release = deferred<void>();
    queueAnswers([message(1)]);
    const { onRecord } = start({
      invoke: async () => {
        await release.promise;
        return { batchItemFailures: [] };
      },
    });
    await until(() => sqs.commandCalls(ReceiveMessageCommand).length > 0, 'a poll');

    const stopping = source?.stop();
    source = undefined;
    release.resolve();
    await stopping;

    expect(onRecord).toHaveBeenCalledTimes(1);
    expect(sqs).toHaveReceivedCommandTimes(DeleteMessageBatchCommand, 1);
  });
});
