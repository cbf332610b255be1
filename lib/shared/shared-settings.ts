import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';

/** Settings every subsystem applies to what it creates, from the construct's props. */
export interface SharedSettings {
  /** What happens to the tables and the log groups when they leave the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** How long the log groups keep events. */
  readonly logRetention: logs.RetentionDays;
  /** X-Ray active tracing on the functions. */
  readonly tracing: boolean;
  /** Share of invocations (0 to 1) that log at DEBUG level. */
  readonly debugLogSampleRate: number;
}
