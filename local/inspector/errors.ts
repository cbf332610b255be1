import { SmartcarWebhooksError } from '../../lambdas/runtime/errors';

/** Error codes the inspector answers with, in `{ "error": …, "message": … }`. */
export const INSPECTOR_ERRORS = {
  notFound: 'NOT_FOUND',
  methodNotAllowed: 'METHOD_NOT_ALLOWED',
  notLocalHost: 'NOT_A_LOCAL_HOST',
  crossSite: 'CROSS_SITE_REQUEST',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  tooLarge: 'REQUEST_TOO_LARGE',
  invalidRequest: 'INVALID_REQUEST',
  unknownEvent: 'UNKNOWN_EVENT',
  bodyNotKept: 'BODY_NOT_KEPT',
  actionFailed: 'ACTION_FAILED',
} as const;

/** One of {@link INSPECTOR_ERRORS}. */
export type InspectorErrorCode = (typeof INSPECTOR_ERRORS)[keyof typeof INSPECTOR_ERRORS];

/**
 * A request the inspector refuses: its status code, error code and a message that says what to
 * do. `inspectorRoutes` turns each into its JSON answer, in one place.
 */
export class InspectorRequestError extends SmartcarWebhooksError {
  override readonly name = 'InspectorRequestError';
  constructor(
    readonly statusCode: number,
    readonly code: InspectorErrorCode,
    message: string,
    /** Extra response headers, e.g. `allow` on a 405. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
