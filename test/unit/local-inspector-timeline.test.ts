import { createHash } from 'node:crypto';
import { LOG_MESSAGES } from '../../lambdas/contract';
import type { DeliveryResult, LogRecord } from '../../local/activity';
import type { RecordResult } from '../../local/event-source';
import { ObservedActivity } from '../../local/inspector/observed-activity';
import { DeliveryTimeline, type DeliveryTimelineOptions } from '../../local/inspector/timeline';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const EVENT_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
const VEHICLE_ID = 'c0ffee00-0000-4000-8000-000000000001';

function eventBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    eventId: EVENT_ID,
    eventType: 'VEHICLE_STATE',
    data: { vehicle: { id: VEHICLE_ID }, signals: [] },
    ...overrides,
  });
}

function accepted(body = eventBody(), overrides: Partial<DeliveryResult> = {}): DeliveryResult {
  return {
    statusCode: 200,
    durationMs: 20,
    requestBody: body,
    responseBody: JSON.stringify({ status: 'accepted', eventKey: EVENT_ID }),
    ...overrides,
  };
}

function refused(errorCode: string, body = eventBody()): DeliveryResult {
  return {
    statusCode: 401,
    durationMs: 30,
    requestBody: body,
    responseBody: JSON.stringify({ error: errorCode, message: 'SC-Signature does not match.' }),
  };
}

/** A log record about the event, as Powertools writes it, stamped `atMs`. */
function logRecord(message: string, atMs: number, extra: Record<string, unknown> = {}): LogRecord {
  return {
    level: 'INFO',
    message,
    timestamp: new Date(atMs).toISOString(),
    service: 'smartcar-webhook-processor',
    eventId: EVENT_ID,
    eventType: 'VEHICLE_STATE',
    vehicleId: VEHICLE_ID,
    messageId: 'message-1',
    ...extra,
  };
}

function failedRecord(attempt: number, overrides: Partial<RecordResult> = {}): RecordResult {
  return { messageId: 'message-1', body: eventBody(), attempt, failed: true, ...overrides };
}

/** A timeline on a clock the test moves, with 3 receives before the DLQ. */
function timeline(options: DeliveryTimelineOptions = {}) {
  let nowMs = T0;
  const store = new DeliveryTimeline({ maxReceiveCount: 3, now: () => nowMs, ...options });
  return {
    store,
    advance: (ms: number) => (nowMs += ms),
    at: () => nowMs,
    states: (key = EVENT_ID) => store.get(key)?.steps.map((step) => step.state),
  };
}

