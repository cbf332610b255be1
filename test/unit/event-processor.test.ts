import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import 'aws-sdk-client-mock-jest';
import { app as defaultApp } from '../../lambdas/app';
import { WebhookApp } from '../../lambdas/sdk';
import type { DeadLetterSender } from '../../lambdas/processor/dead-letter';
import { OUTCOMES } from '../../lambdas/processor/event-processor';
import { LOG_MESSAGES, IDEMPOTENCY_TABLE, METRICS } from '../../lambdas/contract';
import { IDEMPOTENCY_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import {
  captureOutput,
  legacyEvent,
  legacyVerifyEvent,
  sqsRecord,
  vehicleErrorEvent,
  vehicleStateEvent,
  verifyEvent,
} from '../support/builders';
import { appWith, type EventHandlers, fakeHandlers } from '../support/handlers';
import { recordingMetrics } from '../support/metrics';
import {
  buildProcessor,
  IDEMPOTENCY_TABLE_NAME,
  keysWritten,
  logLines,
  mockIdempotencyTable,
} from '../support/processor';

const VIN = '5YJ3E1EA7KF000316';
const LATITUDE = '61.1111';

const dynamodb = mockIdempotencyTable();

function createProcessor(
  handlers: EventHandlers | WebhookApp = fakeHandlers(),
  metrics = recordingMetrics(),
  now?: () => number,
) {
  return buildProcessor({ app: handlers instanceof WebhookApp ? handlers : appWith(handlers), metrics, now });
}

function recordOf(event: Record<string, unknown>, options: { receiveCount?: number } = {}): SQSRecord {
  return sqsRecord(JSON.stringify(event), options);
}

/** A COMPLETED idempotency item, as DynamoDB stores it for a processed event. */
function completedItem(key: string): Record<string, AttributeValue> {
  return {
    [IDEMPOTENCY_TABLE.partitionKey]: { S: key },
    [IDEMPOTENCY_TABLE.expiryAttribute]: { N: String(Math.round(Date.now() / 1000) + 3600) },
    status: { S: 'COMPLETED' },
    data: { M: { outcome: { S: OUTCOMES.processed } } },
  };
}

function conditionalCheckFailed(item?: Record<string, AttributeValue>): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400 },
    Item: item,
  });
}

describe('event processor: routing', () => {
  it('hands a VEHICLE_STATE to onVehicleState with its eventId, attempt and a logger', async () => {
    const handlers = fakeHandlers();
    const event = vehicleStateEvent();

    const outcome = await createProcessor(handlers).recordHandler(recordOf(event, { receiveCount: 2 }));

    expect(outcome).toBe(OUTCOMES.processed);
    expect(handlers.onVehicleState).toHaveBeenCalledTimes(1);
    expect(handlers.onVehicleState).toHaveBeenCalledWith(
      event,
      expect.objectContaining({
        eventKey: event.eventId,
        attempt: 2,
        logger: expect.any(Logger),
      }),
    );
    expect(handlers.onVehicleError).not.toHaveBeenCalled();
    expect(handlers.onLegacyEvent).not.toHaveBeenCalled();
  });

  it('hands a VEHICLE_ERROR to onVehicleError with its eventId, attempt and a logger', async () => {
    const handlers = fakeHandlers();
    const event = vehicleErrorEvent();

    const outcome = await createProcessor(handlers).recordHandler(recordOf(event, { receiveCount: 3 }));

    expect(outcome).toBe(OUTCOMES.processed);
    expect(handlers.onVehicleError).toHaveBeenCalledTimes(1);
    expect(handlers.onVehicleError).toHaveBeenCalledWith(
      event,
      expect.objectContaining({
        eventKey: event.eventId,
        attempt: 3,
        logger: expect.any(Logger),
      }),
    );
    expect(handlers.onVehicleState).not.toHaveBeenCalled();
    expect(handlers.onLegacyEvent).not.toHaveBeenCalled();
  });

  it('hands a legacy eventBased delivery to onLegacyEvent keyed by payload.eventId', async () => {
    const handlers = fakeHandlers();
    const event = legacyEvent();
    const payload = event.payload as { eventId: string };

    const outcome = await createProcessor(handlers).recordHandler(recordOf(event));

    expect(outcome).toBe(OUTCOMES.processed);
    expect(handlers.onLegacyEvent).toHaveBeenCalledTimes(1);
    expect(handlers.onLegacyEvent).toHaveBeenCalledWith(
      event,
      expect.objectContaining({
        eventKey: payload.eventId,
        attempt: 1,
        logger: expect.any(Logger),
      }),
    );
    expect(handlers.onVehicleState).not.toHaveBeenCalled();
    expect(handlers.onVehicleError).not.toHaveBeenCalled();
  });

  it('keys a legacy delivery without payload.eventId by the SHA-256 of its exact body', async () => {
    const handlers = fakeHandlers();
    const body = JSON.stringify(legacyEvent({ eventName: 'schedule', payload: { vehicles: [] } }));

    await createProcessor(handlers).recordHandler(sqsRecord(body));

    const expectedKey = `sha256:${createHash('sha256').update(body, 'utf8').digest('hex')}`;
    expect(handlers.onLegacyEvent).toHaveBeenCalledWith(
      JSON.parse(body),
      expect.objectContaining({ eventKey: expectedKey }),
    );
  });

  it('counts the first delivery as attempt 1 when ApproximateReceiveCount is missing', async () => {
    const handlers = fakeHandlers();
    const record = recordOf(vehicleStateEvent());
    const { ApproximateReceiveCount: _omitted, ...attributes } = record.attributes;

    await createProcessor(handlers).recordHandler({
      ...record,
      attributes: attributes as SQSRecord['attributes'],
    });

    expect(handlers.onVehicleState).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({ attempt: 1 }),
    );
  });
});

