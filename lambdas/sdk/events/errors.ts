import { SmartcarWebhooksError } from '../../runtime/errors';
import { UNPROCESSABLE_REASONS } from '../../contract';
import type { ParseFailureReason } from './classify-envelope';
import type { EventIssue } from './issues';

/** How many issues an error message lists before it summarizes the rest. */
const LISTED_ISSUES = 10;

/** The README section that lists what is accepted and what is parked, and why. */
const SHAPES_SECTION = 'README.md, "What your handlers get, and what is parked"';

/** What to do about each reason, for the message. */
const ADVICE: Record<ParseFailureReason, string> = {
  [UNPROCESSABLE_REASONS.notASmartcarEvent]:
    'Expected a JSON object with an eventType (or the legacy eventName): is this a Smartcar delivery?',
  [UNPROCESSABLE_REASONS.unknownEnvelopeVersion]: `Smartcar sent an envelope version this code does not know: extend lambdas/sdk/events (see ${SHAPES_SECTION}), deploy, then redrive.`,
  [UNPROCESSABLE_REASONS.unknownEventType]: `Smartcar sent an event type this code does not know: extend lambdas/sdk/events (see ${SHAPES_SECTION}), deploy, then redrive.`,
  [UNPROCESSABLE_REASONS.schemaInvalid]: `If Smartcar really sends this shape, compare it with ${SHAPES_SECTION} and extend lambdas/sdk/events.`,
};

/** Base of the errors raised while reading Smartcar events. */
export abstract class SmartcarEventError extends SmartcarWebhooksError {}

/**
 * A document that is not a Smartcar event this project understands. Retrying will not change it.
 * The message and `issues` name fields and expectations only, never values (VINs, locations).
 */
export class SmartcarEventValidationError extends SmartcarEventError {
  override readonly name = 'SmartcarEventValidationError';

  /**
   * @param issues the failing fields
   * @param reason why the event cannot be processed (the DLQ's `unprocessableReason`)
   */
  constructor(
    readonly issues: readonly EventIssue[],
    readonly reason: ParseFailureReason = UNPROCESSABLE_REASONS.schemaInvalid,
  ) {
    const listed = issues.slice(0, LISTED_ISSUES).map((issue) => `${issue.path}: ${issue.message}`);
    const more = issues.length > LISTED_ISSUES ? [`and ${issues.length - LISTED_ISSUES} more`] : [];
    super(
      `The Smartcar event cannot be processed (${reason}: ${[...listed, ...more].join('; ')}). ` +
        `Values are left out because they may hold VINs or locations. ${ADVICE[reason]}`,
    );
  }
}
