import { smartcarEventSchema } from '../../lambdas/sdk/events/smartcar-event-schema';
import { parseSmartcarEvent } from '../../lambdas/sdk/events/parse-event';
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

/** The outcome of accepting `document` unchanged, unknown fields included, without any tolerance. */
function acceptedAsDocumented(document: unknown) {
  return { success: true, event: document, drift: [] };
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
  ])('accepts the %s sample unchanged and reports no drift', (_name, sample) => {
    const document = sample();
    expect(parseSmartcarEvent(document)).toEqual(acceptedAsDocumented(document));
  });

  it.each([
    ['vehicleStateEvent', () => vehicleStateEvent()],
    ['vehicleErrorEvent', () => vehicleErrorEvent()],
    ['legacyEvent', () => legacyEvent()],
    ['verifyEvent', () => verifyEvent()],
    ['legacyVerifyEvent', () => legacyVerifyEvent()],
  ])('accepts what the test builder %s makes, without drift', (_name, build) => {
    const document = build();
    expect(parseSmartcarEvent(document)).toEqual(acceptedAsDocumented(document));
  });

  it('accepts the samples through the single union schema too', () => {
    for (const sample of [vehicleStateSample(), vehicleErrorSample(), legacyEventBasedSample()]) {
      expect(smartcarEventSchema.safeParse(sample).success).toBe(true);
    }
  });
});

describe('parseSmartcarEvent: documented optional parts are not drift', () => {
  const state = vehicleStateSample;
  it.each<[string, () => Json]>([
    ['a success signal without status', () => removeAt(state(), ['data', 'signals', 0, 'status'])],
    ['a success signal whose meta is {}', () => setAt(state(), ['data', 'signals', 0, 'meta'], {})],
    ['a success signal without meta', () => removeAt(state(), ['data', 'signals', 0, 'meta'])],
    [
      'a static signal with oemUpdatedAt 0',
      () => setAt(state(), ['data', 'signals', 0, 'meta', 'oemUpdatedAt'], 0),
    ],
    [
      'a failure signal whose error code is null',
      () => setAt(state(), ['data', 'signals', 4, 'status', 'error', 'code'], null),
    ],
    ['a FIRST_DELIVERY trigger', () => setAt(state(), ['triggers'], [{ type: 'FIRST_DELIVERY' }])],
    ['no triggers at all', () => removeAt(state(), ['triggers'])],
    ['an unknown mode', () => setAt(state(), ['meta', 'mode'], 'SIMULATED')],
    ['no webhookName, mode or signalCount', () => removeAll(state(), ['webhookName', 'mode', 'signalCount'])],
    ['no signals', () => setAt(state(), ['data', 'signals'], [])],
    ['no user', () => removeAt(state(), ['data', 'user'])],
  ])('accepts a VEHICLE_STATE with %s', (_name, build) => {
    const document = build();
    expect(parseSmartcarEvent(document)).toEqual(acceptedAsDocumented(document));
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
    ['an undocumented error type', () => setAt(error(), ['data', 'errors', 0, 'type'], 'BRAND_NEW_TYPE')],
    ['signals missing', () => removeAt(error(), ['data', 'errors', 0, 'signals'])],
    ['no errors', () => setAt(error(), ['data', 'errors'], [])],
    [
      'a docURL and an undocumented code',
      () =>
        setAt(
          setAt(error(), ['data', 'errors', 0, 'code'], 'NEW_CODE'),
          ['data', 'errors', 0, 'docURL'],
          'https://smartcar.com/docs',
        ),
    ],
  ])('accepts a VEHICLE_ERROR with %s', (_name, build) => {
    const document = build();
    expect(parseSmartcarEvent(document)).toEqual(acceptedAsDocumented(document));
  });
});

describe('parseSmartcarEvent: fields Smartcar may add', () => {
  it.each([
    ['VERIFY', verifySample],
    ['VEHICLE_STATE', vehicleStateSample],
    ['VEHICLE_ERROR', vehicleErrorSample],
    ['legacy eventBased', legacyEventBasedSample],
    ['legacy dynamic', legacyDynamicSample],
  ])(
    'accepts and keeps unknown fields at every level of a %s, and does not count them as drift',
    (_name, sample) => {
      const extended = withExtraEverywhere(sample(), { futureField: { nested: [1, 'two'] } });
      expect(parseSmartcarEvent(extended)).toEqual(acceptedAsDocumented(extended));
    },
  );
});

function removeAll(document: Json, metaFields: readonly string[]): Json {
  for (const field of metaFields) removeAt(document, ['meta', field]);
  return document;
}
