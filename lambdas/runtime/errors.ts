/**
 * The root of every error this project raises itself, and the errors every function shares. Each
 * layer has one `errors.ts` whose classes extend this root: the receiver's HTTP errors
 * (lambdas/receiver/errors.ts), the event SDK's (lambdas/sdk/errors.ts), the latest-state store's
 * (lambdas/latest-state/errors.ts). Messages say what to do, keep `cause`, and never carry a
 * token, a signature or a body.
 */

/** Base of all of this project's errors: `instanceof SmartcarWebhooksError` tells ours from the SDK's. */
export abstract class SmartcarWebhooksError extends Error {
  abstract override readonly name: string;
}

/** A required setting is missing or invalid. Thrown at cold start, never per request: fail loudly. */
export class ConfigurationError extends SmartcarWebhooksError {
  override readonly name = 'ConfigurationError';
}
