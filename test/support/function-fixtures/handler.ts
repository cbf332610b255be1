import type { Context } from 'aws-lambda';
import { logger } from '../../../lambdas/runtime/logger';

/**
 * A Lambda handler for the worker host's tests: each action shows one thing about the environment
 * it runs in. Module state counts the invocations of this module graph, so two environments can
 * be told apart.
 */
let invocations = 0;

/** What a test asks the handler to do. */
export type FixtureEvent =
  | { action: 'describe' }
  | { action: 'log' }
  | { action: 'print'; text: string }
  | { action: 'throw' }
  | { action: 'exit'; code: number }
  | { action: 'sleep'; ms: number }
  | { action: 'spin' };

export const handler = async (event: FixtureEvent, context: Context) => {
  invocations++;
  switch (event.action) {
    case 'describe':
      return {
        invocations,
        variable: process.env.FIXTURE_VARIABLE,
        service: process.env.POWERTOOLS_SERVICE_NAME,
        requestId: context.awsRequestId,
        remainingMs: context.getRemainingTimeInMillis(),
      };
    case 'log':
      logger.info('Fixture event processed', { eventId: 'e-1' });
      logger.error('Fixture failed', { error: new TypeError('boom') });
      return { invocations };
    case 'print':
      process.stdout.write(event.text);
      return { invocations };
    case 'throw':
      throw new TypeError('handler refused');
    case 'sleep':
      await new Promise((resolve) => setTimeout(resolve, event.ms));
      return { invocations };
    case 'spin':
      // Never yields: only terminating the thread ends it.
      for (;;);
    case 'exit':
      process.exit(event.code);
  }
};