describe('event processor: idempotency', () => {
  it('writes the idempotency record with a conditional PutItem under the fixed key prefix before running the handler', async () => {
    const handlers = fakeHandlers();

    await createProcessor(handlers).recordHandler(recordOf(vehicleStateEvent()));

    expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 1);
    expect(dynamodb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: IDEMPOTENCY_TABLE_NAME,
      ConditionExpression: expect.stringContaining('attribute_not_exists(#id)'),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(keysWritten(dynamodb)[0]).toMatch(new RegExp(`^${IDEMPOTENCY_TABLE.keyPrefix}#`));
  });

  it('marks the record COMPLETED with the expiry after the handler succeeded', async () => {
    const before = Math.round(Date.now() / 1000);

    await createProcessor().recordHandler(recordOf(vehicleStateEvent()));

    const [key] = keysWritten(dynamodb);
    expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: IDEMPOTENCY_TABLE_NAME,
      Key: { [IDEMPOTENCY_TABLE.partitionKey]: { S: key } },
      ExpressionAttributeValues: expect.objectContaining({ ':status': { S: 'COMPLETED' } }),
    });
    const update = dynamodb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    const expiry = Number(update?.ExpressionAttributeValues?.[':expiry']?.N);
    expect(expiry).toBeGreaterThanOrEqual(before + IDEMPOTENCY_DEFAULTS.expirySeconds);
    expect(expiry).toBeLessThanOrEqual(Math.round(Date.now() / 1000) + IDEMPOTENCY_DEFAULTS.expirySeconds);
  });

  it('gives two deliveries of one eventId the same key even though deliveryId and deliveredAt changed', async () => {
    const first = vehicleStateEvent();
    const retry = {
      ...first,
      meta: { ...(first.meta as object), deliveryId: 'another-delivery', deliveredAt: Date.now() + 25_000 },
    };
    const processor = createProcessor();

    await processor.recordHandler(recordOf(first));
    await processor.recordHandler(recordOf(retry));

    const [firstKey, retryKey] = keysWritten(dynamodb);
    expect(retryKey).toBe(firstKey);
  });

  it('skips the handler and reports a duplicate when the conditional write finds a COMPLETED record', async () => {
    const handlers = fakeHandlers();
    const event = vehicleStateEvent();
    dynamodb.on(PutItemCommand).callsFake((input: { Item: Record<string, AttributeValue> }) => {
      const key = input.Item[IDEMPOTENCY_TABLE.partitionKey]?.S ?? '';
      throw conditionalCheckFailed(completedItem(key));
    });

    const outcome = await createProcessor(handlers).recordHandler(recordOf(event));

    expect(outcome).toBe(OUTCOMES.duplicate);
    expect(handlers.onVehicleState).not.toHaveBeenCalled();
    expect(dynamodb).not.toHaveReceivedCommand(UpdateItemCommand);
    expect(dynamodb).not.toHaveReceivedCommand(DeleteItemCommand);
  });

  it('reads the existing record with a consistent GetItem when the conditional failure carries no item', async () => {
    const handlers = fakeHandlers();
    dynamodb.on(PutItemCommand).rejects(conditionalCheckFailed());
    dynamodb.on(GetItemCommand).callsFake((input: { Key: Record<string, AttributeValue> }) => ({
      Item: completedItem(input.Key[IDEMPOTENCY_TABLE.partitionKey]?.S ?? ''),
    }));

    const outcome = await createProcessor(handlers).recordHandler(recordOf(vehicleStateEvent()));

    expect(outcome).toBe(OUTCOMES.duplicate);
    expect(dynamodb).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: IDEMPOTENCY_TABLE_NAME,
      Key: { [IDEMPOTENCY_TABLE.partitionKey]: { S: keysWritten(dynamodb)[0] } },
      ConsistentRead: true,
    });
    expect(handlers.onVehicleState).not.toHaveBeenCalled();
  });

  it('acknowledges a duplicate in a batch without reporting it as failed', async () => {
    const handlers = fakeHandlers();
    dynamodb.on(PutItemCommand).callsFake((input: { Item: Record<string, AttributeValue> }) => {
      throw conditionalCheckFailed(completedItem(input.Item[IDEMPOTENCY_TABLE.partitionKey]?.S ?? ''));
    });

    const response = await createProcessor(handlers).processBatch([recordOf(vehicleStateEvent())]);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(handlers.onVehicleState).not.toHaveBeenCalled();
  });

  it('reports the record for a retry, without running the handler, while another invocation holds it in progress', async () => {
    const handlers = fakeHandlers();
    const record = recordOf(vehicleStateEvent());
    dynamodb.on(PutItemCommand).callsFake((input: { Item: Record<string, AttributeValue> }) => {
      const key = input.Item[IDEMPOTENCY_TABLE.partitionKey]?.S ?? '';
      throw conditionalCheckFailed({
        ...completedItem(key),
        status: { S: 'INPROGRESS' },
        in_progress_expiration: { N: String(Date.now() + 20_000) },
      });
    });

    const response = await createProcessor(handlers).processBatch([record]);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(handlers.onVehicleState).not.toHaveBeenCalled();
  });

  it('deletes the idempotency record when the handler throws, so the retry runs it again', async () => {
    const handlers = fakeHandlers();
    handlers.onVehicleState.mockRejectedValueOnce(new Error('downstream unavailable'));
    const processor = createProcessor(handlers);
    const record = recordOf(vehicleStateEvent());

    await expect(processor.recordHandler(record)).rejects.toThrow('downstream unavailable');
    const [key] = keysWritten(dynamodb);
    expect(dynamodb).toHaveReceivedCommandWith(DeleteItemCommand, {
      TableName: IDEMPOTENCY_TABLE_NAME,
      Key: { [IDEMPOTENCY_TABLE.partitionKey]: { S: key } },
    });
    expect(dynamodb).not.toHaveReceivedCommand(UpdateItemCommand);

    const retryOutcome = await processor.recordHandler({
      ...record,
      attributes: { ...record.attributes, ApproximateReceiveCount: '2' },
    });
    expect(retryOutcome).toBe(OUTCOMES.processed);
    expect(handlers.onVehicleState).toHaveBeenCalledTimes(2);
    expect(handlers.onVehicleState).toHaveBeenLastCalledWith(
      expect.anything(),
      expect.objectContaining({ attempt: 2 }),
    );
  });

  it('reports the record as failed when DynamoDB cannot be reached, without running the handler', async () => {
    const handlers = fakeHandlers();
    const record = recordOf(vehicleStateEvent());
    dynamodb.on(PutItemCommand).rejects(new Error('connect ETIMEDOUT'));

    const response = await createProcessor(handlers).processBatch([record]);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(handlers.onVehicleState).not.toHaveBeenCalled();
  });
});

