import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SmartcarEventValidationError } from '../../lambdas/sdk/events/errors';
import { parseSmartcarEventOrThrow } from '../../lambdas/sdk/events/parse-event';
import { UNPROCESSABLE_REASONS } from '../../lambdas/contract';
import { removeAt, SAMPLE_LATITUDE, SAMPLE_VIN, setAt, signal, vehicleStateSample } from './events-fixtures';

describe('parseSmartcarEventOrThrow', () => {
  it('throws a SmartcarEventValidationError that lists the paths and carries the issues and the reason', () => {
    const document = removeAt(vehicleStateSample(), ['eventId']);
    const thrown = captureError(() => parseSmartcarEventOrThrow(document));
    expect(thrown).toBeInstanceOf(SmartcarEventValidationError);
    expect(thrown).toMatchObject({
      name: 'SmartcarEventValidationError',
      reason: UNPROCESSABLE_REASONS.schemaInvalid,
      issues: [{ path: 'eventId' }],
    });
    expect(thrown.message).toContain('eventId: Invalid input: expected string');
  });

  it('carries the reason of an event this version does not know, with advice to extend the SDK', () => {
    const document = setAt(vehicleStateSample(), ['eventType'], 'VEHICLE_COMMAND');
    const thrown = captureError(() => parseSmartcarEventOrThrow(document));
    expect(thrown.reason).toBe(UNPROCESSABLE_REASONS.unknownEventType);
    expect(thrown.message).toContain('extend lambdas/sdk/events');
  });

  it('points to a section the README really has', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const thrown = captureError(() =>
      parseSmartcarEventOrThrow(setAt(vehicleStateSample(), ['eventType'], 'NEW_TYPE')),
    );
    const section = /README\.md, "([^"]+)"/.exec(thrown.message)?.[1];

    expect(section).toBeDefined();
    expect(readme).toMatch(new RegExp(`^#+ ${section}$`, 'm'));
  });

  it('returns an event that needed tolerances', () => {
    const document = removeAt(vehicleStateSample(), ['meta']);
    expect(parseSmartcarEventOrThrow(document)).toEqual(document);
  });

  it('never puts a VIN or a location into the message or the issues', () => {
    const document = vehicleStateSample();
    setAt(document, ['eventId'], SAMPLE_LATITUDE);
    setAt(document, ['data', 'vehicle', 'id'], SAMPLE_LATITUDE);
    // The VIN and the location travel in the same signals as the broken fields.
    const vin = signal('vehicleidentification-vin', 'VIN', 'VehicleIdentification', { value: SAMPLE_VIN });
    setAt(document, ['data', 'signals', 0], { ...vin, code: 5 });
    setAt(document, ['data', 'signals', 2, 'code'], SAMPLE_LATITUDE);
    setAt(document, ['triggers', 0, 'signal'], { name: SAMPLE_VIN });
    const thrown = captureError(() => parseSmartcarEventOrThrow(document));
    const everything = `${thrown.message} ${JSON.stringify(thrown)}`;
    expect(thrown.issues).toHaveLength(5);
    expect(everything).not.toContain(SAMPLE_VIN);
    expect(everything).not.toContain(String(SAMPLE_LATITUDE));
  });

  it('summarizes long issue lists', () => {
    const document = setAt(
      vehicleStateSample(),
      ['data', 'signals'],
      Array.from({ length: 12 }, () => 'not a signal'),
    );
    const thrown = captureError(() => parseSmartcarEventOrThrow(document));
    expect(thrown.issues).toHaveLength(12);
    expect(thrown.message).toContain('and 2 more');
  });
});

function captureError(fn: () => unknown): SmartcarEventValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SmartcarEventValidationError) return error;
    throw error;
  }
  throw new Error('expected a SmartcarEventValidationError');
}
