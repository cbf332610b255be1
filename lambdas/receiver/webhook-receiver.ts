import { FUTURE_SKEW_SECONDS } from './tuning';
import type { Logger } from '@aws-lambda-powertools/logger';
import { ERROR_CODES, LOG_MESSAGES, METRICS, VERIFIED_WITH, type VerifiedWith } from '../contract';
import { epochMsOrUndefined } from '../sdk/events/delivered-at';
import { type EventSummary, type JsonObject, parseJsonObject, summarizeEvent } from '../runtime/envelope';
import { isSignableChallenge, isVerifyEnvelope, readChallenge } from './challenge';
import { isSmartcarUserAgent, looksLikeSmartcarEvent } from './smartcar-shaped';
import {
  EnqueueError,
  InvalidPayloadError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  ReceiverFailure,
  ReplayWindowError,
  SignatureError,
  SignatureMismatchError,
  WebhookRequestError,
} from './errors';
import { errorResponse, type HttpResponse, jsonResponse } from './http-response';
import type { MetricsRecorder } from '../runtime/metrics';
import {
  computeSignature,
  findHeader,
  parseSignatureHeader,
  SIGNATURE_HEADER,
  signatureMatches,
} from './verify-signature';
import { type Enqueue, toQueuedBody } from './enqueue';
import type { Quarantine } from './quarantine';
import type { TokenSource } from './token-source';

/** An HTTP request as API Gateway hands it over, independent of the event format. */
export interface WebhookRequest {
  method: string;
  headers: Readonly<Record<string, string | undefined>>;
  body: string | undefined;
  isBase64Encoded: boolean;
  /** API Gateway's request id, kept with a quarantined delivery to find its lines in the logs. */
  requestId?: string;
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
  /** Keeps refused Smartcar-shaped deliveries; without it (archive off) they are only counted. */
  quarantine?: Quarantine;
  /** Milliseconds clock. @default Date.now */
  now?: () => number;
}

/** Ids of the request's event, attached to every log line about it once the body is parsed. */
type LogKeys = Record<string, string | undefined>;

/** What is known about a request by the time it is answered; decides how a refusal is counted. */
interface RequestFacts {
  /** The body as a JSON object, once parsed; its ids are logged with a refusal. */
  document?: JsonObject;
  /** The verified event, once summarized: its ids are the ones logged from then on. */
  event?: EventSummary;
  /** Its SC-Signature is valid for its bytes: Smartcar sent it, and refusing it loses an event. */
  signed: boolean;
  /** A `Smartcar/` User-Agent and a body shaped like a Smartcar event. */
  smartcarShaped: boolean;
  /** The body is a string anyone can have signed by sending it as a VERIFY challenge. */
  signableAsChallenge: boolean;
  /** The body's bytes, once read: what the quarantine keeps. */
  body?: Buffer;
}

// Valid UTF-8 only: a lossy decode would put different bytes on the queue than the ones signed.
// ignoreBOM keeps a byte-order mark in the text (the decoder would drop it silently), so the body
// stays the signed bytes; parseJsonObject reads past it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Handles one request to the receiver: GET is the health check, POST a Smartcar delivery. A
 * delivery is answered 2xx only after SQS has accepted it. Every other answer is counted by reason.
 */
export async function receiveWebhook(
  request: WebhookRequest,
  deps: ReceiverDependencies,
): Promise<HttpResponse> {
  const facts: RequestFacts = { signed: false, smartcarShaped: false, signableAsChallenge: false };
  try {
    if (request.method === 'GET') return jsonResponse(200, { status: 'ok' });
    if (request.method !== 'POST') throw new MethodNotAllowedError(request.method);
    return await receiveDelivery(request, deps, facts);
  } catch (error) {
    countRefusal(deps.metrics, error, facts);
    logFailure(deps.logger, error, logKeysOf(facts));
    if (facts.smartcarShaped && error instanceof WebhookRequestError) {
      await keepInQuarantine(request, error, facts, deps);
    }
    return errorResponse(error);
  }
}

/**
 * Keeps a refused delivery that looks like Smartcar's (a wrong token, most often): Smartcar will
 * not send it again, so this copy is what `quarantine release` can still process once the cause
 * is fixed. The answer stays what it was; the write is bounded in time and never throws.
 */
