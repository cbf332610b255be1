import { SmartcarWebhooksError } from '../runtime/errors';

/**
 * Throw it from a handler when retrying can never succeed (an event about a vehicle your system
 * does not know, say): the event is parked in the dead-letter queue at once, as `HANDLER_REFUSED`
 * with your message as its detail, instead of failing its attempts first. After you fix the
 * cause, a redrive processes it.
 */
export class UnprocessableEventError extends SmartcarWebhooksError {
  override readonly name = 'UnprocessableEventError';
}

export { SmartcarEventError, SmartcarEventValidationError } from './events/errors';
