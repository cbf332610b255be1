import { IDEMPOTENCY_TABLE } from '../lambdas/contract';
import * as path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynaliteArgs } from './dynalite-server';
import { startEmulatorThread } from './emulator-thread';
import { LOCAL_AWS } from './local-aws';
import type { SwitchableProxy } from './switchable-proxy';

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

/**
 * Starts dynalite on loopback, in a thread of its own (see `startEmulatorThread`), with a
 * switchable way in.
 */
export async function startLocalDynamoDb(options: LocalDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const server = await startEmulatorThread<DynaliteArgs>({
    name: 'DynamoDB',
    module: path.join(__dirname, 'dynalite-server.ts'),
    exportName: 'serveDynalite',
    args: { dataDir: options.dataDir },
    // The switch in the thread: a proxy here would add a hop to every DynamoDB call of every record.
    switchable: {},
  });
  const direct = server.endpoint;
  const proxy = server.switch as SwitchableProxy;
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
      await server.stop();
    },
  };
}
