import { smartcarEventSchema } from '../../lambdas/shared/events/smartcar-event-schema';
import { parseSmartcarEvent } from '../../lambdas/shared/events/parse-event';
import {
  legacyEvent,
  legacyVerifyEvent,
  vehicleErrorEvent,
  vehicleStateEvent,
  verifyEvent,
} from '../support/builders';
import {
  type Json,
  legacyDynamicSample,
  legacyEventBasedSample,
  legacyScheduleSample,
  legacyVerifySample,
  removeAt,
  setAt,
  vehicleErrorSample,
  vehicleStateSample,
  verifySample,
} from './events-fixtures';

/** A deep copy with `extra` added to every object, at every depth: what Smartcar adding fields looks like. */
function withExtraEverywhere(value: unknown, extra: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((item) => withExtraEverywhere(item, extra));
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) copy[key] = withExtraEverywhere(field, extra);
  return { ...copy, ...extra };
}

/** The outcome of accepting `document` unchanged, unknown fields included. */
function accepted(document: unknown) {
  return { success: true, event: document };
}

describe('parseSmartcarEvent: the reference samples', () => {
  it.each([
    ['VERIFY', verifySample],
    ['VEHICLE_STATE', vehicleStateSample],
    ['VEHICLE_ERROR', vehicleErrorSample],
    ['legacy verify', legacyVerifySample],
    ['legacy eventBased', legacyEventBasedSample],
    ['legacy dynamic', legacyDynamicSample],
    ['legacy schedule', () => legacyScheduleSample('schedule')],
    ['legacy scheduled', () => legacyScheduleSample('scheduled')],
  ])('accepts the %s sample unchanged', (_name, sample) => {
    const document = sample();
    expect(parseSmartcarEvent(document)).toEqual(accepted(document));
  });

  it.each([
    ['vehicleStateEvent', () => vehicleStateEvent()],
    ['vehicleErrorEvent', () => vehicleErrorEvent()],
    ['legacyEvent', () => legacyEvent()],
    ['verifyEvent', () => verifyEvent()],
    ['legacyVerifyEvent', () => legacyVerifyEvent()],
  ])('accepts what the test builder %s makes', (_name, build) => {
    const document = build();
    expect(parseSmartcarEvent(document)).toEqual(accepted(document));
  });

  it('accepts the samples through the single union schema too', () => {
    for (const sample of [vehicleStateSample(), vehicleErrorSample(), legacyEventBasedSample()]) {
      expect(smartcarEventSchema.safeParse(sample).success).toBe(true);
    }
  });
});

describe('parseSmartcarEvent: variants seen in real payloads and doc pages', () => {
  const state = vehicleStateSample;
  it.each<[string, () => Json]>([
    [
      'deliveredAt as an ISO-8601 string',
      () => setAt(state(), ['meta', 'deliveredAt'], '2026-02-01T09:25:43.464Z'),
    ],
    [
      'deliveredAt with a numeric offset',
      () => setAt(state(), ['meta', 'deliveredAt'], '2026-02-01T10:25:43+01:00'),
    ],
    ['deliveredAt in epoch seconds', () => setAt(state(), ['meta', 'deliveredAt'], 1769937943)],
    ['a success signal without status', () => removeAt(state(), ['data', 'signals', 0, 'status'])],
    ['a success signal whose meta is {}', () => setAt(state(), ['data', 'signals', 0, 'meta'], {})],
    ['a success signal without meta', () => removeAt(state(), ['data', 'signals', 0, 'meta'])],
    [
      'a static signal with oemUpdatedAt 0',
      () => setAt(state(), ['data', 'signals', 0, 'meta', 'oemUpdatedAt'], 0),
    ],
    [
      'fetchedAt instead of retrievedAt',
      () => setAt(state(), ['data', 'signals', 0, 'meta'], { fetchedAt: 1769937943244 }),
    ],
    [
      'a failure signal whose error code is null',
      () => setAt(state(), ['data', 'signals', 4, 'status', 'error', 'code'], null),
    ],
    [
      'a trigger signal as a dotted string',
      () => setAt(state(), ['triggers', 0, 'signal'], 'Charge.IsCharging'),
    ],
    ['a FIRST_DELIVERY trigger', () => setAt(state(), ['triggers'], [{ type: 'FIRST_DELIVERY' }])],
    [
      'triggers inside data as { code }',
      () => setAt(removeAt(state(), ['triggers']), ['data', 'triggers'], [{ code: 'FIRST_DELIVERY' }]),
    ],
    ['no triggers at all', () => removeAt(state(), ['triggers'])],
    ['an unknown mode', () => setAt(state(), ['meta', 'mode'], 'SIMULATED')],
    [
      'a top-level vehicleId instead of data.vehicle',
      () => setAt(removeAt(state(), ['data', 'vehicle']), ['vehicleId'], 'v-1'),
    ],
    ['no signals', () => setAt(state(), ['data', 'signals'], [])],
  ])('accepts a VEHICLE_STATE with %s', (_name, build) => {
    const document = build();
    expect(parseSmartcarEvent(document)).toEqual(accepted(document));
  });

  const error = vehicleErrorSample;
  it.each<[string, () => Json]>([
    [
      'a RESOLVED error without resolution',
      () =>
        removeAt(setAt(error(), ['data', 'errors', 0, 'state'], 'RESOLVED'), [
          'data',
          'errors',
          0,
          'resolution',
        ]),
    ],
    ['resolution null', () => setAt(error(), ['data', 'errors', 0, 'resolution'], null)],
    ['resolution.type null', () => setAt(error(), ['data', 'errors', 0, 'resolution'], { type: null })],
    [
      'signals as dotted strings',
      () => setAt(error(), ['data', 'errors', 0, 'signals'], ['Location.PreciseLocation']),
    ],
    ['an undocumented error type', () => setAt(error(), ['data', 'errors', 0, 'type'], 'BRAND_NEW_TYPE')],
    ['signals missing', () => removeAt(error(), ['data', 'errors', 0, 'signals'])],
    [
      'a docURL and an undocumented code',
      () =>
        setAt(
          setAt(error(), ['data', 'errors', 0, 'code'], 'NEW_CODE'),
          ['data', 'errors', 0, 'docURL'],
          'https://smartcar.com/docs',
        ),
    ],
    [
      'the best-practices alias shape',
      () =>
        setAt(error(), ['data', 'errors', 0], {
          type: 'VEHICLE_NOT_CAPABLE',
          signalPath: 'Location.PreciseLocation',
          message: 'Not capable.',
        }),
    ],
  ])('accepts a VEHICLE_ERROR with %s', (_name, build) => {
    const document = build();
    expect(parseSmartcarEvent(document)).toEqual(accepted(document));
  });
});

describe('parseSmartcarEvent: fields Smartcar may add', () => {
  it.each([
    ['VERIFY', verifySample],
    ['VEHICLE_STATE', vehicleStateSample],
    ['VEHICLE_ERROR', vehicleErrorSample],
    ['legacy eventBased', legacyEventBasedSample],
    ['legacy dynamic', legacyDynamicSample],
  ])('accepts and keeps unknown fields at every level of a %s', (_name, sample) => {
    const extended = withExtraEverywhere(sample(), { futureField: { nested: [1, 'two'] } });
    expect(parseSmartcarEvent(extended)).toEqual(accepted(extended));
  });
});
