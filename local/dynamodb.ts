import { IDEMPOTENCY_TABLE } from '../lambdas/contract';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_AWS } from './local-aws';
import { startSwitchableProxy, type SwitchableProxy } from './switchable-proxy';

/** dynalite ships no types; it returns a plain Node HTTP server. */
type Dynalite = (options: {
  /** A LevelDB folder; without it everything is in memory. */
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

/** dynalite (an in-memory DynamoDB implementation) behind a switch that can take DynamoDB "down". */
export interface LocalDynamoDb {
  /** What AWS_ENDPOINT_URL_DYNAMODB must hold. */
  endpoint: string;
  proxy: SwitchableProxy;
  /** A client that bypasses the switch, for setup and inspection. */
  client: DynamoDBClient;
  /** Creates a table with the construct's idempotency key schema (kept if it exists already). */
  createIdempotencyTable(tableName: string): Promise<void>;
  /** Creates a table unless a kept one of that name exists. */
  createTable(input: ConstructorParameters<typeof CreateTableCommand>[0]): Promise<void>;
  stop(): Promise<void>;
}

/** Settings of {@link startLocalDynamoDb}. */
export interface LocalDynamoDbOptions {
  /** Keep the tables and their items in this folder (LevelDB), so a restart finds them. @default in memory */
  dataDir?: string;
}

/** Starts dynalite on loopback behind a switchable proxy. */
export async function startLocalDynamoDb(options: LocalDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- dynalite is CommonJS without types
  const dynalite: Dynalite = require('dynalite');
  // Tables become ACTIVE at once, so nothing waits on CREATING.
  const server = dynalite({ path: options.dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const direct = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const proxy = await startSwitchableProxy(direct);
  const client = new DynamoDBClient({
    region: LOCAL_AWS.region,
    endpoint: direct,
    credentials: LOCAL_AWS.credentials,
  });

  const createTable = async (input: ConstructorParameters<typeof CreateTableCommand>[0]) => {
    try {
      await client.send(new CreateTableCommand(input));
    } catch (error) {
      // Kept from an earlier run (dataDir): its items are what a restart is for.
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
    }
  };

  return {
    endpoint: proxy.endpoint,
    proxy,
    client,
    createTable,
    createIdempotencyTable: (tableName) =>
      createTable({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_TABLE.partitionKey, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE.partitionKey, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    async stop() {
      client.destroy();
      await proxy.close();
      // Handlers keep keep-alive sockets open; close() alone would wait for them.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