describe('event processor: batches', () => {
  it('reports only the failing record in batchItemFailures', async () => {
    const handlers = fakeHandlers();
    const failing = vehicleStateEvent();
    handlers.onVehicleState.mockImplementation(async (event) => {
      if (event.eventId === failing.eventId) throw new Error('downstream unavailable');
    });
    const records = [recordOf(vehicleStateEvent()), recordOf(failing), recordOf(vehicleErrorEvent())];

    const response = await createProcessor(handlers).processBatch(records);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: records[1]?.messageId }] });
    expect(handlers.onVehicleState).toHaveBeenCalledTimes(2);
    expect(handlers.onVehicleError).toHaveBeenCalledTimes(1);
    expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 2);
    expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 1);
  });

  it('returns every record of a wholly failed batch in batchItemFailures instead of throwing', async () => {
    const handlers = fakeHandlers();
    handlers.onVehicleState.mockRejectedValue(new Error('downstream unavailable'));
    const records = [
      recordOf(vehicleStateEvent()),
      recordOf(vehicleStateEvent()),
      recordOf(vehicleStateEvent()),
    ];

    const response = await createProcessor(handlers).processBatch(records);

    expect(response).toEqual({
      batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })),
    });
  });

  it('acknowledges a batch in which every record succeeded with no batchItemFailures', async () => {
    const records = [recordOf(vehicleStateEvent()), recordOf(vehicleErrorEvent()), recordOf(legacyEvent())];

    const response = await createProcessor().processBatch(records);

    expect(response).toEqual({ batchItemFailures: [] });
  });
});

