import { app } from '../app';
import { createProcessorHandler } from './processor-handler';

/**
 * SQS event source entry point for the handlers in lambdas/app; failed records are reported
 * individually (ReportBatchItemFailures). A construct given another `appEntry` bundles a generated
 * entry just like this one, importing that module's `app` instead.
 */
export const handler = createProcessorHandler(app);
