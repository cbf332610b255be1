import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { publishLogRecord } from './observation';

/** Levels whose lines are rare and read one by one, so they carry the invocation's context. */
const INVESTIGATED_LEVELS: ReadonlySet<string> = new Set(['WARN', 'ERROR', 'CRITICAL']);

/**
 * Powertools' line without what CloudWatch already stores per log event or per log group: the
 * time (`@timestamp`), the function's name, ARN and memory size (the log group), and the sampling
 * rate. CloudWatch Logs bills every byte ingested, and an INFO line is written per event. WARN and
 * ERROR lines keep the request id, the X-Ray trace id and `cold_start`, which tie a failure to its
 * invocation's trace, and their `timestamp`: Lambda's log-level filter (JSON log format, which the
 * construct sets) takes a line without a valid one for INFO whatever its `level`, so a filter set
 * above INFO would drop it.
 */
export class CompactLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      service: attributes.serviceName,
    };
    if (INVESTIGATED_LEVELS.has(attributes.logLevel)) {
      base.timestamp = this.formatTimestamp(attributes.timestamp);
      base.function_request_id = attributes.lambdaContext?.awsRequestId;
      base.cold_start = attributes.lambdaContext?.coldStart;
      base.xray_trace_id = attributes.xRayTraceId;
    }
    return new LogItem({ attributes: base }).addAttributes(additionalLogAttributes);
  }
}

/**
 * The structured logger both functions use. The service name comes from POWERTOOLS_SERVICE_NAME,
 * which the construct sets per function. Log event ids, never bodies, tokens, signatures, VINs or
 * locations. Each record is also published for observers (see ./observation.ts).
 */
export const logger = new Logger({
  logFormatter: new CompactLogFormatter(),
  jsonReplacerFn: publishLogRecord,
});
