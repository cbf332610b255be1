import { IDEMPOTENCY_TABLE } from '../../lambdas/contract';
import {
  DynamoDBClient,
  PutItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';

export { IDEMPOTENCY_TABLE_NAME } from '../../local/kit/processor-harness';

/**
 * A mocked DynamoDB client that accepts every idempotency call, reset before each test. Call at the
 * top level of a test file; tests override single commands with `stub.on(...)`.
 */
export function mockIdempotencyTable(): AwsClientStub<DynamoDBClient> {
  const stub = mockClient(DynamoDBClient);
  beforeEach(() => {
    stub.reset();
    stub.on(PutItemCommand).resolves({});
    stub.on(UpdateItemCommand).resolves({});
    stub.on(DeleteItemCommand).resolves({});
    stub.on(GetItemCommand).resolves({});
  });
  afterAll(() => stub.restore());
  return stub;
}

/** The processor as its Lambda entry wires it, over the (mocked) DynamoDB client. */
export { processorHarness as buildProcessor } from '../../local/kit/processor-harness';

/** The idempotency key of every conditional PutItem sent so far, in order. */
export function keysWritten(stub: AwsClientStub<DynamoDBClient>): string[] {
  return stub.commandCalls(PutItemCommand).map((call) => {
    const key = call.args[0].input.Item?.[IDEMPOTENCY_TABLE.partitionKey]?.S;
    if (key === undefined) throw new Error('PutItem without a string partition key');
    return key;
  });
}

/** Powertools log lines are JSON objects, one a line. */
export function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