describe('event processor: records no handler can use', () => {
  const valid = (): string => JSON.stringify(vehicleStateEvent());
  const withoutEventName = (): string => {
    const { eventName: _removed, ...notAnEnvelope } = legacyEvent();
    return JSON.stringify(notAnEnvelope);
  };
  const parkedRecords = [
    ['a body that is not JSON', () => valid().slice(0, -1), 'NOT_A_SMARTCAR_EVENT'],
    ['a JSON array', () => `[${valid()}]`, 'NOT_A_SMARTCAR_EVENT'],
    ['a JSON string', () => JSON.stringify(valid()), 'NOT_A_SMARTCAR_EVENT'],
    ['JSON null', () => 'null', 'NOT_A_SMARTCAR_EVENT'],
    ['an object that is no Smartcar envelope', withoutEventName, 'NOT_A_SMARTCAR_EVENT'],
    [
      'an eventId that is a number',
      () => JSON.stringify(vehicleStateEvent({ eventId: 12345 })),
      'SCHEMA_INVALID',
    ],
    ['an empty eventId', () => JSON.stringify(vehicleStateEvent({ eventId: '' })), 'SCHEMA_INVALID'],
    [
      'an eventType that is not a string',
      () => JSON.stringify(vehicleStateEvent({ eventType: ['VEHICLE_STATE'] })),
      'SCHEMA_INVALID',
    ],
    [
      'a legacy eventName that is not a string',
      () => JSON.stringify(legacyEvent({ eventName: 7 })),
      'SCHEMA_INVALID',
    ],
    [
      'an eventType this version does not know',
      () => JSON.stringify(vehicleStateEvent({ eventType: 'VEHICLE_SOMETHING_NEW' })),
      'UNKNOWN_EVENT_TYPE',
    ],
    [
      'an envelope version this version does not know',
      () =>
        JSON.stringify(
          vehicleStateEvent({ meta: { version: '5.0', deliveryId: 'd-1', deliveredAt: Date.now() } }),
        ),
      'UNKNOWN_ENVELOPE_VERSION',
    ],
  ] as const;

  it.each(parkedRecords)(
    'parks %s in the dead-letter queue at once as %s, acknowledged, running no handler',
    async (_case, body, reason) => {
      const handlers = fakeHandlers();
      const deadLetter = jest.fn<ReturnType<DeadLetterSender>, Parameters<DeadLetterSender>>(
        async () => undefined,
      );
      const metrics = recordingMetrics();
      const record = sqsRecord(body());

      const response = await buildProcessor({ app: appWith(handlers), deadLetter, metrics }).processBatch([
        record,
      ]);

      expect(response).toEqual({ batchItemFailures: [] });
      expect(deadLetter).toHaveBeenCalledWith(record, reason, expect.stringMatching(/\S/));
      expect(metrics.counts).toEqual([{ name: METRICS.eventsParked, dimensions: { reason } }]);
      expect(handlers.onVehicleState).not.toHaveBeenCalled();
      expect(handlers.onVehicleError).not.toHaveBeenCalled();
      expect(handlers.onLegacyEvent).not.toHaveBeenCalled();
      expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
    },
  );

  it.each(parkedRecords)(
    'reports %s as failed when no dead-letter queue is configured, so the redrive policy keeps it',
    async (_case, body) => {
      const record = sqsRecord(body());

      const response = await createProcessor().processBatch([record]);

      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    },
  );

  it('processes the valid records of a batch that also carries one it parks', async () => {
    const handlers = fakeHandlers();
    const poison = sqsRecord(JSON.stringify(vehicleStateEvent()).slice(0, -1));
    const records = [recordOf(vehicleStateEvent()), poison, recordOf(vehicleStateEvent())];
    const deadLetter = jest.fn<ReturnType<DeadLetterSender>, Parameters<DeadLetterSender>>(
      async () => undefined,
    );

    const response = await buildProcessor({ app: appWith(handlers), deadLetter }).processBatch(records);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(handlers.onVehicleState).toHaveBeenCalledTimes(2);
    expect(deadLetter).toHaveBeenCalledTimes(1);
  });
});

