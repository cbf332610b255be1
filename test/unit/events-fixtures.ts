/**
 * The sample payloads of the protocol reference (../shared/smartcar-webhooks.md), copied as
 * known-answer vectors, plus helpers that break or extend exactly one thing. Each call returns a
 * fresh object, so a test may mutate it.
 */

/** A JSON object under test. */
export type Json = Record<string, unknown>;

/** A VIN and a latitude from the samples: personal data that must never appear in error messages. */
export const SAMPLE_VIN = '5YJ3E1EA7KF000316';
export const SAMPLE_LATITUDE = 61.1111;

/** Section 2: VERIFY, current envelope. */
export function verifySample(): Json {
  return {
    eventId: '52f6e0bb-1369-45da-a61c-9e67d092d6db',
    eventType: 'VERIFY',
    data: { challenge: '3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f' },
    meta: {
      version: '4.0',
      webhookId: '5a8e5e38-1e12-4011-a36d-56f120053f9e',
      webhookName: 'Example Webhook',
      deliveryId: '5d569643-3a47-4cd1-a3ec-db5fc1f6f03b',
      deliveredAt: 1761896351529,
    },
  };
}

/** Section 2: VERIFY, legacy v2.0 envelope (placeholders filled in). */
export function legacyVerifySample(): Json {
  return {
    version: '2.0',
    webhookId: '2bc671d0-b712-4cac-8837-50deeb474605',
    eventName: 'verify',
    payload: { challenge: 'f2b1c3d4-0000-4000-8000-000000000001' },
  };
}

/** Section 4: VEHICLE_STATE (real shape, trimmed). Signals: 0 SoC, 1 charging, 2 location, 3 odometer, 4 error. */
export function vehicleStateSample(): Json {
  const vehicle = {
    id: '875d9333-bbbb-4444-aaaa-17be22ebe970',
    make: 'POLESTAR',
    model: 'Polestar 2',
    year: 2024,
  };
  const fresh = { oemUpdatedAt: 1769937933000, retrievedAt: 1769937943244 };
  const soc = { value: 89, unit: 'percent' };
  const location = { latitude: SAMPLE_LATITUDE, longitude: 23.3333, locationType: 'LAST_PARKED' };
  const parked = { oemUpdatedAt: 1769852864000, retrievedAt: 1769937942671 };
  const odometer = { oemUpdatedAt: 1769852860000, retrievedAt: 1769937942628 };
  return {
    eventId: '2b65f4e6-0356-440e-a87f-eed19cffda9a',
    eventType: 'VEHICLE_STATE',
    data: {
      user: { id: '9c9cde56-3333-5555-6666-7e50207e6e64' },
      vehicle,
      signals: [
        signal('tractionbattery-stateofcharge', 'StateOfCharge', 'TractionBattery', soc, fresh),
        signal('charge-ischarging', 'IsCharging', 'Charge', { value: true }, fresh),
        signal('location-preciselocation', 'PreciseLocation', 'Location', location, parked),
        signal(
          'odometer-traveleddistance',
          'TraveledDistance',
          'Odometer',
          { value: 42506.3, unit: 'km' },
          odometer,
        ),
        {
          code: 'location-isathome',
          name: 'IsAtHome',
          group: 'Location',
          status: { value: 'ERROR', error: { type: 'COMPATIBILITY', code: 'VEHICLE_NOT_CAPABLE' } },
        },
      ],
    },
    triggers: [
      { type: 'SIGNAL_UPDATED', signal: { name: 'IsCharging', code: 'charge-ischarging', group: 'Charge' } },
    ],
    meta: {
      deliveryId: '23db56ff-a58b-4c0d-990b-91846fd3a451',
      deliveredAt: 1769937943464,
      version: '4.0',
      webhookId: '7ff798f5-bbce-4300-a1f4-d553d0fb23b0',
      webhookName: 'Fleet',
      mode: 'LIVE',
      signalCount: 5,
    },
  };
}

/** A successful signal in the real shape. */
export function signal(code: string, name: string, group: string, body: Json, meta: Json = {}): Json {
  return { code, name, group, body, meta, status: { value: 'SUCCESS' } };
}

