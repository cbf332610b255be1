import type { SQSRecord } from 'aws-lambda';
import { BASE64_BODY_ENCODING, MESSAGE_ATTRIBUTES, VERIFIED_WITH } from '../contract';
import { type EventSummary, type JsonObject, parseJsonObject, summarizeEvent } from '../runtime/envelope';
import type { ReplayMark } from '../sdk/webhook-app';

// Fatal: a lossy decode would hand the schema, and hash into the key, other bytes than were signed.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A queued delivery as far as it can be read: `document` is undefined when it is no JSON object. */
export interface QueuedEvent {
  summary: EventSummary;
  document: JsonObject | undefined;
  /** The signed bytes, whichever way the receiver had to put them in the message. */
  bytes: Buffer;
  /** Whether the message body is the bytes in base64 (the text held characters SQS cannot carry). */
  base64: boolean;
  /** Set when `replay` put this archived delivery back on the queue. */
  replay?: ReplayMark;
  /** Set when `quarantine release` enqueued this delivery the receiver had refused. */
  release?: ReleaseMark;
}

/** A released quarantined delivery: the release run, and how it verified (`unverified`: it did not). */
export interface ReleaseMark {
  id: string;
  verifiedWith: string;
}

/** The record's body as the signed bytes (base64 when the receiver had to), parsed and identified. */
export function readRecord(record: SQSRecord): QueuedEvent {
  const base64 =
    record.messageAttributes?.[MESSAGE_ATTRIBUTES.bodyEncoding]?.stringValue === BASE64_BODY_ENCODING;
  const bytes = Buffer.from(record.body, base64 ? 'base64' : 'utf8');
  let document: JsonObject | undefined;
  try {
    document = parseJsonObject(utf8.decode(bytes));
  } catch {
    document = undefined;
  }
  const attribute = (name: string) => record.messageAttributes?.[name]?.stringValue;
  const replayId = attribute(MESSAGE_ATTRIBUTES.replayId);
  const replay =
    replayId === undefined || replayId === ''
      ? undefined
      : { id: replayId, reprocess: attribute(MESSAGE_ATTRIBUTES.replayReprocess) === 'true' };
  const releaseId = attribute(MESSAGE_ATTRIBUTES.releaseId);
  const release =
    releaseId === undefined || releaseId === ''
      ? undefined
      : {
          id: releaseId,
          verifiedWith: attribute(MESSAGE_ATTRIBUTES.verifiedWith) ?? VERIFIED_WITH.unverified,
        };
  return { summary: summarizeEvent(document ?? {}, bytes), document, bytes, base64, replay, release };
}
