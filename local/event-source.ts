import {
  ChangeMessageVisibilityBatchCommand,
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
  /**
   * Invocations at once, like the event source mapping's MaximumConcurrency: the poller keeps
   * receiving while fewer batches than this are being processed.
   * @default 1
   */
  maxConcurrency?: number;
  /**
   * Milliseconds to go on gathering records into a batch that is not full yet, like Lambda's
   * MaximumBatchingWindowInSeconds; asked each time a receive brings a batch that is not full.
   * @default 0: a batch is what one receive brings
   */
  batchingWindowMs?: () => number;
  /**
   * Keep what this event source receives hidden while its invocation runs. AWS requires the
   * queue's visibility timeout to be at least the function timeout, so a batch is never handed out
   * again while it runs; locally the queue's is shorter (retries in seconds), so what each receive
   * brings is held for `holdSeconds` at once (ChangeMessageVisibility), and once the invocation is
   * over each failed record becomes visible again `visibilityTimeoutSeconds` after its receive, as
   * the queue's own timeout would have made it (within a second, if the invocation took longer).
   * Held after the receive rather than received with the hold: a receive whose answer is lost (a
   * connection cut by the `sqs` fault) then strands its messages for the short timeout only.
   * @default the queue's own visibility timeout, unchanged
   */
  visibility?: { holdSeconds: number; visibilityTimeoutSeconds: number };
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
 * Up to `maxConcurrency` batches at once, each invocation in an execution environment of its own
 * (the processor's), so one slow handler holds up only its own batch; the poller waits while that
 * many run. With `visibility`, a batch is never handed out again while it runs, even when a loaded
 * machine makes it outlast a short local visibility timeout (see {@link EventSourceOptions.visibility}).
 */
export function startEventSource(options: EventSourceOptions): EventSource {
  const abort = new AbortController();
  const maxConcurrency = options.maxConcurrency ?? 1;
  const inFlight = new Set<Promise<void>>();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      if (inFlight.size >= maxConcurrency) {
        await Promise.race(inFlight);
        continue;
      }
      let messages: Message[];
      try {
        messages = await receive(options, options.batchSize, options.waitTimeSeconds ?? 1, abort.signal);
      } catch (error) {
        if (abort.signal.aborted) break;
        options.onPollError(error);
        await delay(1000, abort.signal);
        continue;
      }
      if (messages.length === 0) continue;
      const receivedAt = Date.now();
      // What is already waiting fills the batch, as Lambda's pollers fill a batch of more than 10
      // from several receives; only the window's wait for what has not arrived yet is optional.
      if (messages.length === SQS_MAX_MESSAGES_PER_CALL && options.batchSize > messages.length) {
        messages = await gather(messages, receivedAt, options, abort.signal);
      }
      const windowMs = messages.length < options.batchSize ? (options.batchingWindowMs?.() ?? 0) : 0;
      if (windowMs > 0) messages = await gather(messages, receivedAt + windowMs, options, abort.signal);
      const delivery: Promise<void> = deliver(messages, receivedAt, options).finally(() =>
        inFlight.delete(delivery),
      );
      inFlight.add(delivery);
    }
    await Promise.all(inFlight);
  })();
  return {
    stop: async () => {
      abort.abort();
      await loop;
    },
  };
}

/** SQS's most messages per ReceiveMessage, and most entries per DeleteMessageBatch or ChangeMessageVisibilityBatch. */
export const SQS_MAX_MESSAGES_PER_CALL = 10;

/**
 * One ReceiveMessage call: at most `max` messages (and at most SQS's 10), waiting up to
 * `waitTimeSeconds` for the first.
 */
async function receive(
  options: EventSourceOptions,
  max: number,
  waitTimeSeconds: number,
  signal: AbortSignal,
): Promise<Message[]> {
  const { Messages: messages = [] } = await options.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: options.queueUrl,
      MaxNumberOfMessages: Math.min(max, SQS_MAX_MESSAGES_PER_CALL),
      WaitTimeSeconds: waitTimeSeconds,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
    { abortSignal: signal },
  );
  if (messages.length === 0 || options.visibility === undefined) return messages;
  return hold(messages, options.visibility.holdSeconds, options, signal);
}

