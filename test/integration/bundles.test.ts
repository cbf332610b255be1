import { readFileSync } from 'node:fs';
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
