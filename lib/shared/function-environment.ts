import { Token } from 'aws-cdk-lib';
import { METRICS } from '../../lambdas/contract';

/**
 * What Powertools reads in both functions, in the shape of their contract definitions. With
 * tracing on, the functions also record their AWS SDK calls as X-Ray subsegments.
 */
export function powertoolsConfig(
  serviceName: string,
  shared: { debugLogSampleRate: number; tracing: boolean },
) {
  return {
    serviceName,
    metricsNamespace: METRICS.namespace,
    logLevel: 'INFO',
    logSampleRate: shared.debugLogSampleRate,
    traceEnabled: shared.tracing,
  };
}

/**
 * The `text` that `RECEIVER_ENVIRONMENT.write` and `PROCESSOR_ENVIRONMENT.write` get from the
 * construct. Strings pass through, so a queue URL or a secret ARN stays the token CloudFormation
 * resolves; a literal number becomes its decimal text; a number token (a CfnParameter) becomes a
 * string token. `Token.asString` alone would turn `5` into a token that renders as the JSON number 5.
 */
export function environmentText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && !Token.isUnresolved(value)) return String(value);
  return Token.asString(value);
}
