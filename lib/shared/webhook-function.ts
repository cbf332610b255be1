import { type Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { SharedSettings } from './shared-settings';

/** What differs between the two functions. */
export interface WebhookFunctionOptions {
  /** The TypeScript module that exports `handler`. */
  readonly entry: string;
  /** The function's description in the Lambda console. */
  readonly description: string;
  /** The function's timeout. */
  readonly timeout: Duration;
  /** Memory, in MB. */
  readonly memorySize: number;
  /** The function's whole environment, as its contract definition writes it. */
  readonly environment: Record<string, string>;
}

/**
 * esbuild settings for both functions. `externalModules: []` bundles AWS SDK v3 as well, so the
 * SDK version the tests ran against is the one that ships, not whatever the runtime provides.
 */
export const BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  format: nodejs.OutputFormat.CJS,
  mainFields: ['module', 'main'],
  externalModules: [],
};

/**
 * A function with its own role and log group, `id` and `${id}Role`/`${id}Logs` in `scope`. The role
 * gets no managed policy: AWSLambdaBasicExecutionRole allows writing to every log group in the
 * account (`Resource: *`).
 */
export function createWebhookFunction(
  scope: Construct,
  id: string,
  settings: SharedSettings,
  options: WebhookFunctionOptions,
): nodejs.NodejsFunction {
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of the Smartcar webhook ${id.toLowerCase()}`,
  });
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: settings.logRetention,
    removalPolicy: settings.removalPolicy,
  });
  logGroup.grantWrite(role);
  const fn = new nodejs.NodejsFunction(scope, id, {
    entry: options.entry,
    handler: 'handler',
    description: options.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: options.memorySize,
    timeout: options.timeout,
    role,
    logGroup,
    tracing: settings.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
    bundling: BUNDLING,
    environment: {
      ...options.environment,
      // CDK emits source maps but does not turn them on; without this, stack traces point into
      // minified code.
      NODE_OPTIONS: '--enable-source-maps',
    },
  });
  if (settings.tracing) {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only xray:PutTraceSegments and xray:PutTelemetryRecords, which CDK adds for active tracing: ' +
        'X-Ray has no resource to name (its actions support only "*").',
    });
  } else {
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaTracing',
      reason: 'X-Ray tracing was turned off with the tracing prop.',
    });
  }
  return fn;
}
