import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  ENV_VARS,
  IDEMPOTENCY_TABLE,
  LOG_MESSAGES,
  PROCESSOR_ENVIRONMENT,
  SERVICE_NAMES,
} from '../../lambdas/contract';
import { IDEMPOTENCY_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import {
  captureOutput,
  lambdaContext,
  sqsRecord,
  vehicleErrorEvent,
  vehicleStateEvent,
} from '../support/builders';

type DynamoDbModule = typeof import('@aws-sdk/client-dynamodb');
type EntryModule = typeof import('../../lambdas/processor');
type AppModule = typeof import('../../lambdas/app');

const TABLE_NAME = 'smartcar-webhooks-idempotency';

/** The variables the construct sets on the processor function, written by their one definition. */
const CONSTRUCT_ENV: Record<string, string> = {
  ...PROCESSOR_ENVIRONMENT.write({
    idempotencyTableName: TABLE_NAME,
    idempotencyExpirySeconds: IDEMPOTENCY_DEFAULTS.expirySeconds,
    serviceName: SERVICE_NAMES.processor,
  }),
  AWS_REGION: 'eu-west-1',
};

interface LoadedEntry {
  handler: EntryModule['handler'];
  app: AppModule;
  dynamodb: AwsClientStub<InstanceType<DynamoDbModule['DynamoDBClient']>>;
  sdk: DynamoDbModule;
}

const savedEnv = { ...process.env };
const stubs: { restore(): void }[] = [];

/**
 * Loads lambdas/processor/index.ts as a cold start does, with `env` in place and the DynamoDB
 * client of this fresh module registry mocked. Module-level code (config, clients) runs again.
 */
function coldStart(env: Record<string, string | undefined> = CONSTRUCT_ENV): LoadedEntry {
  for (const name of [...Object.keys(CONSTRUCT_ENV), ENV_VARS.idempotencyExpirySeconds])
    delete process.env[name];
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) process.env[name] = value;
  }
  let loaded: LoadedEntry | undefined;
  jest.isolateModules(() => {
    const sdk = require('@aws-sdk/client-dynamodb') as DynamoDbModule;
    const dynamodb = mockClient(sdk.DynamoDBClient);
    stubs.push(dynamodb);
    dynamodb.on(sdk.PutItemCommand).resolves({});
    dynamodb.on(sdk.UpdateItemCommand).resolves({});
    dynamodb.on(sdk.DeleteItemCommand).resolves({});
    const app = require('../../lambdas/app') as AppModule;
    const { handler } = require('../../lambdas/processor') as EntryModule;
    loaded = { handler, app, dynamodb, sdk };
  });
  if (loaded === undefined) throw new Error('lambdas/processor/index did not load');
  return loaded;
}

function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

function thrownBy(load: () => unknown): unknown {
  try {
    load();
  } catch (error) {
    return error;
  }
  throw new Error('expected the module load to throw');
}

afterEach(() => {
  for (const stub of stubs.splice(0)) stub.restore();
  process.env = { ...savedEnv };
});

