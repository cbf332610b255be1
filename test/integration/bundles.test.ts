import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { ENV_VARS } from '../../lib/smartcar-webhooks-defaults';
import { SmartcarWebhooksStack } from '../../lib/smartcar-webhooks-stack';
import { type SecretsManagerStub, startSecretsManagerStub } from '../../local/secrets-manager-stub';
import {
  apiGatewayEvent,
  sign,
  signedRequest,
  sqsRecord,
  TEST_TOKEN,
  vehicleStateEvent,
  verifyEvent,
} from '../support/builders';
import { FAKE_AWS, type LocalDynamoDb, startDynalite } from './support/dynalite';

const run = promisify(execFile);

// Safety nets for a loaded 2-core machine, where bundling both functions with esbuild and starting
// a Node process per invocation take many times as long as idle.
const INVOCATION_DEADLINE_MS = 60_000;
jest.setTimeout(2 * INVOCATION_DEADLINE_MS);
const RESULT_MARKER = '__HANDLER_RESULT__';

/**
 * Invokes a bundle in a fresh Node process, the way Lambda's runtime does: require the file, call
 * `handler(event, context)`. Its folder has no node_modules, so everything it needs must be inside.
 */
const RUNNER = `
const { handler } = require(process.argv[2]);
const event = JSON.parse(process.argv[3]);
const context = { functionName: 'bundle-test', awsRequestId: 'bundle-test-request', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bundle-test', memoryLimitInMB: '512', getRemainingTimeInMillis: () => 30000 };
Promise.resolve(handler(event, context)).then((result) => {
  process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify(result) + '\\n');
});
`;

interface Bundle {
  dir: string;
  invoke(
    event: unknown,
    env: Record<string, string>,
  ): Promise<{ result: Record<string, unknown>; output: string }>;
}

/** Runs `cdk synth` in process, bundling with the local esbuild, and copies each bundle to an empty folder. */
function synthBundles(): { receiver: Bundle; processor: Bundle; cleanup(): void } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-out-'));
  const cdkContext = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;
  const app = new App({ outdir, context: cdkContext });
  const stack = new SmartcarWebhooksStack(app, 'BundleTest');
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<string, { Properties: { Code?: { S3Key?: string } } }>;
  };
  const copies: string[] = [outdir];

  const bundleOf = (fn: NodejsFunction): Bundle => {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as never);
    const s3Key = template.Resources[logicalId]?.Properties.Code?.S3Key;
    if (s3Key === undefined) throw new Error(`no code asset for ${logicalId}`);
    const dir = mkdtempSync(path.join(tmpdir(), 'bundle-'));
    copies.push(dir);
    cpSync(path.join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`), dir, { recursive: true });
    writeFileSync(path.join(dir, 'runner.js'), RUNNER);
    return {
      dir,
      async invoke(event, env) {
        const { stdout } = await run(process.execPath, ['runner.js', './index.js', JSON.stringify(event)], {
          cwd: dir,
          // Only what Lambda would provide: no NODE_PATH, no inherited AWS settings.
          env: {
            PATH: process.env.PATH ?? '',
            AWS_REGION: FAKE_AWS.region,
            AWS_ACCESS_KEY_ID: FAKE_AWS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: FAKE_AWS.secretAccessKey,
            NODE_OPTIONS: '--enable-source-maps',
            ...env,
          },
          timeout: INVOCATION_DEADLINE_MS,
        });
        const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
        if (line === undefined) throw new Error(`the bundle printed no result:\n${stdout}`);
        return { result: JSON.parse(line.slice(RESULT_MARKER.length)), output: stdout };
      },
    };
  };

  return {
    receiver: bundleOf(stack.webhooks.receiver),
    processor: bundleOf(stack.webhooks.processor),
    cleanup: () => {
      for (const dir of copies) rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('bundles produced by cdk synth', () => {
  let bundles: ReturnType<typeof synthBundles>;
  let secrets: SecretsManagerStub;
  let dynamo: LocalDynamoDb;
  const secretId = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:smartcar-amt-AbCdEf';

  beforeAll(async () => {
    bundles = synthBundles();
    secrets = await startSecretsManagerStub({ [secretId]: TEST_TOKEN });
    dynamo = await startDynalite();
  });

  afterAll(async () => {
    bundles?.cleanup();
    await secrets?.close();
    await dynamo?.stop();
  });

  const receiverEnv = () => ({
    [ENV_VARS.tokenSecretId]: secretId,
    // Port 1 on loopback refuses connections: SQS is "down" for these tests.
    [ENV_VARS.queueUrl]: 'http://127.0.0.1:1/123456789012/webhooks',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
  });

  it('are self-contained: the receiver bundle answers VERIFY from a folder without node_modules', async () => {
    const { result } = await bundles.receiver.invoke(
      apiGatewayEvent({ body: JSON.stringify(verifyEvent('bundle-challenge')) }),
      receiverEnv(),
    );

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(String(result.body))).toEqual({ challenge: sign('bundle-challenge') });
  });

  it('the receiver bundle refuses a forged delivery with 401', async () => {
    const { result } = await bundles.receiver.invoke(
      signedRequest(vehicleStateEvent(), { token: 'forged' }),
      receiverEnv(),
    );

    expect(result.statusCode).toBe(401);
  });

  it('the receiver bundle answers 503 when SQS cannot be reached', async () => {
    const { result } = await bundles.receiver.invoke(signedRequest(vehicleStateEvent()), receiverEnv());

    expect(result.statusCode).toBe(503);
  });

  it('the processor bundle processes a record once and skips its redelivery, against DynamoDB', async () => {
    const tableName = 'bundle-idempotency';
    await dynamo.createIdempotencyTable(tableName);
    const env = { [ENV_VARS.idempotencyTableName]: tableName, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint };
    const body = JSON.stringify(vehicleStateEvent());
    const batch = { Records: [sqsRecord(body)] };

    const first = await bundles.processor.invoke(batch, env);
    const second = await bundles.processor.invoke(batch, env);

    expect(first.result).toEqual({ batchItemFailures: [] });
    expect(first.output).toContain('Event processed');
    expect(second.result).toEqual({ batchItemFailures: [] });
    expect(second.output).toContain('Duplicate event skipped');
    expect(await dynamo.scan(tableName)).toEqual([expect.objectContaining({ status: 'COMPLETED' })]);
  });

  it('the processor bundle reports a poison message as a failed record', async () => {
    const record = sqsRecord('not json');
    const { result } = await bundles.processor.invoke(
      { Records: [record] },
      { [ENV_VARS.idempotencyTableName]: 'unused', AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint },
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });
});