describe('inspector timeline: what happened to each event', () => {
  it('records an accepted delivery as enqueued, with its body, type and vehicle', () => {
    const { store } = timeline();

    store.delivery(accepted());

    expect(store.get(EVENT_ID)).toMatchObject({
      key: EVENT_ID,
      eventType: 'VEHICLE_STATE',
      vehicleId: VEHICLE_ID,
      state: 'enqueued',
      deliveries: 1,
      hasBody: true,
      body: eventBody(),
      steps: [{ state: 'enqueued', at: new Date(T0 - 20).toISOString() }],
    });
  });

  it('dates a delivery from its arrival: the receiver time and the wait for an environment before it', () => {
    const { store } = timeline();

    store.delivery(accepted(eventBody(), { durationMs: 40, waitedMs: 300 }));

    expect(store.get(EVENT_ID)?.firstSeenAt).toBe(new Date(T0 - 340).toISOString());
  });

  it('records a refusal with the error code the receiver answered', () => {
    const { store } = timeline();

    store.delivery(refused('SIGNATURE_MISMATCH'));

    expect(store.list()).toEqual([
      expect.objectContaining({ state: 'refused', errorCode: 'SIGNATURE_MISMATCH', quarantined: false }),
    ]);
  });

  it('puts the quarantine after the refusal although the receiver logs it before its answer arrives', () => {
    const { store, at, states } = timeline();
    store.log(
      logRecord(LOG_MESSAGES.deliveryQuarantined, at() - 5, {
        service: 'smartcar-webhook-receiver',
        errorCode: 'SIGNATURE_MISMATCH',
      }),
    );

    store.delivery(refused('SIGNATURE_MISMATCH'));

    expect(states()).toEqual(['refused', 'quarantined']);
    expect(store.get(EVENT_ID)).toMatchObject({ state: 'quarantined', quarantined: true });
  });

  it('marks a processed event, and keeps the log records that carry its eventId', () => {
    const { store, at } = timeline();
    store.delivery(accepted());
    const handlerLine = logRecord('Vehicle state received', at() + 5, { signalCount: 4 });

    store.log(handlerLine);
    store.log(logRecord(LOG_MESSAGES.eventProcessed, at() + 6, { attempt: 1 }));
    store.log({ level: 'INFO', message: 'Cold start', timestamp: new Date(at()).toISOString() });

    expect(store.get(EVENT_ID)).toMatchObject({ state: 'processed', attempt: 1 });
    expect(store.get(EVENT_ID)?.logs.map((line) => line.message)).toEqual([
      'Vehicle state received',
      LOG_MESSAGES.eventProcessed,
    ]);
  });

  it('shows a second delivery of a processed event as a duplicate, counting both deliveries', () => {
    const { store, at, advance, states } = timeline();
    store.delivery(accepted());
    store.log(logRecord(LOG_MESSAGES.eventProcessed, at() + 5, { attempt: 1 }));
    advance(1000);

    store.delivery(accepted());
    store.log(logRecord(LOG_MESSAGES.duplicateSkipped, at() + 5, { attempt: 1 }));

    expect(states()).toEqual(['enqueued', 'processed', 'enqueued', 'duplicate']);
    expect(store.get(EVENT_ID)?.deliveries).toBe(2);
  });

  it('marks what a replay did with the replay id', () => {
    const { store, at } = timeline();

    store.log(logRecord(LOG_MESSAGES.duplicateSkipped, at(), { replayId: 'replay-1' }));

    expect(store.get(EVENT_ID)).toMatchObject({
      state: 'replayed',
      detail: expect.stringContaining('replay replay-1'),
      hasBody: false,
      bodyNote: expect.stringContaining('not seen in this run'),
    });
  });

  it('marks a quarantined event released once the processor ran it with a release id', () => {
    const { store, at } = timeline();
    store.log(logRecord(LOG_MESSAGES.deliveryQuarantined, at(), { errorCode: 'SIGNATURE_MISMATCH' }));

    store.log(
      logRecord(LOG_MESSAGES.eventProcessed, at() + 10, { releaseId: 'release-1', verifiedWith: 'current' }),
    );

    expect(store.get(EVENT_ID)).toMatchObject({
      state: 'released',
      quarantined: false,
      detail: expect.stringContaining('release-1'),
    });
  });

  it('records a failed attempt once, with the error the processor logged', () => {
    const { store, at } = timeline();
    store.delivery(accepted());
    store.log(logRecord(LOG_MESSAGES.processingFailed, at() + 5, { attempt: 1, error: 'Boom: down' }));

    store.record(failedRecord(1));

    expect(store.get(EVENT_ID)?.steps.filter((step) => step.state === 'failed')).toEqual([
      expect.objectContaining({ attempt: 1, detail: 'attempt 1/3: Boom: down' }),
    ]);
  });

  it('records a failed attempt the processor could not log: a crashed invocation', () => {
    const { store } = timeline();
    store.delivery(accepted());

    store.record(failedRecord(1, { invocationError: 'Error: crashed mid-batch' }));

    expect(store.get(EVENT_ID)).toMatchObject({
      state: 'failed',
      detail: 'attempt 1/3: Error: crashed mid-batch',
    });
  });

  it('gives every record of a batch that could not be archived the archive failure as reason', () => {
    const { store, at } = timeline();
    store.log({
      level: 'ERROR',
      message: LOG_MESSAGES.archiveWriteFailed,
      timestamp: new Date(at()).toISOString(),
      error: 'S3 down',
      records: 1,
    });

    store.record(failedRecord(1));

    expect(store.get(EVENT_ID)?.detail).toContain('not archived, so not processed');
  });

  it('finds the event of a failed record by its message id when the body does not say', () => {
    const { store, at } = timeline();
    store.log(logRecord(LOG_MESSAGES.processingFailed, at(), { attempt: 1, error: 'Boom' }));

    store.record(failedRecord(2, { body: 'not json' }));

    expect(store.list()).toHaveLength(1);
    expect(store.get(EVENT_ID)?.attempt).toBe(2);
  });

  it('marks an event dead-lettered when the DLQ grows after its last attempt', () => {
    const { store, states } = timeline();
    store.delivery(accepted());
    for (const attempt of [1, 2, 3]) store.record(failedRecord(attempt));

    store.deadLettered(1);

    expect(states()).toEqual(['enqueued', 'failed', 'failed', 'failed', 'dead-lettered']);
    expect(store.get(EVENT_ID)?.detail).toBe('after 3 attempts');
  });

  it('does not mark an event dead-lettered before its last attempt', () => {
    const { store } = timeline();
    store.delivery(accepted());
    store.record(failedRecord(1));

    store.deadLettered(1);

    expect(store.get(EVENT_ID)?.state).toBe('failed');
  });

  it('shows a parked event with its reason, which the DLQ arrival keeps', () => {
    const { store, at, states } = timeline();
    store.delivery(accepted());
    store.log(
      logRecord(LOG_MESSAGES.sentToDeadLetterQueue, at() + 5, {
        reason: 'MALFORMED_EVENT',
        detail: 'data.signals: expected array',
      }),
    );
    expect(store.get(EVENT_ID)).toMatchObject({
      state: 'parked',
      detail: expect.stringContaining('MALFORMED_EVENT'),
    });

    store.deadLettered(1);

    expect(states()).toEqual(['enqueued', 'parked', 'dead-lettered']);
    expect(store.get(EVENT_ID)?.detail).toContain('parked: MALFORMED_EVENT');
  });

  it('keys an event without an eventId by the hash of its body, as the receiver does', () => {
    const { store } = timeline();
    const body = JSON.stringify({ eventType: 'VEHICLE_STATE' });

    store.delivery(accepted(body));

    expect(store.list()[0]?.key).toBe(`sha256:${createHash('sha256').update(body).digest('hex')}`);
  });

  it('does not keep a body larger than its bound, and says so', () => {
    const { store } = timeline({ maxBodyBytes: 50 });

    store.delivery(accepted());

    expect(store.get(EVENT_ID)).toMatchObject({
      hasBody: false,
      bodyNote: expect.stringContaining('larger than'),
    });
  });
});

