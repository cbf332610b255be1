import { Logger } from '@aws-lambda-powertools/logger';
import { publishLogRecord } from './observation';

/**
 * The structured logger both functions use. The service name comes from POWERTOOLS_SERVICE_NAME,
 * which the construct sets per function. Log event ids, never bodies, tokens, signatures, VINs or
 * locations. Each record is also published for observers (see ./observation.ts).
 */
export const logger = new Logger({ jsonReplacerFn: publishLogRecord });
