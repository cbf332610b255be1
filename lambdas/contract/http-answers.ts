/** Machine-readable codes in the receiver's error answers (`{ "error": CODE, "message": … }`). */
export const ERROR_CODES = {
  signatureMissing: 'SIGNATURE_MISSING',
  signatureMalformed: 'SIGNATURE_MALFORMED',
  signatureMismatch: 'SIGNATURE_MISMATCH',
  payloadTooLarge: 'PAYLOAD_TOO_LARGE',
  invalidPayload: 'INVALID_PAYLOAD',
  invalidChallenge: 'INVALID_CHALLENGE',
  outsideReplayWindow: 'OUTSIDE_REPLAY_WINDOW',
  methodNotAllowed: 'METHOD_NOT_ALLOWED',
  tokenNotConfigured: 'TOKEN_NOT_CONFIGURED',
  tokenUnavailable: 'TOKEN_UNAVAILABLE',
  enqueueFailed: 'ENQUEUE_FAILED',
  internal: 'INTERNAL_ERROR',
} as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** HTTP routes the API exposes; nothing else is routed. */
export const ROUTES = {
  /** Default callback path to paste (after the API URL) into the Smartcar Dashboard. */
  webhookPath: '/webhooks/smartcar',
  healthPath: '/health',
} as const;
