import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { sqsRecord } from './kit/sqs-records';

/** A processor invocation, as Lambda would make it. */
export type ProcessorInvoke = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

/** What the poller reports for each record it handed to the processor. */
export interface RecordResult {
  messageId: string;
  body: string;
  attempt: number;
  failed: boolean;
  /** The invocation itself threw: every record of the batch failed. */
  invocationError?: string;
}

/** Settings of {@link startEventSource}. */
export interface EventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  invoke: ProcessorInvoke;
  onRecord: (result: RecordResult) => void;
  /** Called when SQS cannot be reached; the poller keeps trying. */
  onPollError: (error: unknown) => void;
  /** Seconds a ReceiveMessage call waits for messages (long polling). */
  waitTimeSeconds?: number;
}

/** A running poller. */
export interface EventSource {
  stop(): Promise<void>;
}

/**
 * Behaves like Lambda's SQS event source mapping with ReportBatchItemFailures: long-polls batches,
 * invokes the processor, deletes the records that succeeded and leaves the reported failures to
 * reappear after the visibility timeout, so SQS's maxReceiveCount moves a poison message to the
 * DLQ exactly as in AWS.
 *
 * One batch at a time, and no poll while it runs. AWS runs several batches at once, each in its own
 * environment; here they would share one event loop with the receivers, fauxqs and dynalite, and
 * a burst's receivers would pay for them out of their enqueue budget. It also keeps what AWS
 * ensures by requiring a visibility timeout of at least the function timeout: the messages of a
 * batch are never handed out again while it runs, even when a loaded machine makes it outlast a
 * short local visibility timeout (its records are deleted, or reappear, once it returns).
 */
export function startEventSource(options: EventSourceOptions): EventSource {
  const abort = new AbortController();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      let messages: Message[];
      try {
        ({ Messages: messages = [] } = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize,
            WaitTimeSeconds: options.waitTimeSeconds ?? 1,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        ));
      } catch (error) {
        if (abort.signal.aborted) break;
        options.onPollError(error);
        await delay(1000, abort.signal);
        continue;
      }
      if (messages.length > 0) await deliver(messages, options);
    }
  })();
  return {
    stop: async () => {
      abort.abort();
      await loop;
    },
  };
}

async function deliver(messages: Message[], options: EventSourceOptions): Promise<void> {
  const records = messages.map((message) => toRecord(message, options));
  let failedIds: Set<string>;
  let invocationError: string | undefined;
  try {
    const response = await options.invoke({ Records: records });
    failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    const known = new Set(records.map((record) => record.messageId));
    if ([...failedIds].some((id) => !known.has(id))) {
      // Lambda treats an item identifier that is not in the batch as a failure of the whole batch.
      invocationError = 'the response named a message that is not in the batch';
      failedIds = known;
    }
  } catch (error) {
    invocationError = error instanceof Error ? error.message : String(error);
    failedIds = new Set(records.map((record) => record.messageId));
  }
  const succeeded = messages.filter((message) => !failedIds.has(message.MessageId ?? ''));
  if (succeeded.length > 0) {
    try {
      await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: succeeded.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle ?? '',
          })),
        }),
      );
    } catch (error) {
      // As in AWS: an undeleted message comes back, and idempotency makes the retry a no-op.
      options.onPollError(error);
    }
  }
  for (const record of records) {
    options.onRecord({
      messageId: record.messageId,
      body: record.body,
      attempt: Number(record.attributes.ApproximateReceiveCount),
      failed: failedIds.has(record.messageId),
      invocationError,
    });
  }
}

/** The record Lambda hands the function for a received message. */
function toRecord(message: Message, options: EventSourceOptions): SQSRecord {
  const system = message.Attributes ?? {};
  const attributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    attributes[name] = {
      dataType: value.DataType ?? 'String',
      stringValue: value.StringValue,
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return sqsRecord(message.Body ?? '', {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    attributes: {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
      SentTimestamp: system.SentTimestamp ?? String(Date.now()),
      SenderId: system.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: attributes,
    md5OfBody: message.MD5OfBody ?? '',
    queueArn: options.queueArn,
    region: options.region,
  });
}

/** Why the event source failed an invocation abandoned by the `{"processor":"crash"}` fault. */
export class ProcessorCrashedError extends Error {
  override name = 'ProcessorCrashedError';
}

/**
 * Invokes the processor the way a Lambda that crashes (or times out) partway through its batch
 * behaves: it completes the first `completed` records, then the invocation fails, so the event
 * source deletes nothing and the whole batch reappears after the visibility timeout. A dead process
 * starts nothing more, so the rest of the batch is never begun; any in-progress idempotency lock it
 * held would expire with `context`'s deadline, which the caller keeps within the visibility timeout.
 */
export async function invokeAndCrash(
  event: SQSEvent,
  invoke: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>,
  context: Context,
  completed = 1,
): Promise<never> {
  await invoke({ Records: event.Records.slice(0, completed) }, context);
  throw new ProcessorCrashedError(
    `processor crashed after ${Math.min(completed, event.Records.length)} of ${event.Records.length} records (injected fault)`,
  );
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
