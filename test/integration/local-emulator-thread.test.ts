import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../local/dynamodb';
import { startEmulatorThread } from '../../local/emulator-thread';
import { LOCAL_AWS } from '../../local/local-aws';
import { startLocalSqs, type LocalSqs } from '../../local/sqs';

// Each emulator starts a thread that compiles its TypeScript with tsx: seconds on a loaded machine.
jest.setTimeout(120_000);

// No retries: a cut connection should fail the call, not be retried past the test.
const dynamodbAt = (endpoint: string) => new DynamoDBClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 });
const sqsAt = (endpoint: string) => new SQSClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 });

describe('emulator threads', () => {
  it('rejects with the serve function’s own message when the emulator cannot start', async () => {
    const started = startEmulatorThread({
      name: 'Test',
      module: path.join(__dirname, 'support', 'failing-emulator.ts'),
      exportName: 'serveNothing',
      args: { reason: 'the data folder is a file' },
    });

    await expect(started).rejects.toThrow('The Test emulator did not start: the data folder is a file');
  });

  it('rejects naming the export when the module has no such serve function', async () => {
    const started = startEmulatorThread({
      name: 'Test',
      module: path.join(__dirname, 'support', 'failing-emulator.ts'),
      exportName: 'serveMissing',
      args: {},
    });

    await expect(started).rejects.toThrow(/exports no serveMissing/);
  });
});

describe('local DynamoDB in its own thread', () => {
  let dynamodb: LocalDynamoDb | undefined;
  afterEach(async () => {
    await dynamodb?.stop();
    dynamodb = undefined;
  });

  it('refuses calls through its endpoint while switched off, and serves them again once on', async () => {
    dynamodb = await startLocalDynamoDb();
    const client = dynamodbAt(dynamodb.endpoint);

    await dynamodb.proxy.setAvailable(false);
    await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
    await expect(dynamodb.client.send(new ListTablesCommand({}))).resolves.toBeDefined();

    await dynamodb.proxy.setAvailable(true);
    await expect(client.send(new ListTablesCommand({}))).resolves.toBeDefined();
    client.destroy();
  });

  it('keeps its tables in the data folder across a restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dynamodb-thread-'));
    try {
      const first = await startLocalDynamoDb({ dataDir });
      await first.createIdempotencyTable('kept');
      await first.stop();

      dynamodb = await startLocalDynamoDb({ dataDir });
      const { TableNames } = await dynamodb.client.send(new ListTablesCommand({}));

      expect(TableNames).toEqual(['kept']);
    } finally {
      await dynamodb?.stop();
      dynamodb = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('local SQS in its own thread', () => {
  let sqs: LocalSqs | undefined;
  afterAll(async () => {
    await sqs?.stop();
  });

  it('switches its endpoint and the functions’ entrance off and on together', async () => {
    sqs = await startLocalSqs({ visibilityTimeoutSeconds: 1 });
    const viaEndpoint = sqsAt(sqs.endpoint);
    const viaEntrance = sqsAt(sqs.entrance.endpoint);
    const depth = (client: SQSClient, queueUrl: string) =>
      client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));

    await sqs.proxy.setAvailable(false);
    await expect(depth(viaEndpoint, sqs.queue.url)).rejects.toThrow();
    await expect(depth(viaEntrance, sqs.entrance.queueUrl)).rejects.toThrow();
    await expect(sqs.counts()).resolves.toEqual({ visible: 0, inFlight: 0, deadLetterVisible: 0 });

    await sqs.proxy.setAvailable(true);
    await expect(depth(viaEntrance, sqs.entrance.queueUrl)).resolves.toBeDefined();
    await expect(depth(viaEndpoint, sqs.queue.url)).resolves.toBeDefined();
    viaEndpoint.destroy();
    viaEntrance.destroy();
  });
});
