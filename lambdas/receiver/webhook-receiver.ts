import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type EventSummary,
  isVerifyEnvelope,
  parseJsonObject,
  readChallenge,
  summarizeEvent,
} from '../shared/envelope';
import {
  InvalidPayloadError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  ReceiverFailure,
  SignatureMismatchError,
  WebhookRequestError,
} from '../shared/errors';
import { errorResponse, type HttpResponse, jsonResponse } from '../shared/http-response';
import {
  computeSignature,
  findHeader,
  parseSignatureHeader,
  SIGNATURE_HEADER,
  signatureMatches,
} from '../shared/verify-signature';
import type { Enqueue } from './enqueue';
import type { TokenSource } from './token-source';
import { LOG_MESSAGES } from '../shared/log-messages';

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
  maxBodyBytes: number;
}

// Valid UTF-8 only: a lossy decode would put different bytes on the queue than the ones signed.
const utf8 = new TextDecoder('utf-8', { fatal: true });
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
  try {
    if (request.method === 'GET') return jsonResponse(200, { status: 'ok' });
    if (request.method !== 'POST') throw new MethodNotAllowedError(request.method);
    return await receiveDelivery(request, deps);
  } catch (error) {
    logFailure(deps.logger, error);
    return errorResponse(error);
  }
}

async function receiveDelivery(request: WebhookRequest, deps: ReceiverDependencies): Promise<HttpResponse> {
  const body = readBody(request, deps.maxBodyBytes);
  const text = decodeUtf8(body);
  const document = text === undefined ? undefined : parseJsonObject(text);

  // VERIFY comes before the signature check: Smartcar does not document signing it.
  if (document !== undefined && isVerifyEnvelope(document)) {
    const challenge = readChallenge(document);
    const token = await deps.tokens.current();
    deps.logger.info(LOG_MESSAGES.verifyAnswered, {
      eventType: 'VERIFY',
      eventId: stringOrUndefined(document.eventId),
    });
    return jsonResponse(200, { challenge: computeSignature(token, challenge) });
  }

  await authenticate(body, findHeader(request.headers, SIGNATURE_HEADER), deps.tokens);
  if (text === undefined)
    throw new InvalidPayloadError('The body is not valid UTF-8; Smartcar sends UTF-8 JSON.');
  if (NOT_STORABLE_IN_SQS.test(text)) {
    throw new InvalidPayloadError('The body contains U+FFFE or U+FFFF, which an SQS message cannot carry.');
  }
  const event = summarizeEvent(document, body);
  await deps.enqueue(text, event);
  deps.logger.info(LOG_MESSAGES.deliveryEnqueued, logKeys(event));
  return jsonResponse(200, { status: 'accepted', eventId: event.eventKey });
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

function logFailure(logger: Logger, error: unknown): void {
  if (error instanceof WebhookRequestError) {
    logger.warn(LOG_MESSAGES.requestRefused, {
      statusCode: error.statusCode,
      errorCode: error.code,
      reason: error.message,
    });
  } else if (error instanceof ReceiverFailure) {
    // The message carries the remedy (for example the command that stores the token).
    logger.error(error.message, {
      statusCode: error.statusCode,
      errorCode: error.code,
      cause: causeName(error),
    });
  } else {
    logger.error('Unexpected receiver error', { error: causeName(error) });
  }
}

function causeName(error: unknown): string | undefined {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : undefined;
}
