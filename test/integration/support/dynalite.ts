import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { IDEMPOTENCY_DEFAULTS } from '../../../lib/smartcar-webhooks-defaults';

/** dynalite ships no types; it returns a plain Node HTTP server. */
type Dynalite = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;
const dynalite: Dynalite = require('dynalite');

/** Region and made-up credentials: dynalite accepts any signature, the SDK only needs one to sign. */
export const FAKE_AWS = {
  region: 'us-east-1',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
} as const;

/** A dynalite server on a random loopback port, with a client pointed at it. */
export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`: what AWS_ENDPOINT_URL_DYNAMODB must hold for the Lambda code. */
  endpoint: string;
  client: DynamoDBClient;
  /** Creates a table shaped like the construct's idempotency table (partition key only, on demand). */
  createIdempotencyTable(tableName: string): Promise<void>;
  /** Every item of a table, unmarshalled to plain values. */
  scan(tableName: string): Promise<Record<string, unknown>[]>;
  /** Closes the client and the server, open keep-alive connections included. */
  stop(): Promise<void>;
}

/** Starts an in-memory dynalite (a real DynamoDB implementation: conditional writes, consistent reads). */
export async function startDynalite(): Promise<LocalDynamoDb> {
  // Tables become ACTIVE at once, so no test waits on CREATING.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    region: FAKE_AWS.region,
    endpoint,
    credentials: { accessKeyId: FAKE_AWS.accessKeyId, secretAccessKey: FAKE_AWS.secretAccessKey },
  });
  const documents = DynamoDBDocumentClient.from(client);

  return {
    endpoint,
    client,
    async createIdempotencyTable(tableName) {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_DEFAULTS.partitionKey, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: IDEMPOTENCY_DEFAULTS.partitionKey, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    },
    async scan(tableName) {
      const { Items } = await documents.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
      return Items ?? [];
    },
    async stop() {
      client.destroy();
      // Lambda code loaded by the tests keeps its own keep-alive sockets open; close() alone would wait for them.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