describe('inspector timeline: listing', () => {
  function threeEvents() {
    const made = timeline();
    const { store, advance } = made;
    store.delivery(accepted(eventBody({ eventId: 'event-1' })));
    advance(10);
    store.delivery(
      accepted(
        eventBody({ eventId: 'event-2', eventType: 'VEHICLE_ERROR', data: { vehicle: { id: 'v-2' } } }),
      ),
    );
    advance(10);
    store.delivery(accepted(eventBody({ eventId: 'event-3' })));
    return made;
  }

  it('lists the events newest first', () => {
    const { store } = threeEvents();

    expect(store.list().map((event) => event.key)).toEqual(['event-3', 'event-2', 'event-1']);
  });

  it('filters by event type in any case', () => {
    const { store } = threeEvents();

    expect(store.list({ type: 'vehicle_error' }).map((event) => event.key)).toEqual(['event-2']);
  });

  it('filters by vehicle id', () => {
    const { store } = threeEvents();

    expect(store.list({ vehicle: VEHICLE_ID }).map((event) => event.key)).toEqual(['event-3', 'event-1']);
  });

  it('names the event types it holds, for the type filter', () => {
    const { store } = threeEvents();

    expect(store.eventTypes()).toEqual(['VEHICLE_ERROR', 'VEHICLE_STATE']);
  });

  it('drops the oldest event beyond its bound', () => {
    const { store, advance } = timeline({ maxEvents: 2 });
    for (const id of ['event-1', 'event-2', 'event-3']) {
      store.delivery(accepted(eventBody({ eventId: id })));
      advance(10);
    }

    expect(store.list().map((event) => event.key)).toEqual(['event-3', 'event-2']);
    expect(store.size()).toEqual({ events: 2, maxEvents: 2 });
  });

  it('keeps the latest log records of an event beyond its bound, and counts the others', () => {
    const { store, at } = timeline({ maxLogsPerEvent: 2 });
    for (const n of [1, 2, 3]) store.log(logRecord(`line ${n}`, at() + n));

    expect(store.get(EVENT_ID)).toMatchObject({ logsDropped: 1 });
    expect(store.get(EVENT_ID)?.logs.map((line) => line.message)).toEqual(['line 2', 'line 3']);
  });
});

describe('ObservedActivity', () => {
  it('hands every input to the console display and to the timeline', () => {
    const store = new DeliveryTimeline({ maxReceiveCount: 3 });
    const print = jest.fn<void, [string]>();
    const activity = new ObservedActivity(store, print, { verbose: false, maxReceiveCount: 3 });

    activity.delivery(accepted());
    activity.log(logRecord(LOG_MESSAGES.processingFailed, Date.now(), { attempt: 3, error: 'Boom' }));
    activity.record(failedRecord(3));
    activity.deadLettered(1);

    expect(print.mock.calls.map(([line]) => line).join('\n')).toMatch(
      /enqueued[\s\S]*failed[\s\S]*dead-lettered/,
    );
    expect(activity.counts()).toMatchObject({ received: 1, enqueued: 1, failed: 1, deadLettered: 1 });
    expect(store.get(EVENT_ID)?.steps.map((step) => step.state)).toEqual([
      'enqueued',
      'failed',
      'dead-lettered',
    ]);
  });
});
