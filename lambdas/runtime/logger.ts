import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The structured logger both functions use. The service name comes from POWERTOOLS_SERVICE_NAME,
 * which the construct sets per function. Log event ids, never bodies, tokens, signatures, VINs or
 * locations.
 */
export const logger = new Logger();
