import { LATEST_STATE_TABLE } from '../contract';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * CreateTable input for a latest-state table with the key schema of {@link LATEST_STATE_DEFAULTS},
 * on demand. For the local emulator and tests; in AWS the CDK construct creates the table.
 */
export function latestStateTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: LATEST_STATE_TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: LATEST_STATE_TABLE.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: LATEST_STATE_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: LATEST_STATE_TABLE.sortKey, KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}
