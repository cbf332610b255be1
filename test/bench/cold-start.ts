import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { App } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { buildSync } from 'esbuild';
import {
  IDEMPOTENCY_DEFAULTS,
  PROCESSOR_DEFAULTS,
  RECEIVER_DEFAULTS,
} from '../../lib/smartcar-webhooks-defaults';
import { METRICS, PROCESSOR_ENVIRONMENT, RECEIVER_ENVIRONMENT, SERVICE_NAMES } from '../../lambdas/contract';
import { SmartcarWebhooksStack } from '../../lib/smartcar-webhooks-stack';
import { BUNDLING, DEFERRED_MODULES, ESBUILD_REWRITES } from '../../lib/shared/webhook-function';
import { startLocalDynamoDb } from '../../local/dynamodb';
import { LOCAL_AWS } from '../../local/local-aws';
import { startSecretsManagerStub } from '../../local/secrets-manager-stub';
import { apiGatewayEvent, sqsRecord, TEST_TOKEN, vehicleStateOfSize, verifyEvent } from '../../local/kit';
import { median, msSince, progress, round } from './stats';

const ROOT = path.join(__dirname, '..', '..');
const MARKER = '__BENCH_RESULT__';

/**
 * What Lambda's runtime does on a cold start, timed from inside the process: Node is up
 * (`bootMs`, from process start), `require` the bundle (module evaluation), then call the handler
 * once per event in the events file (the first is the cold invocation, the rest are warm).
 */
const RUNNER = `
const bootMs = performance.now();
let logBytes = 0;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => { logBytes += Buffer.byteLength(chunk); return true; };
process.stderr.write = (chunk) => { logBytes += Buffer.byteLength(chunk); return true; };
const t0 = process.hrtime.bigint();
const { handler } = require(process.argv[2]);
const requireMs = Number(process.hrtime.bigint() - t0) / 1e6;
const events = JSON.parse(require('node:fs').readFileSync(process.argv[3], 'utf8'));
const context = { functionName: 'bench', awsRequestId: 'bench-request', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench', memoryLimitInMB: '512', getRemainingTimeInMillis: () => 30000 };
(async () => {
  const invokeMs = [];
  const logBytesPerInvoke = [];
  const results = [];
  for (const event of events) {
    const before = logBytes;
    const t = process.hrtime.bigint();
    results.push(await handler(event, context));
    invokeMs.push(Number(process.hrtime.bigint() - t) / 1e6);
    logBytesPerInvoke.push(logBytes - before);
  }
  write('\\n${MARKER}' + JSON.stringify({ bootMs, requireMs, invokeMs, logBytesPerInvoke, result: results[0] }) + '\\n');
})();
`;

/** One fresh process: times from inside (boot, require, invocations) and from outside (wall). */
interface ProcessTiming {
  bootMs: number;
  requireMs: number;
  invokeMs: number[];
  logBytesPerInvoke: number[];
  wallMs: number;
  result: unknown;
}

/** Median figures for one setup over several fresh processes. */
export interface ColdStartFigure {
  name: string;
  bundleBytes: number;
  /** Median, ms: Node start until the runner runs. */
  bootMs: number;
  /** Median, ms: `require` of the bundle (module evaluation at cold start). */
  requireMs: number;
  /** Median, ms: the first invocation. */
  firstInvokeMs: number;
  /** Median, ms: spawn to exit, as seen by the parent. */
  wallMs: number;
  runs: { requireMs: number; firstInvokeMs: number; wallMs: number }[];
}

/** Warm invocations in one process after its cold start. */
export interface WarmFigure {
  name: string;
  records: number;
  /** Median ms per invocation (batch). */
  invokeP50Ms: number;
  /** Slowest of the 40 warm invocations (too few for a p99). */
  invokeMaxMs: number;
  /** Log and EMF bytes written per invocation (median). */
  logBytesPerInvoke: number;
}

