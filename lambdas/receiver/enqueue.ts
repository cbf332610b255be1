import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { BASE64_BODY_ENCODING, LIMITS, MESSAGE_ATTRIBUTES, type VerifiedWith } from '../contract';
import type { EventSummary } from '../runtime/envelope';
import { describeError, withDeadline } from '../runtime/deadline';
import { EnqueueError, PayloadTooLargeError } from './errors';

/** The message body: the signed text, or its bytes in base64 when SQS cannot carry the text. */
export interface QueuedBody {
  body: string;
  encoding?: typeof BASE64_BODY_ENCODING;
  /** Which token the signature matched; the archive keeps it with the delivery. */
  verifiedWith?: VerifiedWith;
  /** Set by `quarantine release` for a delivery the receiver had refused: the release run's id. */
  releaseId?: string;
}

// Characters a JSON string may hold but an SQS message body may not: such a body goes as base64.
const NOT_STORABLE_IN_SQS = /[\uFFFE\uFFFF]/;

/**
 * The text as it was signed, or its bytes in base64 when an SQS message cannot carry the text.
 * @throws PayloadTooLargeError when the base64 form no longer fits one message
 */
export function toQueuedBody(text: string, body: Buffer): QueuedBody {
  if (!NOT_STORABLE_IN_SQS.test(text)) return { body: text };
  const encoded = body.toString('base64');
  // LIMITS.maxBodyBytes is the largest body that fits one SQS message next to its attributes.
  if (encoded.length > LIMITS.maxBodyBytes) {
    throw new PayloadTooLargeError(
      body.length,
      Math.floor((LIMITS.maxBodyBytes * 3) / 4),
      'a body holding U+FFFE or U+FFFF is stored as base64, which must fit one SQS message',
    );
  }
  return { body: encoded, encoding: BASE64_BODY_ENCODING };
}

/** Persists one delivery; resolves only once SQS has accepted it. */
export type Enqueue = (message: QueuedBody, event: EventSummary) => Promise<void>;

/** Settings of {@link createSqsEnqueue}. */
export interface SqsEnqueueOptions {
  client: Pick<SQSClient, 'send'>;
  queueUrl: string;
  /** Cut-off for the whole call, retries included. */
  totalTimeoutMs: number;
}

// SQS message attribute values must be non-empty; long ids are cut because the body, not the
// attributes, is the record of truth, and all of it must fit one message.
const MAX_ATTRIBUTE_LENGTH = 256;

// Characters SQS accepts in a message attribute value (the same set as in a body).
const NOT_STORABLE = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
// The same set, for a yes or no: a global pattern's test() would carry lastIndex between calls.
const HAS_NOT_STORABLE = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * An attribute from an id the sender chose: characters SQS would refuse (an escaped control
 * character in a signed eventId, say) would fail every retry, so they become U+FFFD, and the value
 * is cut by code points so a surrogate pair is never split.
 */
function stringAttribute(value: string) {
  // Smartcar's ids (UUIDs) pass as they are; only an odd one pays for the code point split.
  if (value.length <= MAX_ATTRIBUTE_LENGTH && !HAS_NOT_STORABLE.test(value)) {
    return { DataType: 'String', StringValue: value };
  }
  const storable = value.replace(NOT_STORABLE, '\uFFFD');
  return { DataType: 'String', StringValue: Array.from(storable).slice(0, MAX_ATTRIBUTE_LENGTH).join('') };
}

/**
 * An {@link Enqueue} that sends the raw body, byte for byte, with eventId (always), eventType and
 * deliveryId (when the delivery names them) and bodyEncoding (when base64) attributes.
 */
export function createSqsEnqueue({ client, queueUrl, totalTimeoutMs }: SqsEnqueueOptions): Enqueue {
  return async (message, event) => {
    const attributes: Record<string, { DataType: string; StringValue: string }> = {
      [MESSAGE_ATTRIBUTES.eventKey]: stringAttribute(event.eventKey),
    };
    if (event.eventType !== undefined)
      attributes[MESSAGE_ATTRIBUTES.eventType] = stringAttribute(event.eventType);
    if (event.deliveryId !== undefined)
      attributes[MESSAGE_ATTRIBUTES.deliveryId] = stringAttribute(event.deliveryId);
    if (message.encoding !== undefined)
      attributes[MESSAGE_ATTRIBUTES.bodyEncoding] = stringAttribute(message.encoding);
    if (message.verifiedWith !== undefined)
      attributes[MESSAGE_ATTRIBUTES.verifiedWith] = stringAttribute(message.verifiedWith);
    if (message.releaseId !== undefined)
      attributes[MESSAGE_ATTRIBUTES.releaseId] = stringAttribute(message.releaseId);
    const command = new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: message.body,
      MessageAttributes: attributes,
    });
    try {
      await withDeadline(totalTimeoutMs, (signal) => client.send(command, { abortSignal: signal }));
    } catch (error) {
      throw new EnqueueError(`SQS SendMessage failed: ${describeError(error)}`, { cause: error });
    }
  };
}