async function keepInQuarantine(
  request: WebhookRequest,
  error: WebhookRequestError,
  facts: RequestFacts,
  deps: ReceiverDependencies,
): Promise<void> {
  if (deps.quarantine === undefined || facts.body === undefined) return;
  const keys = logKeysOf(facts);
  const outcome = await deps.quarantine({
    reason: error.code,
    message: error.message,
    statusCode: error.statusCode,
    signed: facts.signed,
    body: facts.body,
    headers: request.headers,
    isBase64Encoded: request.isBase64Encoded,
    ids: {
      eventId: keys.eventId,
      eventType: keys.eventType,
      deliveryId: keys.deliveryId,
      envelopeVersion: facts.document === undefined ? undefined : envelopeVersionOf(facts.document),
    },
    requestId: request.requestId,
  });
  if (outcome.kept) {
    deps.metrics.count(METRICS.deliveriesQuarantined, { reason: error.code });
    deps.logger.info(LOG_MESSAGES.deliveryQuarantined, {
      ...keys,
      errorCode: error.code,
      key: outcome.key,
    });
  } else if (outcome.cause !== 'NOT_QUARANTINED' && outcome.cause !== 'ALREADY_KEPT') {
    deps.metrics.count(METRICS.quarantineMisses, { cause: outcome.cause });
    deps.logger.warn(LOG_MESSAGES.quarantineMissed, {
      ...keys,
      errorCode: error.code,
      cause: outcome.cause,
      detail: outcome.detail,
    });
  }
}

async function receiveDelivery(
  request: WebhookRequest,
  deps: ReceiverDependencies,
  facts: RequestFacts,
): Promise<HttpResponse> {
  const body = readBody(request);
  facts.body = body;
  const text = decodeUtf8(body);
  const document = text === undefined ? undefined : parseJsonObject(text);
  facts.document = document;
  facts.smartcarShaped =
    isSmartcarUserAgent(findHeader(request.headers, 'user-agent')) && looksLikeSmartcarEvent(document);
  facts.signableAsChallenge = text !== undefined && isSignableChallenge(text);
  const signature = findHeader(request.headers, SIGNATURE_HEADER);

  if (body.length > deps.maxBodyBytes) {
    // API Gateway caps bodies at 10 MB, so hashing one costs milliseconds; it tells a genuine
    // delivery we are about to lose (which alarms) from junk (which is only counted).
    facts.signed = await isSigned(body, signature, deps.tokens);
    throw new PayloadTooLargeError(body.length, deps.maxBodyBytes);
  }

  // VERIFY comes before the signature check: Smartcar does not document signing it.
  if (document !== undefined && isVerifyEnvelope(document)) {
    const challenge = readChallenge(document);
    const token = await deps.tokens.current();
    deps.metrics.count(METRICS.verifyChallenges);
    deps.logger.info(LOG_MESSAGES.verifyAnswered, looseLogKeys(document));
    return jsonResponse(200, { challenge: computeSignature(token, challenge) });
  }

  const verifiedWith = await authenticate(body, signature, deps.tokens);
  facts.signed = true;
  if (text === undefined || document === undefined) {
    // The one shape refused although signed: a delivery that is not a JSON object is what a VERIFY
    // answer could have signed, so accepting it would make VERIFY a signing oracle.
    throw new InvalidPayloadError(
      text === undefined
        ? 'The body is not valid UTF-8; Smartcar sends UTF-8 JSON.'
        : 'The body must be a JSON object (a Smartcar event envelope).',
    );
  }
  const event = summarizeEvent(document, body);
  facts.event = event;
  checkReplayWindow(document, deps);
  await deps.enqueue({ ...toQueuedBody(text, body), verifiedWith }, event);
  deps.metrics.count(METRICS.deliveries, { eventType: event.eventType ?? '(none)' });
  // The accepted delivery's one line is its EMF document: a log line of its own would repeat the
  // service and event type at twice the bytes, and deliveries are the bulk of the log. The eventId
  // alone: every line about the event carries it, and the queued message and the archive keep the
  // deliveryId (refusal lines log it, where it is what Smartcar's side of a failure is found by).
  deps.metrics.addMetadata?.({ message: LOG_MESSAGES.deliveryEnqueued, eventId: event.eventKey });
  return jsonResponse(200, { status: 'accepted', eventKey: event.eventKey });
}

