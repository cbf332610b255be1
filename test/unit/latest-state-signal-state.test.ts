import { compareVersions, CorruptStateItemError } from '../../lambdas/latest-state';
import { toSignalState } from '../../lambdas/latest-state/signal-state';

const T = 1769937933000;

/** A stored item with a value written by event-b at T; override or drop fields per test. */
function item(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    vehicleId: 'vehicle-1',
    signalCode: 'location-preciselocation',
    value: { latitude: 61.1111, longitude: 23.3333 },
    observedAt: T,
    eventId: 'event-b',
    updatedAt: T + 10_000,
    ...overrides,
  };
}

function lastError(observedAt: number, eventId: string) {
  return { type: 'VEHICLE', code: 'VEHICLE_ASLEEP', observedAt, eventId };
}

describe('compareVersions', () => {
  it('orders by observedAt first', () => {
    expect(
      compareVersions({ observedAt: T, eventId: 'z' }, { observedAt: T + 1, eventId: 'a' }),
    ).toBeLessThan(0);
  });

  it('breaks a tie by eventId', () => {
    expect(
      compareVersions({ observedAt: T, eventId: 'event-b' }, { observedAt: T, eventId: 'event-a' }),
    ).toBeGreaterThan(0);
  });

  it('finds a report equal to itself', () => {
    expect(
      compareVersions({ observedAt: T, eventId: 'event-a' }, { observedAt: T, eventId: 'event-a' }),
    ).toBe(0);
  });

  it('compares eventIds as UTF-8 bytes, as DynamoDB does, not as UTF-16 code units', () => {
    // U+FF5E sorts after U+1F600 (a surrogate pair) in UTF-16, but before it in UTF-8.
    expect(
      compareVersions({ observedAt: T, eventId: '\uff5e' }, { observedAt: T, eventId: '😀' }),
    ).toBeLessThan(0);
  });
});

describe('toSignalState', () => {
  it('reads a value without errors as SUCCESS', () => {
    expect(toSignalState(item())).toEqual({
      status: 'SUCCESS',
      value: { latitude: 61.1111, longitude: 23.3333 },
      observedAt: T,
      eventId: 'event-b',
      updatedAt: T + 10_000,
    });
  });

  it('reports ERROR and keeps the value when lastError is newer', () => {
    const state = toSignalState(item({ lastError: lastError(T + 1, 'event-c') }));

    expect(state).toMatchObject({ status: 'ERROR', value: { latitude: 61.1111 }, observedAt: T });
  });

  it('reports SUCCESS when the value is newer than lastError', () => {
    expect(toSignalState(item({ lastError: lastError(T - 1, 'event-z') })).status).toBe('SUCCESS');
  });

  it('breaks an equal-time tie between value and error by eventId', () => {
    expect(toSignalState(item({ lastError: lastError(T, 'event-c') })).status).toBe('ERROR');
    expect(toSignalState(item({ lastError: lastError(T, 'event-a') })).status).toBe('SUCCESS');
  });

  it('reports ERROR without a value for a signal that only ever failed', () => {
    const state = toSignalState(
      item({
        value: undefined,
        observedAt: undefined,
        eventId: undefined,
        lastError: lastError(T, 'event-a'),
      }),
    );

    expect(state).toEqual({ status: 'ERROR', lastError: lastError(T, 'event-a'), updatedAt: T + 10_000 });
  });

  it('reads a null error code', () => {
    const state = toSignalState(item({ lastError: { ...lastError(T + 1, 'event-c'), code: null } }));

    expect(state.lastError?.code).toBeNull();
  });

  it.each([
    ['updatedAt', { updatedAt: undefined }],
    ['observedAt', { observedAt: '1769937933000' }],
    ['eventId', { eventId: undefined }],
    ['value', { value: 'not a map' }],
    ['lastError', { lastError: { type: 'VEHICLE', code: null } }],
    ['observedAt', { value: undefined, observedAt: undefined, eventId: undefined }],
  ])('throws CorruptStateItemError naming %s for a malformed item', (field, overrides) => {
    const read = () => toSignalState(item(overrides));

    expect(read).toThrow(CorruptStateItemError);
    expect(read).toThrow(`no valid '${field}'`);
  });
});