describe('processor entry (lambdas/processor/index.ts)', () => {
  it('runs the application handler and acknowledges the batch', async () => {
    const { handler, app } = coldStart();
    const onVehicleState = jest.fn(async () => undefined);
    const onVehicleError = jest.fn(async () => undefined);
    app.app.onVehicleState(onVehicleState).onVehicleError(onVehicleError);
    const state = vehicleStateEvent();
    const error = vehicleErrorEvent();

    const { result } = await captureOutput(() =>
      handler(sqsEvent(sqsRecord(JSON.stringify(state)), sqsRecord(JSON.stringify(error))), lambdaContext()),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(onVehicleState).toHaveBeenCalledWith(state, expect.objectContaining({ eventKey: state.eventId }));
    expect(onVehicleError).toHaveBeenCalledWith(error, expect.objectContaining({ eventKey: error.eventId }));
  });

  it('writes idempotency records to the table named by IDEMPOTENCY_TABLE_NAME under the fixed key prefix', async () => {
    const { handler, dynamodb, sdk } = coldStart();

    await captureOutput(() =>
      handler(sqsEvent(sqsRecord(JSON.stringify(vehicleStateEvent()))), lambdaContext()),
    );

    expect(dynamodb).toHaveReceivedCommandWith(sdk.PutItemCommand, {
      TableName: TABLE_NAME,
      Item: expect.objectContaining({
        [IDEMPOTENCY_TABLE.partitionKey]: {
          S: expect.stringMatching(`^${IDEMPOTENCY_TABLE.keyPrefix}#`),
        },
      }),
    });
    expect(dynamodb).toHaveReceivedCommandWith(sdk.UpdateItemCommand, { TableName: TABLE_NAME });
  });

  it('keeps idempotency records for the 7 days the construct sets by default', async () => {
    const { handler, dynamodb, sdk } = coldStart();
    const before = Math.round(Date.now() / 1000);

    await captureOutput(() =>
      handler(sqsEvent(sqsRecord(JSON.stringify(vehicleStateEvent()))), lambdaContext()),
    );

    const item = dynamodb.commandCalls(sdk.PutItemCommand)[0]?.args[0].input.Item;
    const expiry = Number(item?.[IDEMPOTENCY_TABLE.expiryAttribute]?.N);
    expect(expiry).toBeGreaterThanOrEqual(before + 7 * 24 * 60 * 60);
    expect(expiry).toBeLessThanOrEqual(Math.round(Date.now() / 1000) + 7 * 24 * 60 * 60);
  });

  it('throws a ConfigurationError naming IDEMPOTENCY_EXPIRY_SECONDS at cold start when it is missing', () => {
    const error = thrownBy(() =>
      coldStart({ ...CONSTRUCT_ENV, [ENV_VARS.idempotencyExpirySeconds]: undefined }),
    );

    expect(error).toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining(ENV_VARS.idempotencyExpirySeconds),
    });
  });

  it('keeps idempotency records for IDEMPOTENCY_EXPIRY_SECONDS when it is set', async () => {
    const { handler, dynamodb, sdk } = coldStart({
      ...CONSTRUCT_ENV,
      [ENV_VARS.idempotencyExpirySeconds]: '3600',
    });
    const before = Math.round(Date.now() / 1000);

    await captureOutput(() =>
      handler(sqsEvent(sqsRecord(JSON.stringify(vehicleStateEvent()))), lambdaContext()),
    );

    const item = dynamodb.commandCalls(sdk.PutItemCommand)[0]?.args[0].input.Item;
    const expiry = Number(item?.[IDEMPOTENCY_TABLE.expiryAttribute]?.N);
    expect(expiry).toBeGreaterThanOrEqual(before + 3600);
    expect(expiry).toBeLessThanOrEqual(Math.round(Date.now() / 1000) + 3600);
  });

  it('lets the in-progress lock expire with the invocation by registering the Lambda context', async () => {
    const { handler, dynamodb, sdk } = coldStart();
    const remainingMs = 20_000;
    const before = Date.now();

    await captureOutput(() =>
      handler(sqsEvent(sqsRecord(JSON.stringify(vehicleStateEvent()))), lambdaContext(remainingMs)),
    );

    const item = dynamodb.commandCalls(sdk.PutItemCommand)[0]?.args[0].input.Item;
    const lockExpiry = Number(item?.in_progress_expiration?.N);
    expect(lockExpiry).toBeGreaterThan(before);
    expect(lockExpiry).toBeLessThanOrEqual(Date.now() + remainingMs);
  });

  it('reports a failing record in batchItemFailures and acknowledges the rest', async () => {
    const { handler, app } = coldStart();
    const failing = vehicleStateEvent();
    app.app.onVehicleState(async (event) => {
      if (event.eventId === failing.eventId) throw new Error('downstream unavailable');
    });
    const records = [sqsRecord(JSON.stringify(vehicleStateEvent())), sqsRecord(JSON.stringify(failing))];

    const { result } = await captureOutput(() => handler(sqsEvent(...records), lambdaContext()));

    expect(result).toEqual<SQSBatchResponse>({
      batchItemFailures: [{ itemIdentifier: records[1]?.messageId ?? '' }],
    });
  });

  it('returns a wholly failed batch as batchItemFailures instead of throwing', async () => {
    const { handler } = coldStart();
    const records = [sqsRecord('not json'), sqsRecord('[]')];

    const { result } = await captureOutput(() => handler(sqsEvent(...records), lambdaContext()));

    expect(result).toEqual({
      batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })),
    });
  });

  /** The JSON lines one invocation printed. */
  const printedLines = (output: string) =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes the line of a processed record with the keys of the event only, none of the invocation', async () => {
    const { handler } = coldStart();
    const event = vehicleStateEvent();

    const { output } = await captureOutput(() =>
      handler(sqsEvent(sqsRecord(JSON.stringify(event))), lambdaContext()),
    );

    expect(printedLines(output)).toContainEqual({
      level: 'INFO',
      message: LOG_MESSAGES.eventProcessed,
      service: CONSTRUCT_ENV[ENV_VARS.serviceName],
      eventId: event.eventId,
      eventType: 'VEHICLE_STATE',
      attempt: 1,
      lagMs: expect.any(Number),
    });
  });

  it('adds the Lambda request id and cold start to the line of a record that failed', async () => {
    const { handler, dynamodb, sdk } = coldStart();
    dynamodb.on(sdk.PutItemCommand).rejects(new Error('DynamoDB unavailable'));
    const context = lambdaContext();
    const event = vehicleStateEvent();

    const { output } = await captureOutput(() =>
      handler(sqsEvent(sqsRecord(JSON.stringify(event))), context),
    );

    expect(printedLines(output)).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: LOG_MESSAGES.processingFailed,
        eventId: event.eventId,
        function_request_id: context.awsRequestId,
        cold_start: expect.any(Boolean),
      }),
    );
  });

  it('throws a ConfigurationError naming IDEMPOTENCY_TABLE_NAME at cold start when it is missing', () => {
    const error = thrownBy(() => coldStart({ ...CONSTRUCT_ENV, [ENV_VARS.idempotencyTableName]: undefined }));

    expect(error).toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining(ENV_VARS.idempotencyTableName),
    });
  });

  it('throws a ConfigurationError naming IDEMPOTENCY_TABLE_NAME at cold start when it is blank', () => {
    const error = thrownBy(() => coldStart({ ...CONSTRUCT_ENV, [ENV_VARS.idempotencyTableName]: '  ' }));

    expect(error).toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining(ENV_VARS.idempotencyTableName),
    });
  });

  it.each(['0', '-60', '1.5', 'seven days'])(
    'throws a ConfigurationError naming IDEMPOTENCY_EXPIRY_SECONDS at cold start when it is %p',
    (value) => {
      const error = thrownBy(() =>
        coldStart({ ...CONSTRUCT_ENV, [ENV_VARS.idempotencyExpirySeconds]: value }),
      );

      expect(error).toMatchObject({
        name: 'ConfigurationError',
        message: expect.stringContaining(ENV_VARS.idempotencyExpirySeconds),
      });
    },
  );
});