/**
 * Refuses a delivery whose signed `meta.deliveredAt` is too old (a captured delivery replayed
 * after Smartcar's retries are long over) or too far ahead. Without the field: accepted.
 */
function checkReplayWindow(document: JsonObject, deps: ReceiverDependencies): void {
  if (deps.replayToleranceSeconds <= 0) return;
  const meta = document.meta;
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
  const futureSkewSeconds = Math.min(FUTURE_SKEW_SECONDS, deps.replayToleranceSeconds);
  if (-ageMs > futureSkewSeconds * 1000) {
    throw new ReplayWindowError(
      `meta.deliveredAt is ${Math.round(-ageMs / 1000)} s in the future; at most ${futureSkewSeconds} s of clock skew is accepted.`,
    );
  }
}

function readBody(request: WebhookRequest): Buffer {
  return Buffer.from(request.body ?? '', request.isBase64Encoded ? 'base64' : 'utf8');
}

function decodeUtf8(body: Buffer): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

/**
 * Checks SC-Signature against the raw bytes and says which token it matched. On a mismatch the
 * token is re-read once (rate-limited inside the token source): the user may have rotated it since
 * we cached it.
 */
async function authenticate(
  body: Uint8Array,
  header: string | undefined,
  tokens: TokenSource,
): Promise<VerifiedWith> {
  const signature = parseSignatureHeader(header);
  const token = await tokens.current();
  if (signatureMatches(token, body, signature)) return VERIFIED_WITH.current;
  // Within the rotation grace period, deliveries signed before the switch still get through.
  const previous = await tokens.previous();
  if (previous !== undefined && signatureMatches(previous, body, signature)) return VERIFIED_WITH.previous;
  const refreshed = await tokens.refresh();
  if (refreshed !== undefined && refreshed !== token && signatureMatches(refreshed, body, signature)) {
    return VERIFIED_WITH.current;
  }
  throw new SignatureMismatchError();
}

/** {@link authenticate} as a yes or no, for a body refused anyway; a token that cannot be read is a no. */
async function isSigned(body: Uint8Array, header: string | undefined, tokens: TokenSource): Promise<boolean> {
  try {
    await authenticate(body, header, tokens);
    return true;
  } catch {
    return false;
  }
}

/** The ids a refusal is logged with: the verified event's once known, else the body's as sent. */
function logKeysOf(facts: RequestFacts): LogKeys {
  if (facts.event !== undefined) return logKeys(facts.event);
  return facts.document === undefined ? {} : looseLogKeys(facts.document);
}

/** Log keys that identify an event without personal data. */
function logKeys(event: EventSummary): LogKeys {
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

function envelopeVersionOf(document: JsonObject): string | undefined {
  const meta = document.meta;
  const version = typeof meta === 'object' && meta !== null ? (meta as JsonObject).version : document.version;
  return stringOrUndefined(version);
}

/**
 * Every refusal under its error code; signature failures also on their own (the probing alarm) and,
 * when the request looks like Smartcar's, on the metric that pages at once (a wrong token); a signed
 * delivery refused for anything but being a string VERIFY could have signed pages at once too.
 */
function countRefusal(metrics: MetricsRecorder, error: unknown, facts: RequestFacts): void {
  const reason =
    error instanceof WebhookRequestError || error instanceof ReceiverFailure
      ? error.code
      : ERROR_CODES.internal;
  metrics.count(METRICS.requestsRefused, { reason });
  if (error instanceof SignatureError) {
    metrics.count(METRICS.signatureFailures);
    if (facts.smartcarShaped) metrics.count(METRICS.smartcarSignatureFailures);
  } else if (error instanceof EnqueueError) {
    metrics.count(METRICS.enqueueFailures);
  }
  if (facts.signed && error instanceof WebhookRequestError && !facts.signableAsChallenge) {
    metrics.count(METRICS.signedDeliveriesRefused, { reason });
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
