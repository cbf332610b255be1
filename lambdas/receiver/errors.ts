import { ERROR_CODES, type ErrorCode } from '../contract';
import { SmartcarWebhooksError } from '../runtime/errors';

/**
 * Errors of the webhook path, each an {@link HttpError} that knows its answer. Two families, kept
 * apart on purpose:
 * - {@link WebhookRequestError}: the request is hostile or broken; the caller gets a 4xx.
 * - {@link ReceiverFailure}: we could not do our part (token not set, SQS down); the caller gets a
 *   5xx so Smartcar redelivers.
 * Messages never contain the token, a signature or the body.
 */

/** An error that becomes an HTTP answer: `{ error: code, message: publicMessage }` with `statusCode`. */
export abstract class HttpError extends SmartcarWebhooksError {
  abstract readonly statusCode: number;
  abstract readonly code: ErrorCode;
  /** What the caller is told. */
  abstract readonly publicMessage: string;
}

/** A request we refuse; `statusCode` is the 4xx to answer, and the message says what to change. */
export abstract class WebhookRequestError extends HttpError {
  get publicMessage(): string {
    return this.message;
  }
}

/** 401: the delivery is not authenticated; the subclasses say how. */
export abstract class SignatureError extends WebhookRequestError {
  readonly statusCode = 401;
}

/** 401: no `SC-Signature` header on a delivery that is not a VERIFY. */
export class SignatureMissingError extends SignatureError {
  override readonly name = 'SignatureMissingError';
  readonly code = ERROR_CODES.signatureMissing;
  constructor() {
    super('The SC-Signature header is missing. Every delivery except VERIFY must be signed by Smartcar.');
  }
}

/** 401: `SC-Signature` is present but cannot be an HMAC-SHA256 hex digest. */
export class SignatureMalformedError extends SignatureError {
  override readonly name = 'SignatureMalformedError';
  readonly code = ERROR_CODES.signatureMalformed;
  constructor() {
    super('The SC-Signature header must be exactly 64 hexadecimal characters (an HMAC-SHA256 digest).');
  }
}

/** 401: `SC-Signature` is well-formed but does not match the body under the current token. */
export class SignatureMismatchError extends SignatureError {
  override readonly name = 'SignatureMismatchError';
  readonly code = ERROR_CODES.signatureMismatch;
  constructor() {
    super(
      'SC-Signature does not match the request body. The signature covers the raw body bytes exactly as ' +
        'sent, keyed with the Application Management Token: check that the receiver has the same token ' +
        'as your Smartcar Dashboard and that nothing between Smartcar and the receiver rewrites the body.',
    );
  }
}

/** 413: the body is over the configured limit. */
export class PayloadTooLargeError extends WebhookRequestError {
  override readonly name = 'PayloadTooLargeError';
  readonly statusCode = 413;
  readonly code = ERROR_CODES.payloadTooLarge;
  constructor(
    readonly sizeBytes: number,
    readonly limitBytes: number,
    because?: string,
  ) {
    super(
      `The request body is ${sizeBytes} bytes; the limit is ${limitBytes} bytes${because === undefined ? '' : `: ${because}`}.`,
    );
  }
}

/** 400: a body that is not a JSON object (or not UTF-8), so it cannot be a Smartcar delivery. */
export class InvalidPayloadError extends WebhookRequestError {
  override readonly name = 'InvalidPayloadError';
  readonly statusCode = 400;
  readonly code = ERROR_CODES.invalidPayload;
}

/** 400: a VERIFY whose challenge we refuse to sign (see `readChallenge`). */
export class InvalidChallengeError extends WebhookRequestError {
  override readonly name = 'InvalidChallengeError';
  readonly statusCode = 400;
  readonly code = ERROR_CODES.invalidChallenge;
}

/** 400: a signed delivery whose `meta.deliveredAt` is too old or too far ahead: a replay. */
export class ReplayWindowError extends WebhookRequestError {
  override readonly name = 'ReplayWindowError';
  readonly statusCode = 400;
  readonly code = ERROR_CODES.outsideReplayWindow;
}

/** 405: any method but POST (deliveries) and GET (health). */
export class MethodNotAllowedError extends WebhookRequestError {
  override readonly name = 'MethodNotAllowedError';
  readonly statusCode = 405;
  readonly code = ERROR_CODES.methodNotAllowed;
  constructor(readonly method: string) {
    super(`Method ${method} is not allowed: Smartcar delivers webhooks with POST.`);
  }
}

/**
 * Our side failed; the caller should retry. Answered with a 5xx and a `publicMessage`; the message
 * itself, with its remedy, goes only to our logs.
 */
export abstract class ReceiverFailure extends HttpError {}

/** The token secret is missing, empty or still holds the deploy-time placeholder. */
export class TokenNotConfiguredError extends ReceiverFailure {
  override readonly name = 'TokenNotConfiguredError';
  readonly statusCode = 500;
  readonly code = ERROR_CODES.tokenNotConfigured;
  readonly publicMessage = 'The receiver has no Application Management Token configured yet.';
  constructor(
    readonly secretId: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `The Application Management Token secret ${secretId} ${reason}. Store the token from the Smartcar ` +
        `Dashboard with: aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string '<token>'`,
      options,
    );
  }
}

/** Secrets Manager could not be read for another reason (permissions, network, throttling). */
export class TokenUnavailableError extends ReceiverFailure {
  override readonly name = 'TokenUnavailableError';
  readonly statusCode = 503;
  readonly code = ERROR_CODES.tokenUnavailable;
  readonly publicMessage = 'The receiver could not read its signing key; retry later.';
}

/** SQS did not accept the message within the budget: the event is not persisted. */
export class EnqueueError extends ReceiverFailure {
  override readonly name = 'EnqueueError';
  readonly statusCode = 503;
  readonly code = ERROR_CODES.enqueueFailed;
  readonly publicMessage = 'The event could not be stored; retry later.';
}
