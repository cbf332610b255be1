import type { EventIssue } from './issues';

/** How many issues an error message lists before it summarizes the rest. */
const LISTED_ISSUES = 10;

/** Base of the errors raised while reading Smartcar events. */
export abstract class SmartcarEventError extends Error {}

/**
 * A document that is not a Smartcar event this project understands. Retrying will not change it.
 * The message and `issues` name fields and expectations only, never values (VINs, locations).
 */
export class SmartcarEventValidationError extends SmartcarEventError {
  override readonly name = 'SmartcarEventValidationError';

  constructor(readonly issues: readonly EventIssue[]) {
    const listed = issues.slice(0, LISTED_ISSUES).map((issue) => `${issue.path}: ${issue.message}`);
    const more = issues.length > LISTED_ISSUES ? [`and ${issues.length - LISTED_ISSUES} more`] : [];
    super(
      `The Smartcar event does not match the expected shape (${[...listed, ...more].join('; ')}). ` +
        'Values are left out because they may hold VINs or locations. If Smartcar really sends this ' +
        'shape, compare it with the protocol reference and extend lambdas/shared/events.',
    );
  }
}
