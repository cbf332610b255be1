import { SmartcarWebhooksError } from '../runtime/errors';

/**
 * Errors of the latest-state store. Both are programming or data errors that a retry cannot fix;
 * DynamoDB's own errors (throttling, permissions, a missing table) are rethrown untouched, so the
 * SQS record fails and is retried. A write that lost to newer data is no error at all: it comes
 * back as `{ written: false, reason: 'stale' }`.
 */

/** Base class of every error the latest-state store raises itself. */
export abstract class LatestStateError extends SmartcarWebhooksError {}

/** A report handed to `recordSignals` cannot be stored as it is; nothing of the call was written. */
export class InvalidSignalReportError extends LatestStateError {
  override readonly name = 'InvalidSignalReportError';
  constructor(
    /** Path of the offending field, e.g. `signals[3].observedAt`. */
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}.`);
  }
}

/** An item in the latest-state table does not have the shape this module writes. */
export class CorruptStateItemError extends LatestStateError {
  override readonly name = 'CorruptStateItemError';
  constructor(
    readonly vehicleId: string,
    readonly signalCode: string,
    /** The attribute that is missing or has the wrong type. */
    readonly field: string,
  ) {
    super(
      `The latest-state item (${vehicleId}, ${signalCode}) has no valid '${field}'. Only the latest-state ` +
        'store should write this table: delete the item and let the next delivery of the signal recreate it.',
    );
  }
}