/** Section 4: VEHICLE_ERROR. Errors: 0 COMPATIBILITY, 1 PERMISSION. */
export function vehicleErrorSample(): Json {
  return {
    eventId: '5a537912-9ad3-424b-ba33-65a1704567e9',
    eventType: 'VEHICLE_ERROR',
    data: {
      user: { id: '93b3ea96-ca37-43a9-9073-f4334719a0c7' },
      vehicle: { id: '123e4567-e89b-12d3-a456-426614174000', make: 'TESLA', model: 'Model 3', year: 2020 },
      errors: [
        {
          type: 'COMPATIBILITY',
          code: 'VEHICLE_NOT_CAPABLE',
          state: 'ERROR',
          description: 'The vehicle is incapable of performing your request.',
          suggestedUserMessage: 'Your car is unable to perform this request.',
          resolution: { type: 'CONTACT_SUPPORT' },
          signals: [{ code: 'location-preciselocation', name: 'PreciseLocation', group: 'Location' }],
        },
        {
          type: 'PERMISSION',
          code: null,
          state: 'ERROR',
          description: 'Your application has insufficient permissions to access the requested resource.',
          resolution: { type: 'REAUTHENTICATE' },
          signals: [{ code: 'closure-islocked', name: 'IsLocked', group: 'Closure' }],
        },
      ],
    },
    meta: {
      version: '4.0',
      deliveryId: '48b25f8f-9fea-42e1-9085-81043682cbb8',
      deliveredAt: 1761896351529,
      webhookId: '123e4567-e89b-12d3-a456-426614174000',
      webhookName: 'Fleet',
      mode: 'LIVE',
    },
  };
}

/**
 * Section 8: `meta` as Dashboard test deliveries (and some makes) send it: no `version`, no
 * `webhookId`/`webhookName`, an undocumented `deliveryTime`.
 */
export function dashboardTestMeta(): Json {
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
export function legacyEventBasedSample(): Json {
  return {
    version: '2.0',
    webhookId: '2bc671d0-b712-4cac-8837-50deeb474605',
    eventName: 'eventBased',
    mode: 'test',
    payload: {
      eventId: '68f4179e-0648-4795-a4d8-0b553c2c635c',
      vehicleId: '00000000-0000-4000-A000-000000000000',
      eventType: 'CHARGING_COMPLETED',
      eventTime: '2023-08-24T15:49:24.855Z',
    },
  };
}

/** Section 5: legacy dynamic, built from the table (`vehicles[].data[] { path, code, body }`). */
export function legacyDynamicSample(): Json {
  return {
    version: '2.0',
    webhookId: '2bc671d0-b712-4cac-8837-50deeb474605',
    eventName: 'dynamic',
    mode: 'live',
    payload: {
      vehicles: [
        {
          vehicleId: '00000000-0000-4000-A000-000000000000',
          requestId: 'b2c3d4e5-0000-4000-8000-000000000002',
          data: [{ path: '/odometer', code: 200, body: { distance: 42506.3 } }],
        },
      ],
    },
  };
}

/** Section 5: legacy schedule (`eventName` as given, since one page says `scheduled`). */
export function legacyScheduleSample(eventName = 'schedule'): Json {
  return { ...legacyDynamicSample(), eventName, mode: 'simulated' };
}

/** A path into a JSON document: object keys and array indices. */
export type JsonPath = readonly (string | number)[];

function parentOf(document: unknown, path: JsonPath): Record<string | number, unknown> {
  let node = document;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  if (typeof node !== 'object' || node === null) throw new Error(`No container at ${path.join('.')}`);
  return node as Record<string | number, unknown>;
}

/** Sets the value at `path` (mutates and returns the document). */
export function setAt<T>(document: T, path: JsonPath, value: unknown): T {
  parentOf(document, path)[path[path.length - 1]!] = value;
  return document;
}

/** Removes the field at `path` (mutates and returns the document). */
export function removeAt<T>(document: T, path: JsonPath): T {
  delete parentOf(document, path)[path[path.length - 1]!];
  return document;
}
