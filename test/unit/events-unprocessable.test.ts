import { parseSmartcarEvent } from '../../lambdas/sdk/events/parse-event';
import { UNPROCESSABLE_REASONS } from '../../lambdas/contract';
import {
  legacyEventBasedSample,
  removeAt,
  SAMPLE_VIN,
  setAt,
  vehicleErrorSample,
  vehicleStateSample,
} from './events-fixtures';

/** The reason and the issue paths of a refused document. */
function refusal(document: unknown) {
  const result = parseSmartcarEvent(document);
  if (result.success) throw new Error('expected the document to be refused');
  return { reason: result.reason, paths: result.issues.map((issue) => issue.path) };
}

describe('parseSmartcarEvent: why an event cannot be processed', () => {
  it.each([
    ['an array', []],
    ['null', null],
    ['a string', '{"eventId":"x"}'],
    ['an object with neither eventType nor eventName', removeAt(vehicleStateSample(), ['eventType'])],
  ])('refuses %s as NOT_A_SMARTCAR_EVENT at the root', (_name, document) => {
    expect(refusal(document)).toEqual({ reason: UNPROCESSABLE_REASONS.notASmartcarEvent, paths: ['(root)'] });
  });

  it.each([
    ['VEHICLE_STATE', vehicleStateSample],
    ['VEHICLE_ERROR', vehicleErrorSample],
  ])('refuses a %s whose eventType this version does not know as UNKNOWN_EVENT_TYPE', (_name, sample) => {
    const document = setAt(sample(), ['eventType'], 'VEHICLE_COMMAND');
    expect(refusal(document)).toEqual({
      reason: UNPROCESSABLE_REASONS.unknownEventType,
      paths: ['eventType'],
    });
  });

  it('refuses an unknown eventType even without meta, as UNKNOWN_EVENT_TYPE', () => {
    const document = setAt(removeAt(vehicleStateSample(), ['meta']), ['eventType'], 'TRIP_COMPLETED');
    expect(refusal(document).reason).toBe(UNPROCESSABLE_REASONS.unknownEventType);
  });

  it('refuses a legacy envelope with an unknown eventName as UNKNOWN_EVENT_TYPE', () => {
    const document = setAt(legacyEventBasedSample(), ['eventName'], 'weekly');
    expect(refusal(document)).toEqual({
      reason: UNPROCESSABLE_REASONS.unknownEventType,
      paths: ['eventName'],
    });
  });

  it('refuses a meta.version other than "4.0" or "3.0" as UNKNOWN_ENVELOPE_VERSION', () => {
    const document = setAt(vehicleStateSample(), ['meta', 'version'], '5.0');
    expect(refusal(document)).toEqual({
      reason: UNPROCESSABLE_REASONS.unknownEnvelopeVersion,
      paths: ['meta.version'],
    });
  });

  it('gives UNKNOWN_ENVELOPE_VERSION precedence when the event type is unknown too, and names both', () => {
    const document = setAt(setAt(vehicleStateSample(), ['meta', 'version'], '5.0'), ['eventType'], 'NEW');
    expect(refusal(document)).toEqual({
      reason: UNPROCESSABLE_REASONS.unknownEnvelopeVersion,
      paths: ['meta.version', 'eventType'],
    });
  });

  it.each([
    ['version "3.0"', '3.0'],
    ['no version', undefined],
  ])('refuses a legacy envelope with %s as UNKNOWN_ENVELOPE_VERSION', (_name, version) => {
    const document =
      version === undefined
        ? removeAt(legacyEventBasedSample(), ['version'])
        : setAt(legacyEventBasedSample(), ['version'], version);
    expect(refusal(document)).toEqual({
      reason: UNPROCESSABLE_REASONS.unknownEnvelopeVersion,
      paths: ['version'],
    });
  });

  it('refuses a known event missing what handlers need as SCHEMA_INVALID, naming the field', () => {
    const document = removeAt(vehicleStateSample(), ['data', 'vehicle']);
    expect(refusal(document)).toEqual({
      reason: UNPROCESSABLE_REASONS.schemaInvalid,
      paths: ['data.vehicle.id'],
    });
  });

  it('never puts the unknown value into the issues', () => {
    const result = parseSmartcarEvent(setAt(vehicleStateSample(), ['eventType'], SAMPLE_VIN));
    expect(JSON.stringify(result)).not.toContain(SAMPLE_VIN);
  });
});
