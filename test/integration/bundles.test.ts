import { existsSync, readFileSync } from 'node:fs';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DEFERRED_MODULES } from '../../lib/shared/webhook-function';
import { LOCAL_AWS } from '../../local/local-aws';
import { type LocalSqs, startLocalSqs } from '../../local/sqs';
import * as path from 'node:path';
import { ENV_VARS } from '../../lambdas/contract';
import { CUSTOM_APP_MARKER } from '../fixtures/custom-app';
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
import { INVOCATION_DEADLINE_MS, synthBundles } from './support/bundles';
import { type LocalDynamoDb, startDynalite } from './support/dynalite';

// Bundling both functions and a Node process per invocation: slow on a loaded 2-core machine.
jest.setTimeout(2 * INVOCATION_DEADLINE_MS);

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

  const receiverEnv = () =>
    bundles.environment('receiver', {
      [ENV_VARS.tokenSecretId]: secretId,
      // Port 1 on loopback refuses connections: SQS is "down" for these tests.
      [ENV_VARS.queueUrl]: 'http://127.0.0.1:1/123456789012/webhooks',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    });

  it.each(['receiver', 'processor'] as const)(
    'the %s bundle holds runtime code only: nothing from lib/, aws-cdk-lib or constructs',
    (fn) => {
      const { sources } = JSON.parse(readFileSync(path.join(bundles[fn].dir, 'index.js.map'), 'utf8')) as {
        sources: string[];
      };
      const ours = sources.filter((source) => !source.includes('node_modules/'));

      expect(ours.length).toBeGreaterThan(5);
      expect(ours.filter((source) => !/(^|\/)lambdas\//.test(source))).toEqual([]);
      expect(sources.filter((source) => /node_modules\/(aws-cdk-lib|constructs)\//.test(source))).toEqual([]);
    },
  );

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

  it('the receiver bundle names the TypeScript source in the stack of an error its handler throws', async () => {
    // No requestContext: toWebhookRequest fails before the receiver's own error handling.
    const failure = await bundles.receiver
      .invoke({}, receiverEnv())
      .catch((error: { stderr?: string }) => error);

    expect(String((failure as { stderr?: string }).stderr)).toMatch(
      /at toWebhookRequest \(\S*lambdas\/receiver\/receiver-dependencies\.ts:\d+:\d+\)/,
    );
  });

  it.each(['receiver', 'processor'] as const)(
    'the %s bundle leaves its deferred modules out of index.js and ships each beside it',
    (fn) => {
      const deferred = [...DEFERRED_MODULES.all, ...DEFERRED_MODULES[fn]];
      const { sources } = JSON.parse(readFileSync(path.join(bundles[fn].dir, 'index.js.map'), 'utf8')) as {
        sources: string[];
      };

      for (const pkg of deferred) {
        expect(sources.filter((source) => source.includes(`node_modules/${pkg}/`))).toEqual([]);
        expect(existsSync(path.join(bundles[fn].dir, 'node_modules', pkg, 'index.js'))).toBe(true);
      }
    },
  );

  it('the processor bundle processes a record once and skips its redelivery, against DynamoDB', async () => {
    const tableName = 'bundle-idempotency';
    await dynamo.createIdempotencyTable(tableName);
    const env = bundles.environment('processor', {
      [ENV_VARS.idempotencyTableName]: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    });
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
      bundles.environment('processor', {
        [ENV_VARS.idempotencyTableName]: 'unused',
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      }),
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });
});

describe('the receiver bundle with the quarantine on', () => {
  let bundles: ReturnType<typeof synthBundles>;
  let secrets: SecretsManagerStub;
  let sqs: LocalSqs;
  let s3: S3Client;
  const secretId = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:smartcar-amt-AbCdEf';
  const bucket = 'bundle-quarantine';

  beforeAll(async () => {
    bundles = synthBundles();
    secrets = await startSecretsManagerStub({ [secretId]: TEST_TOKEN });
    sqs = await startLocalSqs({ visibilityTimeoutSeconds: 1 });
    s3 = new S3Client({
      region: LOCAL_AWS.region,
      endpoint: sqs.directEndpoint,
      credentials: LOCAL_AWS.credentials,
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  afterAll(async () => {
    bundles?.cleanup();
    s3?.destroy();
    await secrets?.close();
    await sqs?.stop();
  });

  it('keeps a forged delivery with the S3 client it loads from beside index.js', async () => {
    const { result } = await bundles.receiver.invoke(
      signedRequest(vehicleStateEvent(), { token: 'forged' }),
      bundles.environment('receiver', {
        [ENV_VARS.tokenSecretId]: secretId,
        [ENV_VARS.queueUrl]: sqs.queue.url,
        [ENV_VARS.quarantineBucketName]: bucket,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        AWS_ENDPOINT_URL_S3: sqs.directEndpoint,
        AWS_REGION: LOCAL_AWS.region,
        AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
      }),
    );
    const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));

    expect(result.statusCode).toBe(401);
    expect(Contents).toHaveLength(1);
  });
});

describe('a processor bundle synthesized for a custom appEntry', () => {
  let bundles: ReturnType<typeof synthBundles>;
  let dynamo: LocalDynamoDb;

  beforeAll(async () => {
    bundles = synthBundles({
      webhooks: { appEntry: path.join(__dirname, '..', 'fixtures', 'custom-app.ts') },
    });
    dynamo = await startDynalite();
  });

  afterAll(async () => {
    bundles?.cleanup();
    await dynamo?.stop();
  });

  it("runs that module's handler, from a folder without node_modules", async () => {
    const tableName = 'custom-app-idempotency';
    await dynamo.createIdempotencyTable(tableName);
    const event = vehicleStateEvent();
    const env = bundles.environment('processor', {
      [ENV_VARS.idempotencyTableName]: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    });

    const { result, output } = await bundles.processor.invoke(
      { Records: [sqsRecord(JSON.stringify(event))] },
      env,
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(output).toContain(CUSTOM_APP_MARKER);
    expect(output).toContain(String((event.data as { vehicle: { id: string } }).vehicle.id));
  });

  it('holds that module and the runtime, and not the repository app', () => {
    const { sources } = JSON.parse(
      readFileSync(path.join(bundles.processor.dir, 'index.js.map'), 'utf8'),
    ) as {
      sources: string[];
    };
    const ours = sources.filter((source) => !source.includes('node_modules/'));

    expect(ours).toContainEqual(expect.stringMatching(/(^|\/)test\/fixtures\/custom-app\.ts$/));
    expect(ours.filter((source) => /(^|\/)lambdas\/app\//.test(source))).toEqual([]);
    expect(sources.filter((source) => /node_modules\/(aws-cdk-lib|constructs)\//.test(source))).toEqual([]);
  });
});
