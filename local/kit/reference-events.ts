import type {
  EventMeta,
  LegacyDynamicEvent,
  LegacyEventBased,
  LegacyScheduleEvent,
  VehicleErrorEvent,
  VehicleStateEvent,
  VerifyEvent,
} from '../../lambdas/sdk';
import { SAMPLE_FLEET, SAMPLE_SIGNALS, SAMPLE_VEHICLE_ERRORS } from './event-parts';
import {
  type LegacyVerifyEvent,
  legacyEventBasedOf,
  legacyVerifyOf,
  REFERENCE_SIGNAL_TIMES,
  vehicleErrorOf,
  vehicleStateOf,
  verifyOf,
} from './events';
import { type Json, setAt } from './json';

/**
 * The sample payloads of the protocol reference (../shared/smartcar-webhooks.md), with its ids and
 * times: known-answer vectors for the event model. Each call returns a fresh object, so a test may
 * mutate it.
 */

const LEGACY_WEBHOOK_ID = '2bc671d0-b712-4cac-8837-50deeb474605';
const LEGACY_VEHICLE_ID = '00000000-0000-4000-A000-000000000000';

/** Section 2: VERIFY, current envelope. */
export function verifySample(): VerifyEvent {
  const stamp = {
    eventId: '52f6e0bb-1369-45da-a61c-9e67d092d6db',
    deliveryId: '5d569643-3a47-4cd1-a3ec-db5fc1f6f03b',
    webhookId: '5a8e5e38-1e12-4011-a36d-56f120053f9e',
    deliveredAt: 1761896351529,
  };
  return verifyOf(stamp, '3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f', { webhookName: 'Example Webhook' });
}

/** Section 2: VERIFY, legacy v2.0 envelope (placeholders filled in). */
export function legacyVerifySample(): LegacyVerifyEvent {
  return legacyVerifyOf(LEGACY_WEBHOOK_ID, 'f2b1c3d4-0000-4000-8000-000000000001');
}

/** Section 4: VEHICLE_STATE (real shape, trimmed). Signals: 0 SoC, 1 charging, 2 location, 3 odometer, 4 error. */
export function vehicleStateSample(): VehicleStateEvent {
  const { fresh, parked, odometer } = REFERENCE_SIGNAL_TIMES;
  const isCharging = SAMPLE_SIGNALS.isCharging(true, fresh);
  const signals = [
    SAMPLE_SIGNALS.stateOfCharge(89, fresh),
    isCharging,
    SAMPLE_SIGNALS.preciseLocation(parked),
    SAMPLE_SIGNALS.traveledDistance(odometer),
    SAMPLE_SIGNALS.isAtHomeNotCapable(),
  ];
  const stamp = {
    eventId: '2b65f4e6-0356-440e-a87f-eed19cffda9a',
    deliveryId: '23db56ff-a58b-4c0d-990b-91846fd3a451',
    webhookId: '7ff798f5-bbce-4300-a1f4-d553d0fb23b0',
    deliveredAt: 1769937943464,
  };
  return vehicleStateOf(stamp, SAMPLE_FLEET[0], signals, isCharging, { webhookName: 'Fleet', mode: 'LIVE' });
}

/** Section 4: VEHICLE_ERROR. Errors: 0 COMPATIBILITY, 1 PERMISSION. */
export function vehicleErrorSample(): VehicleErrorEvent {
  const stamp = {
    eventId: '5a537912-9ad3-424b-ba33-65a1704567e9',
    deliveryId: '48b25f8f-9fea-42e1-9085-81043682cbb8',
    webhookId: '123e4567-e89b-12d3-a456-426614174000',
    deliveredAt: 1761896351529,
  };
  const errors = [SAMPLE_VEHICLE_ERRORS.notCapable(), SAMPLE_VEHICLE_ERRORS.missingPermission()];
  return vehicleErrorOf(stamp, SAMPLE_FLEET[1], errors, { webhookName: 'Fleet', mode: 'LIVE' });
}

/**
 * Section 8: `meta` as Dashboard test deliveries (and some makes) send it: no `version`, no
 * `webhookId`/`webhookName`, an undocumented `deliveryTime`.
 */
export function dashboardTestMeta(): EventMeta {
  return {
    mode: 'TEST',
    deliveryId: 'c0a8f7d2-6a51-4b7e-9d1c-2f3e4a5b6c7d',
    deliveredAt: 1758238783185,
    deliveryTime: 1758238783185,
  };
}

/** `document` (a VEHICLE_STATE) with `data.signals` turned into an object keyed by signal name. */
export function withSignalsKeyedByName(document: Json): Json {
  const signals = (document.data as { signals: Json[] }).signals;
  return setAt(
    document,
    ['data', 'signals'],
    Object.fromEntries(signals.map((entry) => [entry.name, entry])),
  );
}

/** Section 5: legacy eventBased. */
export function legacyEventBasedSample(): LegacyEventBased {
  return legacyEventBasedOf({
    webhookId: LEGACY_WEBHOOK_ID,
    eventId: '68f4179e-0648-4795-a4d8-0b553c2c635c',
    vehicleId: LEGACY_VEHICLE_ID,
  });
}

/** Section 5: legacy dynamic, built from the table (`vehicles[].data[] { path, code, body }`). */
export function legacyDynamicSample(): LegacyDynamicEvent {
  return {
    version: '2.0',
    webhookId: LEGACY_WEBHOOK_ID,
    eventName: 'dynamic',
    mode: 'live',
    payload: {
      vehicles: [
        {
          vehicleId: LEGACY_VEHICLE_ID,
          requestId: 'b2c3d4e5-0000-4000-8000-000000000002',
          data: [{ path: '/odometer', code: 200, body: { distance: 42506.3 } }],
        },
      ],
    },
  };
}

/** Section 5: legacy schedule (`eventName` as given, since one page says `scheduled`). */
export function legacyScheduleSample(eventName: string = 'schedule'): LegacyScheduleEvent {
  return { ...legacyDynamicSample(), eventName, mode: 'simulated' } as LegacyScheduleEvent;
}
