import { LOG_MESSAGES } from '../../lambdas/contract';
import { Activity, type DeliveryResult } from '../../local/activity';
import type { RecordResult } from '../../local/event-source';

const NOW = '2026-03-01T12:34:56.789Z';
const AT = '12:34:56.789';
const EVENT_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
const EVENT = JSON.stringify({ eventId: EVENT_ID, eventType: 'VEHICLE_STATE', data: {} });
const LABEL = `${AT} VEHICLE_STATE a1b2c3d4`;

function delivery(overrides: Partial<DeliveryResult> = {}): DeliveryResult {
  return {
    statusCode: 200,
    durationMs: 12,
    requestBody: EVENT,
    responseBody: JSON.stringify({ status: 'accepted', eventKey: EVENT_ID }),
    ...overrides,
  };
}

function record(overrides: Partial<RecordResult> = {}): RecordResult {
  return { messageId: 'message-1', body: EVENT, attempt: 1, failed: true, ...overrides };
}

/** A processor log line about the event, as Powertools writes it. */
function logLine(message: string, extra: Record<string, unknown> = {}) {
  return {
    level: 'INFO',
    message,
    service: 'smartcar-webhooks',
    eventId: EVENT_ID,
    eventType: 'VEHICLE_STATE',
    messageId: 'message-1',
    ...extra,
  };
}

/** An activity display; these tests are written for 3 receives, a DLQ after the third attempt. */
function activity(options: { verbose: boolean; maxReceiveCount?: number } = { verbose: false }) {
  const print = jest.fn<void, [string]>();
  return {
    activity: new Activity(print, { maxReceiveCount: 3, ...options }),
    print,
    lines: () => print.mock.calls.map(([line]) => line),
  };
}

const NO_COUNTS = {
  received: 0,
  enqueued: 0,
  processed: 0,
  duplicates: 0,
  failed: 0,
  deadLettered: 0,
  refused: 0,
  refusedByReason: {},
};