describe('event processor: VERIFY in the queue', () => {
  it.each([
    ['a queued VERIFY', () => verifyEvent()],
    ['a queued legacy verify', () => legacyVerifyEvent()],
  ])('acknowledges %s without running a handler or writing an idempotency record', async (_case, event) => {
    const handlers = fakeHandlers();
    const document = event();
    const record = recordOf(document);
    const processor = createProcessor(handlers);

    const { result: outcome, output } = await captureOutput(() => processor.recordHandler(record));

    expect(outcome).toBe(OUTCOMES.ignored);
    expect(handlers.onVehicleState).not.toHaveBeenCalled();
    expect(handlers.onLegacyEvent).not.toHaveBeenCalled();
    expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
    expect(logLines(output)).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: LOG_MESSAGES.verifyNotProcessed,
        messageId: record.messageId,
      }),
    );
  });
});

describe('event processor: shape drift', () => {
  it('processes a Dashboard test delivery whose meta has no version and no webhookId, counting the drift', async () => {
    const handlers = fakeHandlers();
    const metrics = recordingMetrics();
    const event = vehicleStateEvent({
      meta: { mode: 'TEST', deliveryId: 'd-1', deliveredAt: 1758238783185, deliveryTime: 1758238783185 },
    });

    const outcome = await createProcessor(handlers, metrics).recordHandler(recordOf(event));

    expect(outcome).toBe(OUTCOMES.processed);
    expect(handlers.onVehicleState).toHaveBeenCalledTimes(1);
    expect(metrics.counts).toEqual(
      expect.arrayContaining([
        { name: METRICS.schemaDrift, dimensions: { drift: 'META_VERSION_MISSING' } },
        { name: METRICS.schemaDrift, dimensions: { drift: 'WEBHOOK_ID_MISSING' } },
      ]),
    );
  });

  it('processes an event without meta, counting the drift and recording no lag', async () => {
    const handlers = fakeHandlers();
    const metrics = recordingMetrics();
    const { meta: _removed, ...event } = vehicleStateEvent();
    const record = recordOf(event);

    const outcome = await createProcessor(handlers, metrics).recordHandler(record);

    expect(outcome).toBe(OUTCOMES.processed);
    expect(metrics.counts).toContainEqual({
      name: METRICS.schemaDrift,
      dimensions: { drift: 'META_MISSING' },
    });
    expect(metrics.durations).toEqual([]);
  });

  it('counts no drift for a fully documented event', async () => {
    const metrics = recordingMetrics();

    await createProcessor(fakeHandlers(), metrics).recordHandler(recordOf(vehicleStateEvent()));

    expect(metrics.countOf(METRICS.schemaDrift)).toBe(0);
  });
});