/**
 * Hides what was just received for `holdSeconds`. Only what is held is run: a message that could
 * not be (its visibility ended already, SQS failed) comes back by itself, and is never run twice
 * at once.
 */
async function hold(
  messages: Message[],
  holdSeconds: number,
  options: EventSourceOptions,
  signal: AbortSignal,
): Promise<Message[]> {
  let failed: Set<string>;
  try {
    const result = await options.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle ?? '',
          VisibilityTimeout: holdSeconds,
        })),
      }),
      { abortSignal: signal },
    );
    failed = new Set((result?.Failed ?? []).map((entry) => entry.Id ?? ''));
  } catch (error) {
    if (!signal.aborted) options.onPollError(error);
    return [];
  }
  return messages.filter((_, index) => !failed.has(String(index)));
}

/**
 * Adds to `batch` what arrives until it is full or `deadline` (epoch ms) passes, as a batching
 * window does; with a deadline already past, only what is waiting now (receives that come back
 * full). A failed receive ends the window early: the batch goes as it is.
 */
async function gather(
  batch: Message[],
  deadline: number,
  options: EventSourceOptions,
  signal: AbortSignal,
): Promise<Message[]> {
  const gathered = [...batch];
  while (gathered.length < options.batchSize && !signal.aborted) {
    let more: Message[];
    try {
      more = await receive(options, options.batchSize - gathered.length, 0, signal);
    } catch (error) {
      if (!signal.aborted) options.onPollError(error);
      break;
    }
    gathered.push(...more);
    const waitingNow = more.length === SQS_MAX_MESSAGES_PER_CALL;
    if (waitingNow) continue;
    if (Date.now() >= deadline) break;
    if (more.length === 0) await delay(Math.min(GATHER_PAUSE_MS, deadline - Date.now()), signal);
  }
  return gathered;
}

/** `items` in runs of at most SQS's 10 entries per batch call. */
function chunksOfTen<T>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += SQS_MAX_MESSAGES_PER_CALL) {
    chunks.push(items.slice(i, i + SQS_MAX_MESSAGES_PER_CALL));
  }
  return chunks;
}

/** Between the empty receives of a batching window: often enough to gather a burst, rarely enough to idle. */
const GATHER_PAUSE_MS = 50;

async function deliver(messages: Message[], receivedAt: number, options: EventSourceOptions): Promise<void> {
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
  const failed = messages.filter((message) => failedIds.has(message.MessageId ?? ''));
  await Promise.all([deleteMessages(succeeded, options), releaseMessages(failed, receivedAt, options)]);
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

async function deleteMessages(messages: Message[], options: EventSourceOptions): Promise<void> {
  // A failed delete is as in AWS: the message comes back, and idempotency makes the retry a no-op.
  await inCallsOfTen(messages, options, (entries) =>
    options.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: entries })),
  );
}

/** Failed records held past the queue's visibility timeout become visible when it would have ended (or in 1 s). */
async function releaseMessages(
  messages: Message[],
  receivedAt: number,
  options: EventSourceOptions,
): Promise<void> {
  if (messages.length === 0 || options.visibility === undefined) return;
  const elapsedSeconds = (Date.now() - receivedAt) / 1000;
  // At least 1 s, not 0: fauxqs (2.4) with its SQLite persistence loses a message made visible with 0.
  const remaining = Math.max(1, Math.ceil(options.visibility.visibilityTimeoutSeconds - elapsedSeconds));
  // A failed release comes back when the hold ends instead: later, never twice at once.
  await inCallsOfTen(messages, options, (entries) =>
    options.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: entries.map((entry) => ({ ...entry, VisibilityTimeout: remaining })),
      }),
    ),
  );
}

/**
 * One SQS batch call per 10 of `messages` (SQS's most entries), each given its entries' ids and
 * receipt handles; a failed call is reported to onPollError, never thrown.
 */
async function inCallsOfTen(
  messages: Message[],
  options: EventSourceOptions,
  call: (entries: { Id: string; ReceiptHandle: string }[]) => Promise<unknown>,
): Promise<void> {
  await Promise.all(
    chunksOfTen(messages).map(async (chunk) => {
      try {
        await call(
          chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '' })),
        );
      } catch (error) {
        options.onPollError(error);
      }
    }),
  );
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
