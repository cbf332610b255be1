import type { Logger } from '@aws-lambda-powertools/logger';
import { METRICS, RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { epochMsOrUndefined } from '../shared/events/delivered-at';
import {
  type EventSummary,
  isVerifyEnvelope,
  type JsonObject,
  parseJsonObject,
  readChallenge,
  summarizeEvent,
} from '../shared/envelope';
import {
  EnqueueError,
  InvalidPayloadError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  ReceiverFailure,
  ReplayWindowError,
  SignatureMalformedError,
  SignatureMismatchError,
  SignatureMissingError,
  WebhookRequestError,
} from '../shared/errors';
import { errorResponse, type HttpResponse, jsonResponse } from '../shared/http-response';
import { LOG_MESSAGES } from '../shared/log-messages';
import type { MetricsRecorder } from '../shared/metrics';
import {
  computeSignature,
  findHeader,
  parseSignatureHeader,
  SIGNATURE_HEADER,
  signatureMatches,
} from '../shared/verify-signature';
import type { Enqueue } from './enqueue';
import type { TokenSource } from './token-source';

/** An HTTP request as API Gateway hands it over, independent of the event format. */
export interface WebhookRequest {
  method: string;
  headers: Readonly<Record<string, string | undefined>>;
  body: string | undefined;
  isBase64Encoded: boolean;
}

/** What {@link receiveWebhook} needs; the Lambda entry, tests and the local emulator each supply their own. */
export interface ReceiverDependencies {
  tokens: TokenSource;
  enqueue: Enqueue;
  logger: Logger;
  metrics: MetricsRecorder;
  maxBodyBytes: number;
  /** Oldest accepted `meta.deliveredAt`, in seconds; 0 turns the replay check off. */
  replayToleranceSeconds: number;
  /** Milliseconds clock. @default Date.now */
  now?: () => number;
}

/** Ids of the request's event, attached to every log line about it once the body is parsed. */
type LogKeys = Record<string, string | undefined>;

// Valid UTF-8 only: a lossy decode would put different bytes on the queue than the ones signed.
// ignoreBOM keeps a byte-order mark in the text (the decoder would drop it silently), so the body
// stays the signed bytes and JSON.parse refuses it, as RFC 8259 forbids a BOM in JSON on the wire.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// Characters a JSON string may hold but an SQS message body may not.
const NOT_STORABLE_IN_SQS = /[\uFFFE\uFFFF]/;

/**
 * Handles one request to the receiver: GET is the health check, POST a Smartcar delivery. A
 * delivery is answered 2xx only after SQS has accepted it.
 */
export async function receiveWebhook(
  request: WebhookRequest,
  deps: ReceiverDependencies,
): Promise<HttpResponse> {
  const log: { keys: LogKeys } = { keys: {} };
  try {
    if (request.method === 'GET') return jsonResponse(200, { status: 'ok' });
    if (request.method !== 'POST') throw new MethodNotAllowedError(request.method);
    return await receiveDelivery(request, deps, log);
  } catch (error) {
    countFailure(deps.metrics, error);
    logFailure(deps.logger, error, log.keys);
    return errorResponse(error);
  }
}

async function receiveDelivery(
  request: WebhookRequest,
  deps: ReceiverDependencies,
  log: { keys: LogKeys },
): Promise<HttpResponse> {
  const body = readBody(request, deps.maxBodyBytes);
  const text = decodeUtf8(body);
  const document = text === undefined ? undefined : parseJsonObject(text);
  if (document !== undefined) log.keys = looseLogKeys(document);

  // VERIFY comes before the signature check: Smartcar does not document signing it.
  if (document !== undefined && isVerifyEnvelope(document)) {
    const challenge = readChallenge(document);
    const token = await deps.tokens.current();
    deps.metrics.count(METRICS.verifyChallenges);
    deps.logger.info(LOG_MESSAGES.verifyAnswered, log.keys);
    return jsonResponse(200, { challenge: computeSignature(token, challenge) });
  }

  await authenticate(body, findHeader(request.headers, SIGNATURE_HEADER), deps.tokens);
  if (text === undefined)
    throw new InvalidPayloadError('The body is not valid UTF-8; Smartcar sends UTF-8 JSON.');
  if (NOT_STORABLE_IN_SQS.test(text)) {
    throw new InvalidPayloadError('The body contains U+FFFE or U+FFFF, which an SQS message cannot carry.');
  }
  const event = summarizeEvent(document, body);
  log.keys = logKeys(event);
  checkReplayWindow(document, deps);
  await deps.enqueue(text, event);
  deps.metrics.count(METRICS.deliveries, { eventType: event.eventType });
  deps.logger.info(LOG_MESSAGES.deliveryEnqueued, log.keys);
  return jsonResponse(200, { status: 'accepted', eventId: event.eventKey });
}

/**
 * Refuses a delivery whose signed `meta.deliveredAt` is too old (a captured delivery replayed
 * after Smartcar's retries are long over) or too far ahead. Without the field: accepted.
 */
function checkReplayWindow(document: JsonObject | undefined, deps: ReceiverDependencies): void {
  if (deps.replayToleranceSeconds <= 0) return;
  const meta = document?.meta;
  const deliveredAt = epochMsOrUndefined(
    typeof meta === 'object' && meta !== null ? (meta as JsonObject).deliveredAt : undefined,
  );
  if (deliveredAt === undefined) return;
  const ageMs = (deps.now ?? Date.now)() - deliveredAt;
  if (ageMs > deps.replayToleranceSeconds * 1000) {
    throw new ReplayWindowError(
      `meta.deliveredAt is ${Math.round(ageMs / 1000)} s old; deliveries older than ${deps.replayToleranceSeconds} s are refused as replays.`,
    );
  }
  const futureSkewSeconds = Math.min(RECEIVER_DEFAULTS.futureSkewSeconds, deps.replayToleranceSeconds);
  if (-ageMs > futureSkewSeconds * 1000) {
    throw new ReplayWindowError(
      `meta.deliveredAt is ${Math.round(-ageMs / 1000)} s in the future; at most ${futureSkewSeconds} s of clock skew is accepted.`,
    );
  }
}

function readBody(request: WebhookRequest, maxBodyBytes: number): Buffer {
  const raw = request.body ?? '';
  const encoding = request.isBase64Encoded ? 'base64' : 'utf8';
  // Measured before decoding so an oversized body is refused without copying it.
  const size = Buffer.byteLength(raw, encoding);
  if (size > maxBodyBytes) throw new PayloadTooLargeError(size, maxBodyBytes);
  return Buffer.from(raw, encoding);
}

function decodeUtf8(body: Buffer): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

/**
 * Checks SC-Signature against the raw bytes. On a mismatch the token is re-read once (rate-limited
 * inside the token source): the user may have rotated it since we cached it.
 */
async function authenticate(
  body: Uint8Array,
  header: string | undefined,
  tokens: TokenSource,
): Promise<void> {
  const signature = parseSignatureHeader(header);
  const token = await tokens.current();
  if (signatureMatches(token, body, signature)) return;
  // Within the rotation grace period, deliveries signed before the switch still get through.
  const previous = await tokens.previous();
  if (previous !== undefined && signatureMatches(previous, body, signature)) return;
  const refreshed = await tokens.refresh();
  if (refreshed !== undefined && refreshed !== token && signatureMatches(refreshed, body, signature)) return;
  throw new SignatureMismatchError();
}

/** Log keys that identify an event without personal data. */
function logKeys(event: EventSummary): Record<string, string | undefined> {
  return {
    eventId: event.eventKey,
    eventType: event.eventType,
    deliveryId: event.deliveryId,
    vehicleId: event.vehicleId,
  };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Ids from a body that is not verified (or not an event) yet: only strings, nothing else. */
function looseLogKeys(document: JsonObject): LogKeys {
  const meta =
    typeof document.meta === 'object' && document.meta !== null ? (document.meta as JsonObject) : {};
  return {
    eventId: stringOrUndefined(document.eventId),
    eventType: stringOrUndefined(document.eventType) ?? stringOrUndefined(document.eventName),
    deliveryId: stringOrUndefined(meta.deliveryId),
  };
}

function countFailure(metrics: MetricsRecorder, error: unknown): void {
  if (
    error instanceof SignatureMissingError ||
    error instanceof SignatureMalformedError ||
    error instanceof SignatureMismatchError
  ) {
    metrics.count(METRICS.signatureFailures);
  } else if (error instanceof EnqueueError) {
    metrics.count(METRICS.enqueueFailures);
  }
}

function logFailure(logger: Logger, error: unknown, keys: LogKeys): void {
  if (error instanceof WebhookRequestError) {
    logger.warn(LOG_MESSAGES.requestRefused, {
      ...keys,
      statusCode: error.statusCode,
      errorCode: error.code,
      reason: error.message,
    });
  } else if (error instanceof ReceiverFailure) {
    // The message carries the remedy (for example the command that stores the token).
    logger.error(error.message, {
      ...keys,
      statusCode: error.statusCode,
      errorCode: error.code,
      cause: causeName(error),
    });
  } else {
    logger.error('Unexpected receiver error', { ...keys, error: causeName(error) });
  }
}

function causeName(error: unknown): string | undefined {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : undefined;
}
