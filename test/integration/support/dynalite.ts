import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalDynamoDb as LocalDynamoDbServer, startLocalDynamoDb } from '../../../local/dynamodb';
import { LOCAL_AWS } from '../../../local/local-aws';

/** Region and made-up credentials: dynalite accepts any signature, the SDK only needs one to sign. */
export const FAKE_AWS = {
  region: LOCAL_AWS.region,
  accessKeyId: LOCAL_AWS.credentials.accessKeyId,
  secretAccessKey: LOCAL_AWS.credentials.secretAccessKey,
} as const;

/** The emulator's local DynamoDB, plus a scan for assertions. */
export interface LocalDynamoDb extends LocalDynamoDbServer {
  /** Every item of a table, unmarshalled to plain values. */
  scan(tableName: string): Promise<Record<string, unknown>[]>;
}

/** Starts an in-memory dynalite (a real DynamoDB implementation: conditional writes, consistent reads). */
export async function startDynalite(): Promise<LocalDynamoDb> {
  const server = await startLocalDynamoDb();
  const documents = DynamoDBDocumentClient.from(server.client);
  return {
    ...server,
    async scan(tableName) {
      const { Items } = await documents.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
      return Items ?? [];
    },
  };
}