/** A variant of the receiver bundle built with other esbuild options, or one dependency alone. */
export interface BundleVariantFigure {
  name: string;
  bundleBytes: number;
  requireMs: number;
}

/** Everything the cold-start benchmark reports. */
export interface ColdStartResult {
  runs: number;
  coldStarts: ColdStartFigure[];
  warm: WarmFigure[];
  variants: BundleVariantFigure[];
  dependencies: BundleVariantFigure[];
  /** Largest idempotency item in the table after the runs, bytes (DynamoDB's size rules, roughly). */
  idempotencyItemBytes: number;
}

interface Setup {
  name: string;
  dir: string;
  file: string;
  env: Record<string, string>;
  events: () => unknown[];
}

/**
 * Synthesizes the stack in process (bundling with the local esbuild, as `cdk synth` does), copies
 * each function's asset to an empty folder and times fresh `node` processes against it, next to an
 * empty handler in the same setup. `runs` fresh processes per setup, interleaved, medians reported.
 */
export async function measureColdStart(runs: number): Promise<ColdStartResult> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'bench-cold-'));
  const secretId = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:smartcar-amt-AbCdEf';
  const secrets = await startSecretsManagerStub({ [secretId]: TEST_TOKEN });
  const dynamo = await startLocalDynamoDb();
  const tableName = 'bench-idempotency';
  await dynamo.createIdempotencyTable(tableName);
  try {
    progress('cold start: cdk synth with bundling');
    const assets = synthAssets(path.join(workDir, 'cdk.out'));
    // NODE_OPTIONS as the template sets it (since stack traces are mapped on demand, not at all).
    const deployed = (fn: SynthesizedFunction): Record<string, string> =>
      fn.nodeOptions === undefined ? {} : { NODE_OPTIONS: fn.nodeOptions };
    const receiverDir = copyAsset(assets.receiver.dir, path.join(workDir, 'receiver'));
    const processorDir = copyAsset(assets.processor.dir, path.join(workDir, 'processor'));
    const emptyDir = path.join(workDir, 'empty');
    cpSync(receiverDir, emptyDir, { recursive: true });
    writeFileSync(path.join(emptyDir, 'index.js'), 'exports.handler = async () => ({ statusCode: 200 });\n');
    rmSync(path.join(emptyDir, 'index.js.map'), { force: true });
    rmSync(path.join(emptyDir, 'node_modules'), { recursive: true, force: true });

    // Written as the construct writes them, with its defaults. The archive is left off: its PUT
    // would time a local S3 stand-in, not the function; the S3 client's require is timed below.
    const receiverEnv = RECEIVER_ENVIRONMENT.write({
      serviceName: SERVICE_NAMES.receiver,
      metricsNamespace: METRICS.namespace,
      tokenSecretId: secretId,
      queueUrl: 'http://127.0.0.1:1/123456789012/webhooks',
      maxBodyBytes: RECEIVER_DEFAULTS.maxBodyBytes,
      replayToleranceSeconds: RECEIVER_DEFAULTS.replayToleranceSeconds,
      tokenRotationGraceSeconds: RECEIVER_DEFAULTS.tokenRotationGraceSeconds,
    });
    receiverEnv.AWS_ENDPOINT_URL_SECRETS_MANAGER = secrets.endpoint;
    const processorEnv = PROCESSOR_ENVIRONMENT.write({
      serviceName: SERVICE_NAMES.processor,
      metricsNamespace: METRICS.namespace,
      idempotencyTableName: tableName,
      idempotencyExpirySeconds: IDEMPOTENCY_DEFAULTS.expirySeconds,
    });
    processorEnv.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    const verify = () => [apiGatewayEvent({ body: JSON.stringify(verifyEvent()) })];
    const oneRecord = () => [{ Records: [sqsRecord(vehicleStateOfSize(1_000))] }];
    // How the functions ran before stack traces were mapped on demand: Node parsing the map at start.
    const withSourceMaps = { NODE_OPTIONS: '--enable-source-maps' };
    const setups: Setup[] = [
      {
        name: 'empty handler',
        dir: emptyDir,
        file: 'index.js',
        env: deployed(assets.receiver),
        events: verify,
      },
      {
        name: 'receiver (VERIFY)',
        dir: receiverDir,
        file: 'index.js',
        env: { ...receiverEnv, ...deployed(assets.receiver) },
        events: verify,
      },
      {
        name: 'receiver (VERIFY), with --enable-source-maps',
        dir: receiverDir,
        file: 'index.js',
        env: { ...receiverEnv, ...withSourceMaps },
        events: verify,
      },
      {
        name: 'processor (1 record, dynalite)',
        dir: processorDir,
        file: 'index.js',
        env: { ...processorEnv, ...deployed(assets.processor) },
        events: oneRecord,
      },
      {
        name: 'processor (1 record), with --enable-source-maps',
        dir: processorDir,
        file: 'index.js',
        env: { ...processorEnv, ...withSourceMaps },
        events: oneRecord,
      },
    ];
    const timings = new Map<string, ProcessTiming[]>(setups.map((s) => [s.name, []]));
    for (let run = 0; run < runs; run++) {
      progress(`cold start: round ${run + 1}/${runs}`);
      for (const setup of setups) {
        const timing = await runFresh(setup.dir, setup.file, setup.events(), setup.env);
        checkResult(setup.name, timing.result);
        timings.get(setup.name)?.push(timing);
      }
    }
    const coldStarts = setups.map((setup) => coldFigure(setup, timings.get(setup.name) ?? []));

    progress('cold start: warm invocations of the processor');
    const warm: WarmFigure[] = [];
    for (const records of [1, PROCESSOR_DEFAULTS.batchSize]) {
      const batches = Array.from({ length: 41 }, () => ({
        Records: Array.from({ length: records }, () => sqsRecord(vehicleStateOfSize(1_000))),
      }));
      const timing = await runFresh(processorDir, 'index.js', batches, processorEnv);
      const warmMs = timing.invokeMs.slice(1);
      warm.push({
        name: `processor, warm, batch of ${records}`,
        records,
        invokeP50Ms: round(median(warmMs), 2),
        invokeMaxMs: round(Math.max(...warmMs), 2),
        logBytesPerInvoke: median(timing.logBytesPerInvoke.slice(1)),
      });
    }

    progress('cold start: bundling variants and single dependencies');
    const variants = await measureVariants(workDir, runs, receiverEnv);
    const dependencies = await measureDependencies(workDir, runs);
    return {
      runs,
      coldStarts,
      warm,
      variants,
      dependencies,
      idempotencyItemBytes: await largestItemBytes(dynamo.client, tableName),
    };
  } finally {
    await secrets.close();
    await dynamo.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function coldFigure(setup: Setup, timings: ProcessTiming[]): ColdStartFigure {
  const bundleBytes = statSync(path.join(setup.dir, setup.file)).size;
  const first = (t: ProcessTiming) => t.invokeMs[0] ?? Number.NaN;
  return {
    name: setup.name,
    bundleBytes,
    bootMs: round(median(timings.map((t) => t.bootMs)), 1),
    requireMs: round(median(timings.map((t) => t.requireMs)), 1),
    firstInvokeMs: round(median(timings.map(first)), 1),
    wallMs: round(median(timings.map((t) => t.wallMs)), 1),
    runs: timings.map((t) => ({
      requireMs: round(t.requireMs, 1),
      firstInvokeMs: round(first(t), 1),
      wallMs: round(t.wallMs, 1),
    })),
  };
}

function checkResult(name: string, result: unknown): void {
  const value = result as { statusCode?: number; batchItemFailures?: unknown[] } | undefined;
  const ok =
    value?.statusCode === 200 ||
    (Array.isArray(value?.batchItemFailures) && value.batchItemFailures.length === 0);
  if (!ok) throw new Error(`${name} did not succeed: ${JSON.stringify(result)}`);
}

/** A function's code asset folder and the NODE_OPTIONS its template sets, if any. */
interface SynthesizedFunction {
  dir: string;
  nodeOptions?: string;
}

/** The code asset folders of both functions, from an in-process synth. */
function synthAssets(outdir: string): { receiver: SynthesizedFunction; processor: SynthesizedFunction } {
  const cdkContext = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;
  const app = new App({ outdir, context: cdkContext });
  const stack = new SmartcarWebhooksStack(app, 'BenchColdStart');
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<
      string,
      { Properties: { Code?: { S3Key?: string }; Environment?: { Variables?: Record<string, unknown> } } }
    >;
  };
  const assetOf = (fn: NodejsFunction): SynthesizedFunction => {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as never);
    const properties = template.Resources[logicalId]?.Properties;
    const s3Key = properties?.Code?.S3Key;
    if (s3Key === undefined) throw new Error(`no code asset for ${logicalId}`);
    const nodeOptions = properties?.Environment?.Variables?.NODE_OPTIONS;
    return {
      dir: path.join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`),
      ...(typeof nodeOptions === 'string' ? { nodeOptions } : {}),
    };
  };
  return {
    receiver: assetOf(stack.webhooks.ingest.receiver),
    processor: assetOf(stack.webhooks.processing.processor),
  };
}

/** Copies an asset to a folder without node_modules anywhere above it, with the runner. */
function copyAsset(asset: string, dir: string): string {
  cpSync(asset, dir, { recursive: true });
  writeFileSync(path.join(dir, 'runner.js'), RUNNER);
  return dir;
}

/** Spawns `node runner.js ./<file> events.json` in `dir` with only what Lambda would provide. */
async function runFresh(
  dir: string,
  file: string,
  events: unknown[],
  env: Record<string, string>,
): Promise<ProcessTiming> {
  const eventsFile = path.join(dir, `events-${randomUUID()}.json`);
  writeFileSync(eventsFile, JSON.stringify(events));
  try {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ['runner.js', `./${file}`, eventsFile], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: LOCAL_AWS.region,
        AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const wallMs = msSince(start);
    const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
    if (code !== 0 || line === undefined) {
      throw new Error(`${dir}/${file} exited with ${code} and no result:\n${stdout}\n${stderr}`);
    }
    return { ...(JSON.parse(line.slice(MARKER.length)) as Omit<ProcessTiming, 'wallMs'>), wallMs };
  } finally {
    rmSync(eventsFile, { force: true });
  }
}

/**
 * The shipped esbuild options (lib/shared/webhook-function.ts BUNDLING, with its injected stack
 * mapper), with `overrides`; `external`: the deferred modules of the function it stands for.
 */
function bundle(
  outfile: string,
  input: { entry: string } | { contents: string },
  overrides: { minify?: boolean; mainFields?: string[]; external?: readonly string[] } = {},
): number {
  buildSync({
    ...('entry' in input
      ? { entryPoints: [input.entry] }
      : { stdin: { contents: input.contents, resolveDir: ROOT, loader: 'ts' } }),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: overrides.minify ?? true,
    mainFields: overrides.mainFields ?? BUNDLING.mainFields,
    inject: BUNDLING.inject,
    supported: ESBUILD_REWRITES.supported,
    alias: ESBUILD_REWRITES.alias,
    external: [...(overrides.external ?? [])],
    outfile,
    logLevel: 'silent',
  });
  return statSync(outfile).size;
}

/** Median `require` time of `file` over `runs` fresh processes, with no invocation. */
async function requireTime(dir: string, file: string, runs: number, env: Record<string, string>) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await runFresh(dir, file, [], env)).requireMs);
  return round(median(times), 1);
}

/** The receiver entry bundled three ways: as shipped, not minified, and with CommonJS entry points. */
async function measureVariants(workDir: string, runs: number, env: Record<string, string>) {
  const dir = path.join(workDir, 'variants');
  copyAsset(path.join(workDir, 'empty'), dir);
  const entry = path.join(ROOT, 'lambdas', 'receiver', 'index.ts');
  const external = [...DEFERRED_MODULES.all, ...DEFERRED_MODULES.receiver];
  const variants: {
    name: string;
    file: string;
    options: { minify?: boolean; mainFields?: string[]; external?: readonly string[] };
  }[] = [
    {
      name: 'receiver as shipped (minify, mainFields module,main, S3 and tracer deferred)',
      file: 'shipped.js',
      options: { external },
    },
    { name: 'receiver without minify', file: 'unminified.js', options: { minify: false, external } },
    {
      name: 'receiver with mainFields main (CommonJS builds, no tree-shaking)',
      file: 'cjs-main.js',
      options: { mainFields: ['main'], external },
    },
    {
      name: 'receiver with S3 and the tracer in index.js (required lazily, bundled)',
      file: 'nothing-deferred.js',
      options: {},
    },
  ];
  const figures: BundleVariantFigure[] = [];
  for (const variant of variants) {
    const bundleBytes = bundle(path.join(dir, variant.file), { entry }, variant.options);
    figures.push({
      name: variant.name,
      bundleBytes,
      requireMs: await requireTime(dir, variant.file, runs, env),
    });
  }
  return figures;
}

/** Each heavy dependency alone, bundled like the functions: where the require time goes. */
async function measureDependencies(workDir: string, runs: number) {
  const dir = path.join(workDir, 'dependencies');
  copyAsset(path.join(workDir, 'empty'), dir);
  const imports: Record<string, string> = {
    '@aws-sdk/client-sqs (SQSClient)': `import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs'; export const handler = [SQSClient, SendMessageCommand];`,
    '@aws-sdk/client-secrets-manager': `import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager'; export const handler = [SecretsManagerClient, GetSecretValueCommand];`,
    '@aws-sdk/client-dynamodb': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; export const handler = [DynamoDBClient];`,
    'zod (the event schemas)': `export { parseSmartcarEvent as handler } from './lambdas/sdk/events/parse-event';`,
    '@aws-lambda-powertools/logger + metrics': `import { Logger } from '@aws-lambda-powertools/logger'; import { Metrics } from '@aws-lambda-powertools/metrics'; export const handler = [Logger, Metrics];`,
    '@aws-sdk/client-s3 (the archive)': `import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3'; export const handler = [S3Client, PutObjectCommand];`,
    '@aws-lambda-powertools/tracer (tracing on only)': `import { Tracer } from '@aws-lambda-powertools/tracer'; export const handler = [Tracer];`,
    '@aws-lambda-powertools/idempotency (DynamoDB layer)': `import { makeIdempotent } from '@aws-lambda-powertools/idempotency'; import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'; export const handler = [makeIdempotent, DynamoDBPersistenceLayer];`,
  };
  const figures: BundleVariantFigure[] = [];
  let index = 0;
  for (const [name, contents] of Object.entries(imports)) {
    const file = `dependency-${index++}.js`;
    const bundleBytes = bundle(path.join(dir, file), { contents });
    figures.push({ name, bundleBytes, requireMs: await requireTime(dir, file, runs, {}) });
  }
  return figures;
}

/** Approximates DynamoDB's item size: attribute names plus values (strings in UTF-8 bytes, numbers as digits). */
async function largestItemBytes(
  client: import('@aws-sdk/client-dynamodb').DynamoDBClient,
  tableName: string,
) {
  const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName }));
  let largest = 0;
  for (const item of Items) {
    let size = 0;
    for (const [name, value] of Object.entries(item)) {
      const raw = value.S ?? value.N ?? JSON.stringify(value);
      size += Buffer.byteLength(name) + Buffer.byteLength(raw);
    }
    largest = Math.max(largest, size);
  }
  return largest;
}