describe('event processor: replayed events', () => {
  function replayRecord(event: Record<string, unknown>, reprocess = true) {
    const record = recordOf(event);
    record.messageAttributes.replayId = { dataType: 'String', stringValue: 'replay-7' };
    if (reprocess) record.messageAttributes.replayReprocess = { dataType: 'String', stringValue: 'true' };
    return record;
  }

  it('tells the handlers it is a replay, and of which run', async () => {
    const handlers = fakeHandlers();

    await createProcessor(handlers).recordHandler(replayRecord(vehicleStateEvent()));

    expect(handlers.onVehicleState).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({ replay: { id: 'replay-7', reprocess: true } }),
    );
  });

  it('scopes the idempotency key of a reprocessing replay to its run, and of a catch-up replay to the event', async () => {
    const event = vehicleStateEvent();
    const processor = createProcessor();

    await processor.recordHandler(recordOf(event));
    await processor.recordHandler(replayRecord(event, false));
    await processor.recordHandler(replayRecord(event, true));

    const [live, catchUp, reprocess] = keysWritten(dynamodb);
    expect(catchUp).toBe(live);
    expect(reprocess).not.toBe(live);
  });

  it('counts a replayed event it processed, logs its replay id, and records no end-to-end lag for it', async () => {
    const metrics = recordingMetrics();
    const record = replayRecord(vehicleStateEvent());
    const processor = createProcessor(fakeHandlers(), metrics);

    const { output } = await captureOutput(() => processor.recordHandler(record));

    expect(metrics.countOf(METRICS.replayed)).toBe(1);
    expect(metrics.durations).toEqual([]);
    expect(logLines(output)).toContainEqual(
      expect.objectContaining({ message: LOG_MESSAGES.eventProcessed, replayId: 'replay-7' }),
    );
  });
});

describe('event processor: a body the receiver enqueued as base64', () => {
  it('decodes it to the signed bytes and processes the event', async () => {
    const handlers = fakeHandlers();
    const event = vehicleStateEvent({ note: '\uFFFF' });
    const record = sqsRecord(Buffer.from(JSON.stringify(event), 'utf8').toString('base64'));
    record.messageAttributes.bodyEncoding = { dataType: 'String', stringValue: 'base64' };

    const outcome = await createProcessor(handlers).recordHandler(record);

    expect(outcome).toBe(OUTCOMES.processed);
    expect(handlers.onVehicleState).toHaveBeenCalledWith(
      expect.objectContaining({ eventId: event.eventId, note: '\uFFFF' }),
      expect.anything(),
    );
  });
});

describe('event processor: metrics', () => {
  it('counts a processed event and its end-to-end lag from meta.deliveredAt', async () => {
    const metrics = recordingMetrics();
    const deliveredAt = 1_700_000_000_000;
    const base = vehicleStateEvent();
    const event = { ...base, meta: { ...(base.meta as Record<string, unknown>), deliveredAt } };

    await createProcessor(fakeHandlers(), metrics, () => deliveredAt + 1500).recordHandler(recordOf(event));

    expect(metrics.countOf(METRICS.processed)).toBe(1);
    expect(metrics.durations).toEqual([{ name: METRICS.endToEndLag, ms: 1500 }]);
  });

  it('records no lag for an event without meta.deliveredAt', async () => {
    const metrics = recordingMetrics();
    await createProcessor(fakeHandlers(), metrics).recordHandler(recordOf(legacyEvent()));

    expect(metrics.countOf(METRICS.processed)).toBe(1);
    expect(metrics.durations).toEqual([]);
  });

  it('counts a skipped redelivery as a duplicate, not as processed', async () => {
    const metrics = recordingMetrics();
    dynamodb.on(PutItemCommand).callsFake((input: { Item: Record<string, AttributeValue> }) => {
      throw conditionalCheckFailed(completedItem(input.Item[IDEMPOTENCY_TABLE.partitionKey]?.S ?? ''));
    });

    await createProcessor(fakeHandlers(), metrics).recordHandler(recordOf(vehicleStateEvent()));

    expect(metrics.countOf(METRICS.duplicates)).toBe(1);
    expect(metrics.countOf(METRICS.processed)).toBe(0);
  });

  it('counts a handler failure as a processing failure', async () => {
    const metrics = recordingMetrics();
    const handlers = fakeHandlers();
    handlers.onVehicleState.mockRejectedValue(new Error('downstream unavailable'));

    await createProcessor(handlers, metrics).processBatch([recordOf(vehicleStateEvent())]);

    expect(metrics.counts).toEqual([{ name: METRICS.processingFailures, dimensions: undefined }]);
  });
});

