import * as path from 'node:path';
import { type Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { SharedSettings } from './shared-settings';

/** The SDK's default credential chain, which the bundles alias to its environment link. */
const CREDENTIAL_CHAIN = '@aws-sdk/credential-provider-node';

/**
 * What esbuild rewrites in index.js and the deferred modules. `dynamic-import: false` turns
 * `import('node:http')` (the SDK's handler for plain-http endpoints, IMDS) into a `require`: a first
 * `import()` starts Node's ES module loader and, through the module's namespace, loads undici, ~30 ms
 * of a local run's first request (deployed endpoints are https and never take that path). The
 * alias: see {@link DEFERRED_MODULES}.
 */
export const ESBUILD_REWRITES = {
  supported: { 'dynamic-import': false },
  alias: {
    [CREDENTIAL_CHAIN]: path.join(__dirname, '..', '..', 'lambdas', 'runtime', 'env-first-credentials.ts'),
  },
} as const;

/** {@link ESBUILD_REWRITES} as esbuild's command-line flags. */
const ESBUILD_ARGS: Record<string, string> = {
  ...Object.fromEntries(
    Object.entries(ESBUILD_REWRITES.supported).map(([feature, on]) => [`--supported:${feature}`, String(on)]),
  ),
  ...Object.fromEntries(
    Object.entries(ESBUILD_REWRITES.alias).map(([pkg, file]) => [`--alias:${pkg}`, file]),
  ),
};

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
  /**
   * Packages the function requires only on a rare path, in addition to `DEFERRED_MODULES.all`:
   * see {@link bundlingOptions}.
   * @default - only `DEFERRED_MODULES.all`
   */
  readonly deferredModules?: readonly string[];
}

/**
 * Packages each function requires only on a rare path, kept out of its index.js (see
 * {@link bundlingOptions}). `all`: the Powertools tracer, with the X-Ray SDK ~120 KB, is required
 * only when tracing is on (lambdas/runtime/tracing.ts), which it is not by default; the SDK's
 * default credential chain, which index.js replaces with its environment link
 * (lambdas/runtime/env-first-credentials.ts) and requires only where no environment credentials
 * are set, which in Lambda is never. `receiver`: the S3 client, needed on the first refusal the
 * quarantine keeps. `processor`: the SQS client, needed on the first unprocessable record. The
 * processor keeps its S3 client in index.js: with the archive on, as deployed by default, every
 * cold start needs it, and a deferred copy would bring a second SDK core.
 */
export const DEFERRED_MODULES = {
  all: ['@aws-lambda-powertools/tracer', CREDENTIAL_CHAIN],
  receiver: ['@aws-sdk/client-s3'],
  processor: ['@aws-sdk/client-sqs'],
} as const;

/**
 * esbuild settings for both functions. `externalModules: []` bundles AWS SDK v3 as well, so the
 * SDK version the tests ran against is the one that ships, not whatever the runtime provides.
 * The source map ships beside the bundle; the injected module maps stack traces with it when one
 * is formatted, instead of `NODE_OPTIONS=--enable-source-maps` parsing it at every cold start.
 * `esbuildArgs`: see {@link ESBUILD_REWRITES}.
 */
export const BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  format: nodejs.OutputFormat.CJS,
  mainFields: ['module', 'main'],
  externalModules: [],
  inject: [path.join(__dirname, '..', '..', 'lambdas', 'runtime', 'install-source-mapped-stacks.ts')],
  esbuildArgs: ESBUILD_ARGS,
};

/**
 * {@link BUNDLING} with `deferred` left out of index.js and bundled each on its own, with the same
 * esbuild, as `node_modules/<package>/index.js` beside it, where the function's `require` finds it
 * at runtime. A required module's code inside index.js would still be read and parsed at every
 * cold start (the receiver's lazily required S3 client cost ~40 ms of it); out of it, it costs
 * nothing until the first `require`, which then loads a copy of the SDK core of its own.
 */
export function bundlingOptions(deferred: readonly string[]): nodejs.BundlingOptions {
  const esbuild = path.join(path.dirname(require.resolve('esbuild/package.json')), 'bin', 'esbuild');
  return {
    ...BUNDLING,
    externalModules: [...deferred],
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      // Run from the project root, so each package resolves as it did for index.js.
      afterBundling: (_inputDir, outputDir) =>
        deferred.map((pkg) =>
          [
            `"${esbuild}" ${pkg} --bundle --platform=node --format=cjs --target=${BUNDLING.target}`,
            `--main-fields=${BUNDLING.mainFields?.join(',')} --minify --log-level=warning`,
            // The chain itself is bundled whole: aliased, it would require itself.
            ...Object.entries(ESBUILD_ARGS)
              .filter(([flag]) => pkg !== CREDENTIAL_CHAIN || !flag.startsWith('--alias:'))
              .map(([flag, value]) => `${flag}="${value}"`),
            `--outfile="${path.join(outputDir, 'node_modules', pkg, 'index.js')}"`,
          ].join(' '),
        ),
    },
  };
}

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
    ...logLevelFiltering(settings.debugLogSampleRate),
    tracing: settings.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
    bundling: bundlingOptions([...DEFERRED_MODULES.all, ...(options.deferredModules ?? [])]),
    environment: options.environment,
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
      reason: 'X-Ray tracing is off (the tracing prop, off by default for its cost).',
    });
  }
  return fn;
}

/**
 * Lambda's log-level filter. Its START, END and REPORT lines (~350 B per invocation, more than a
 * receiver's own line) say nothing the Duration, Errors and Throttles metrics do not, so only
 * platform warnings and errors are kept; the functions' own JSON lines pass at INFO (an EMF line,
 * having no `level`, counts as INFO). The filter needs Lambda's JSON log format, and it would drop
 * the DEBUG lines of invocations Powertools samples, so with debug sampling on nothing is filtered.
 */
function logLevelFiltering(
  debugLogSampleRate: number,
): Pick<nodejs.NodejsFunctionProps, 'loggingFormat' | 'systemLogLevelV2' | 'applicationLogLevelV2'> {
  if (debugLogSampleRate > 0) return { loggingFormat: lambda.LoggingFormat.TEXT };
  return {
    loggingFormat: lambda.LoggingFormat.JSON,
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
    applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
  };
}