beforeEach(() => {
  jest.useFakeTimers({ now: new Date(NOW) });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('Activity.delivery', () => {
  it('prints an accepted delivery as received → enqueued with its status and duration', () => {
    const { activity: a, lines } = activity();

    a.delivery(delivery());

    expect(lines()).toEqual([`${LABEL} received → enqueued (200, 12 ms)`]);
  });

  it('prints how long a delivery waited for a free receiver apart from its duration', () => {
    const { activity: a, lines } = activity();

    a.delivery(delivery({ waitedMs: 340 }));

    expect(lines()).toEqual([
      `${LABEL} received → enqueued (200, 12 ms, after 340 ms waiting for a free receiver)`,
    ]);
  });

  it('prints a wait for a new receiver environment as its cold start', () => {
    const { activity: a, lines } = activity();

    a.delivery(delivery({ waitedMs: 480, coldStart: true }));

    expect(lines()).toEqual([`${LABEL} received → enqueued (200, 12 ms, after a 480 ms cold start)`]);
  });

  it('leaves out a wait that did not happen', () => {
    const { activity: a, lines } = activity();

    a.delivery(delivery({ waitedMs: 0 }));

    expect(lines()).toEqual([`${LABEL} received → enqueued (200, 12 ms)`]);
  });

  it('counts an accepted delivery as received and enqueued', () => {
    const { activity: a } = activity();

    a.delivery(delivery());

    expect(a.counts()).toEqual({ ...NO_COUNTS, received: 1, enqueued: 1 });
  });

  it('prints an answered VERIFY as challenge answered', () => {
    const { activity: a, lines } = activity();

    a.delivery(
      delivery({
        requestBody: JSON.stringify({ eventId: EVENT_ID, eventType: 'VERIFY', data: { challenge: 'c' } }),
        responseBody: JSON.stringify({ challenge: '9f86d081884c7d65' }),
        durationMs: 3,
      }),
    );

    expect(lines()).toEqual([`${AT} VERIFY        a1b2c3d4 received → challenge answered (200, 3 ms)`]);
  });

  it('counts an answered VERIFY as received, not enqueued', () => {
    const { activity: a } = activity();

    a.delivery(delivery({ responseBody: JSON.stringify({ challenge: '9f86d081884c7d65' }) }));

    expect(a.counts()).toEqual({ ...NO_COUNTS, received: 1 });
  });

  it('prints a refused delivery with its error code and message', () => {
    const { activity: a, lines } = activity();

    a.delivery(
      delivery({
        statusCode: 401,
        durationMs: 2,
        responseBody: JSON.stringify({
          error: 'SIGNATURE_MISMATCH',
          message: 'SC-Signature does not match.',
        }),
      }),
    );

    expect(lines()).toEqual([
      `${LABEL} received → refused (401, 2 ms) SIGNATURE_MISMATCH: SC-Signature does not match.`,
    ]);
  });

  it('counts a refused delivery as received and refused, by its error code, not enqueued', () => {
    const { activity: a } = activity();

    a.delivery(delivery({ statusCode: 401, responseBody: JSON.stringify({ error: 'SIGNATURE_MISSING' }) }));
    a.delivery(delivery({ statusCode: 401, responseBody: JSON.stringify({ error: 'SIGNATURE_MISSING' }) }));
    a.delivery(delivery({ statusCode: 413, responseBody: JSON.stringify({ error: 'PAYLOAD_TOO_LARGE' }) }));

    expect(a.counts()).toEqual({
      ...NO_COUNTS,
      received: 3,
      refused: 3,
      refusedByReason: { SIGNATURE_MISSING: 2, PAYLOAD_TOO_LARGE: 1 },
    });
  });

  it('labels a delivery whose body is not JSON with placeholders', () => {
    const { activity: a, lines } = activity();

    a.delivery(
      delivery({ statusCode: 400, requestBody: 'not json', responseBody: '{"error":"INVALID_PAYLOAD"}' }),
    );

    expect(lines()).toEqual([`${AT} ?             -------- received → refused (400, 12 ms) INVALID_PAYLOAD`]);
  });
});

describe('Activity.log', () => {
  it('prints and counts an event the processor processed', () => {
    const { activity: a, lines } = activity();

    a.log(logLine(LOG_MESSAGES.eventProcessed));

    expect(lines()).toEqual([`${LABEL} processed`]);
    expect(a.counts()).toEqual({ ...NO_COUNTS, processed: 1 });
  });

  it('prints and counts a refused delivery the receiver quarantined, pointing to doctor', () => {
    const { activity: a, lines } = activity();

    a.log(logLine(LOG_MESSAGES.deliveryQuarantined, { errorCode: 'SIGNATURE_MISMATCH' }));

    expect(lines()).toEqual([
      `${LABEL} refused (SIGNATURE_MISMATCH), kept in the quarantine: npm run cli -- doctor`,
    ]);
    expect(a.quarantineCounts()).toEqual({ kept: 1, missed: 0, released: 0 });
  });

  it('prints and counts a refused delivery the receiver could not quarantine, with why', () => {
    const { activity: a, lines } = activity();

    a.log(
      logLine(LOG_MESSAGES.quarantineMissed, {
        level: 'WARN',
        errorCode: 'SIGNATURE_MISMATCH',
        cause: 'WRITE_FAILED',
        detail: 'TimeoutError: no answer within 150 ms',
      }),
    );

    expect(lines()).toEqual([
      `${LABEL} refused (SIGNATURE_MISMATCH) and NOT quarantined: TimeoutError: no answer within 150 ms`,
    ]);
    expect(a.quarantineCounts()).toEqual({ kept: 0, missed: 1, released: 0 });
  });

  it('marks and counts a released event the processor processed', () => {
    const { activity: a, lines } = activity();

    a.log(logLine(LOG_MESSAGES.eventProcessed, { releaseId: 'release-1', verifiedWith: 'current' }));

    expect(lines()).toEqual([`${LABEL} processed (released release-1, current)`]);
    expect(a.quarantineCounts()).toEqual({ kept: 0, missed: 0, released: 1 });
    expect(a.counts()).toEqual({ ...NO_COUNTS, processed: 1 });
  });

  it('prints and counts a duplicate the processor skipped', () => {
    const { activity: a, lines } = activity();

    a.log(logLine(LOG_MESSAGES.duplicateSkipped));

    expect(lines()).toEqual([`${LABEL} duplicate, skipped (already processed)`]);
    expect(a.counts()).toEqual({ ...NO_COUNTS, duplicates: 1 });
  });

  it('keeps a processing failure for the record report without printing it', () => {
    const { activity: a, lines } = activity();

    a.log(logLine(LOG_MESSAGES.processingFailed, { level: 'ERROR', error: 'Error: boom' }));

    expect(lines()).toEqual([]);
  });

  it('prints an ERROR line compactly with its cause when not verbose', () => {
    const { activity: a, lines } = activity();

    a.log({ level: 'ERROR', message: 'Unexpected receiver error', cause: 'TimeoutError' });

    expect(lines()).toEqual(['  error: Unexpected receiver error (TimeoutError)']);
  });

  it('prints an ERROR line without a cause as its message alone when not verbose', () => {
    const { activity: a, lines } = activity();

    a.log({ level: 'ERROR', message: 'Unexpected receiver error' });

    expect(lines()).toEqual(['  error: Unexpected receiver error']);
  });

  it('prints no other line when not verbose', () => {
    const { activity: a, lines } = activity();

    a.log(logLine(LOG_MESSAGES.deliveryEnqueued));
    a.log({ level: 'INFO', message: LOG_MESSAGES.verifyNotProcessed });

    expect(lines()).toEqual([]);
  });

  it('leaves the other records to the functions’ own output when verbose', () => {
    const { activity: a, lines } = activity({ verbose: true });

    a.log(logLine(LOG_MESSAGES.deliveryEnqueued));
    a.log({ level: 'ERROR', message: 'Unexpected receiver error', cause: 'TimeoutError' });

    expect(lines()).toEqual([]);
  });

  it('still prints and counts progress when verbose', () => {
    const { activity: a, lines } = activity({ verbose: true });

    a.log(logLine(LOG_MESSAGES.eventProcessed));

    expect(lines()).toEqual([`${LABEL} processed`]);
    expect(a.counts()).toEqual({ ...NO_COUNTS, processed: 1 });
  });
});

describe('Activity.record', () => {
  it('prints nothing for a record that succeeded', () => {
    const { activity: a, lines } = activity();

    a.record(record({ failed: false }));

    expect(lines()).toEqual([]);
    expect(a.counts()).toEqual(NO_COUNTS);
  });

  it('prints a failed record with its attempt and the error the processor logged for it', () => {
    const { activity: a, lines } = activity();
    a.log(logLine(LOG_MESSAGES.processingFailed, { level: 'ERROR', error: 'Error: boom' }));

    a.record(record({ attempt: 1 }));

    expect(lines()).toEqual([`${LABEL} failed (attempt 1/3): Error: boom`]);
  });

  it('counts a failed record', () => {
    const { activity: a } = activity();

    a.record(record());

    expect(a.counts()).toEqual({ ...NO_COUNTS, failed: 1 });
  });

  it('ignores errors logged for other messages', () => {
    const { activity: a, lines } = activity();
    a.log(logLine(LOG_MESSAGES.processingFailed, { messageId: 'message-2', error: 'Error: other' }));

    a.record(record({ messageId: 'message-1' }));

    expect(lines()).toEqual([`${LABEL} failed (attempt 1/3): reported as failed`]);
  });

  it('shows a logged error with one failure only', () => {
    const { activity: a, lines } = activity();
    a.log(logLine(LOG_MESSAGES.processingFailed, { error: 'Error: boom' }));
    a.record(record({ attempt: 1 }));

    a.record(record({ attempt: 2 }));

    expect(lines().at(-1)).toBe(`${LABEL} failed (attempt 2/3): reported as failed`);
  });

  it('shows the lock message for a record whose event was locked', () => {
    const { activity: a, lines } = activity();
    a.log(logLine(LOG_MESSAGES.eventLocked, { level: 'WARN' }));

    a.record(record());

    expect(lines()).toEqual([`${LABEL} failed (attempt 1/3): ${LOG_MESSAGES.eventLocked}`]);
  });

  it('shows the invocation error of a batch that threw', () => {
    const { activity: a, lines } = activity();
    a.log(logLine(LOG_MESSAGES.processingFailed, { error: 'Error: boom' }));

    a.record(record({ invocationError: 'Task timed out after 30.00 seconds' }));

    expect(lines()).toEqual([`${LABEL} failed (attempt 1/3): Task timed out after 30.00 seconds`]);
  });

  it('prints that no retries are left when the attempt reaching maxReceiveCount fails', () => {
    const { activity: a, lines } = activity();

    a.record(record({ attempt: 3 }));

    expect(lines()).toEqual([
      `${LABEL} failed (attempt 3/3): reported as failed`,
      `${LABEL} no retries left: SQS moves it to the DLQ when its visibility timeout ends`,
    ]);
  });

  it('does not count a record as dead-lettered before SQS has moved it', () => {
    const { activity: a } = activity();

    a.record(record({ attempt: 3 }));

    expect(a.counts()).toEqual({ ...NO_COUNTS, failed: 1 });
  });

  it('does not say no retries are left before the last attempt', () => {
    const { activity: a, lines } = activity();

    a.record(record({ attempt: 2 }));

    expect(lines()).toEqual([`${LABEL} failed (attempt 2/3): reported as failed`]);
  });

  it('uses the configured maxReceiveCount', () => {
    const { activity: a, lines } = activity({ verbose: false, maxReceiveCount: 5 });

    a.record(record({ attempt: 3 }));

    expect(lines()).toEqual([`${LABEL} failed (attempt 3/5): reported as failed`]);
    expect(a.counts().deadLettered).toBe(0);
  });
});

describe('Activity.deadLettered', () => {
  const OTHER_ID = 'e5f6a7b8-0000-4000-8000-000000000002';
  const OTHER_EVENT = JSON.stringify({ eventId: OTHER_ID, eventType: 'VEHICLE_ERROR' });

  it('prints the events that ran out of retries as dead-lettered, oldest first', () => {
    const { activity: a, print, lines } = activity();
    a.record(record({ attempt: 3 }));
    a.record(record({ messageId: 'message-2', body: OTHER_EVENT, attempt: 3 }));
    print.mockClear();

    a.deadLettered(2);

    expect(lines()).toEqual([
      `${LABEL} dead-lettered after 3 attempts (fix the cause, then: npm run cli -- redrive)`,
      `${AT} VEHICLE_ERROR e5f6a7b8 dead-lettered after 3 attempts (fix the cause, then: npm run cli -- redrive)`,
    ]);
  });

  it('counts the messages that arrived in the DLQ', () => {
    const { activity: a } = activity();
    a.record(record({ attempt: 3 }));

    a.deadLettered(1);

    expect(a.counts()).toEqual({ ...NO_COUNTS, failed: 1, deadLettered: 1 });
  });

  it('prints a placeholder for a DLQ arrival it did not see run out of retries', () => {
    const { activity: a, lines } = activity();

    a.deadLettered(1);

    expect(lines()).toEqual([
      `${AT} ?             -------- dead-lettered (fix the cause, then: npm run cli -- redrive)`,
    ]);
    expect(a.counts().deadLettered).toBe(1);
  });

  it('matches each event that ran out of retries to one arrival only', () => {
    const { activity: a, lines } = activity();
    a.record(record({ attempt: 3 }));
    a.deadLettered(1);

    a.deadLettered(1);

    expect(lines().at(-1)).toBe(
      `${AT} ?             -------- dead-lettered (fix the cause, then: npm run cli -- redrive)`,
    );
  });
});

describe('Activity: the archive and replays', () => {
  it('gives every record of a batch that could not be archived that reason, once each, and no error line', () => {
    const { activity: a, lines } = activity();

    a.log({ level: 'ERROR', message: LOG_MESSAGES.archiveWriteFailed, records: 2, error: 'socket hang up' });
    a.record(record({ messageId: 'm1' }));
    a.record(record({ messageId: 'm2' }));
    a.record(record({ messageId: 'm3' }));

    expect(lines()).toEqual([
      `${LABEL} failed (attempt 1/3): not archived, so not processed; left on the queue (socket hang up)`,
      `${LABEL} failed (attempt 1/3): not archived, so not processed; left on the queue (socket hang up)`,
      `${LABEL} failed (attempt 1/3): reported as failed`,
    ]);
  });

  it('marks the lines of a replayed event with its replay id', () => {
    const { activity: a, lines } = activity();

    a.log(logLine(LOG_MESSAGES.eventProcessed, { replayId: 'replay-1' }));
    a.log(logLine(LOG_MESSAGES.duplicateSkipped, { replayId: 'replay-2' }));

    expect(lines()).toEqual([
      `${LABEL} processed (replay replay-1)`,
      `${LABEL} duplicate, skipped (already processed) (replay replay-2)`,
    ]);
    expect(a.counts()).toMatchObject({ processed: 1, duplicates: 1 });
  });
});

describe('Activity: what the dead-letter line advises, by why the event is there', () => {
  it.each([
    [
      'UNKNOWN_EVENT_TYPE',
      'this version does not know it: add a handler for it (or update the project), then: npm run cli -- redrive',
    ],
    ['SCHEMA_INVALID', 'a redrive will not help: the event itself lacks what a handler needs'],
    ['NOT_A_SMARTCAR_EVENT', 'a redrive will not help'],
    [
      'HANDLER_REFUSED',
      'your handler refused it (UnprocessableEventError): change the handler, then: npm run cli -- redrive',
    ],
  ])('a parked %s event', (reason, advice) => {
    const { activity: a, lines } = activity();
    a.log(
      logLine(LOG_MESSAGES.sentToDeadLetterQueue, { level: 'ERROR', reason, detail: 'signals: not a list' }),
    );

    a.deadLettered(1);

    expect(lines().at(-1)).toContain(`${LABEL} dead-lettered (${advice}`);
    expect(lines().at(-1)).not.toContain('after');
  });
});

describe('Activity: the handlers’ own log lines', () => {
  it('prints a handler record in one line under its event: message and its keys', () => {
    const { activity: a, lines } = activity();

    a.log(
      logLine('Vehicle state received', {
        timestamp: '2026-12-01T10:00:00.000Z',
        cold_start: true,
        function_request_id: 'r-1',
        signalCount: 5,
        failedSignals: ['location-isathome'],
      }),
    );

    expect(lines()).toEqual([
      `${LABEL}   ↳ Vehicle state received  signalCount=5 failedSignals=["location-isathome"]`,
    ]);
  });

  it('names the level unless INFO, cuts long values and shows at most five keys', () => {
    const { activity: a, lines } = activity();

    a.log(logLine('Many keys', { level: 'WARN', a: 'x'.repeat(60), b: 2, c: 3, d: 4, e: 5, f: 6 }));

    expect(lines()).toEqual([`${LABEL}   ↳ WARN Many keys  a=${'x'.repeat(39)}… b=2 c=3 d=4 e=5 …`]);
  });

  it('does not repeat the pipeline’s own records, and leaves the raw records to --verbose', () => {
    const quiet = activity();
    quiet.activity.log(logLine(LOG_MESSAGES.deliveryEnqueued));
    const verbose = activity({ verbose: true });
    verbose.activity.log(logLine('Vehicle state received', { signalCount: 5 }));

    expect(quiet.lines()).toEqual([]);
    expect(verbose.lines()).toEqual([]);
  });
});