describe('event processor: logs', () => {
  it('logs a processed event with its eventId, eventType and attempt', async () => {
    const event = vehicleStateEvent();
    const processor = createProcessor();

    const { output } = await captureOutput(() => processor.processBatch([recordOf(event)]));

    expect(logLines(output)).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: LOG_MESSAGES.eventProcessed,
        eventId: event.eventId,
        eventType: 'VEHICLE_STATE',
        attempt: 1,
      }),
    );
  });

  it('leaves the message, delivery and vehicle ids off a processed event, one line per event', async () => {
    const event = vehicleStateEvent();
    const processor = createProcessor();

    const { output } = await captureOutput(() => processor.processBatch([recordOf(event)]));
    const processed = logLines(output).find((line) => line.message === LOG_MESSAGES.eventProcessed);

    expect(processed).toBeDefined();
    expect(processed).not.toHaveProperty('messageId');
    expect(processed).not.toHaveProperty('deliveryId');
    expect(processed).not.toHaveProperty('vehicleId');
  });

  it('logs a failed event with its attempt, messageId, deliveryId and vehicleId, to find the message', async () => {
    const handlers = fakeHandlers();
    handlers.onVehicleState.mockRejectedValue(new Error('downstream unavailable'));
    const event = vehicleStateEvent();
    const record = recordOf(event, { receiveCount: 2 });

    const { output } = await captureOutput(() => createProcessor(handlers).processBatch([record]));

    expect(logLines(output)).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: LOG_MESSAGES.processingFailed,
        eventId: event.eventId,
        attempt: 2,
        messageId: record.messageId,
        deliveryId: (event.meta as { deliveryId: string }).deliveryId,
        vehicleId: (event.data as { vehicle: { id: string } }).vehicle.id,
        error: 'Error: downstream unavailable',
      }),
    );
  });

  it('never logs the VIN, a location or the raw body, also with the default application handlers', async () => {
    const record = recordOf(vehicleStateEvent());
    const processor = createProcessor(defaultApp);

    const { output } = await captureOutput(() => processor.processBatch([record]));

    expect(logLines(output).length).toBeGreaterThan(0);
    expect(output).not.toContain(VIN);
    expect(output).not.toContain(LATITUDE);
    expect(output).not.toContain(record.body);
  });

  it('logs a failed event as an error with its ids but without the VIN, a location or the body', async () => {
    const handlers = fakeHandlers();
    handlers.onVehicleState.mockRejectedValue(new Error('downstream unavailable'));
    const event = vehicleStateEvent();
    const record = recordOf(event);
    const processor = createProcessor(handlers);

    const { output } = await captureOutput(() => processor.processBatch([record]));

    expect(logLines(output)).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        eventId: event.eventId,
        eventType: 'VEHICLE_STATE',
        error: 'Error: downstream unavailable',
      }),
    );
    expect(output).not.toContain(VIN);
    expect(output).not.toContain(LATITUDE);
    expect(output).not.toContain(record.body);
  });

  it('never logs the body of a record it cannot process', async () => {
    const record = sqsRecord(JSON.stringify(vehicleStateEvent({ eventId: 12345 })));
    const processor = createProcessor();

    const { output } = await captureOutput(() => processor.processBatch([record]));

    expect(output).not.toContain(VIN);
    expect(output).not.toContain(LATITUDE);
  });
});
