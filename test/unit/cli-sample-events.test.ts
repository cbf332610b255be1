import { parseJsonObject, summarizeEvent } from '../../lambdas/runtime/envelope';
import { isVerifyEnvelope, readChallenge } from '../../lambdas/receiver/challenge';
import { SAMPLE_FLEET } from '../../local/kit/event-parts';
import {
  sampleEvent,
  type SampleEventType,
  sampleVehicleErrorEvent,
  sampleVehicleStateEvent,
  sampleVerifyEvent,
} from '../../local/kit/deliveries';

/** The event as the receiver sees it: serialized, then parsed from the bytes. */
function received(event: object) {
  const body = Buffer.from(JSON.stringify(event), 'utf8');
  const document = parseJsonObject(body.toString('utf8'));
  if (document === undefined) throw new Error('not a JSON object');
  return { body, document };
}

describe('sample events', () => {
  it.each<SampleEventType>(['VEHICLE_STATE', 'VEHICLE_ERROR'])(
    'builds a %s the receiver summarizes with its eventId, deliveryId and vehicle id',
    (type) => {
      const event = sampleEvent(type);
      const { body, document } = received(event);

      const summary = summarizeEvent(document, body);

      expect(summary).toEqual({
        format: 'current',
        eventKey: event.eventId,
        eventType: type,
        deliveryId: event.meta?.deliveryId,
        vehicleId: expect.any(String),
      });
      expect(SAMPLE_FLEET.map((vehicle) => vehicle.id)).toContain(summary.vehicleId);
      expect(isVerifyEnvelope(document)).toBe(false);
    },
  );

  it('builds a VERIFY whose challenge the receiver agrees to sign', () => {
    const { document } = received(sampleVerifyEvent());

    expect(isVerifyEnvelope(document)).toBe(true);
    expect(readChallenge(document)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('puts the given challenge into a VERIFY', () => {
    expect(sampleVerifyEvent('abc-123').data.challenge).toBe('abc-123');
  });

  it.each<SampleEventType>(['VERIFY', 'VEHICLE_STATE', 'VEHICLE_ERROR'])(
    'gives every %s a fresh eventId and deliveryId',
    (type) => {
      const first = sampleEvent(type);
      const second = sampleEvent(type);

      expect(first.eventId).not.toBe(second.eventId);
      expect(first.meta?.deliveryId).not.toBe(second.meta?.deliveryId);
    },
  );

  it('builds a VEHICLE_STATE marked TEST, delivered now, with one signal in ERROR state', () => {
    const before = Date.now();

    const event = sampleVehicleStateEvent();

    const signals = event.data.signals ?? [];
    const failed = signals.filter((signal) => signal.status?.value === 'ERROR');
    expect(event.meta).toMatchObject({ mode: 'TEST', version: '4.0', signalCount: signals.length });
    expect(event.meta?.deliveredAt).toBeGreaterThanOrEqual(before);
    expect(event.meta?.deliveredAt).toBeLessThanOrEqual(Date.now());
    expect(failed).toHaveLength(1);
    expect(failed[0]).not.toHaveProperty('body');
    expect(failed[0]).not.toHaveProperty('meta');
    expect(event.triggers).toEqual([expect.objectContaining({ type: 'SIGNAL_UPDATED' })]);
  });

  it('builds a VEHICLE_ERROR marked TEST with active errors and their resolutions', () => {
    const event = sampleVehicleErrorEvent();

    expect(event.meta?.mode).toBe('TEST');
    expect(event.data.errors).toEqual([
      expect.objectContaining({
        type: 'COMPATIBILITY',
        state: 'ERROR',
        resolution: { type: 'CONTACT_SUPPORT' },
      }),
      expect.objectContaining({ type: 'PERMISSION', code: null, resolution: { type: 'REAUTHENTICATE' } }),
    ]);
  });

  it('uses the vehicle and clock it is given', () => {
    const vehicle = SAMPLE_FLEET[1] as (typeof SAMPLE_FLEET)[number];

    const event = sampleVehicleStateEvent({ vehicle, now: 1_769_937_943_464 });

    expect(event.data.vehicle).toEqual({
      id: vehicle.id,
      make: vehicle.make,
      model: vehicle.model,
      year: vehicle.year,
    });
    expect(event.data.user).toEqual({ id: vehicle.userId });
    expect(event.meta?.deliveredAt).toBe(1_769_937_943_464);
  });

  it('stays far below Smartcar’s 50 KB delivery limit', () => {
    expect(JSON.stringify(sampleVehicleStateEvent()).length).toBeLessThan(8 * 1024);
  });
});
