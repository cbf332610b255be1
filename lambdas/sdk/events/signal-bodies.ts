import * as z from 'zod';
import { openEnum } from './schema-helpers';

/**
 * Bodies of the common signals (protocol reference, section 6). Lenient on purpose: units and field
 * names drift between makes, so every schema is loose, requires only the reading itself (and its
 * `unit` where the unit varies), and leaves the rest optional. Read `unit`; never assume one.
 */

/** A measured value in a unit that varies by make (`km`/`kilometers`, `kW`/`W` …). */
export const quantityBodySchema = z.looseObject({ value: z.number(), unit: z.string() });

/** A yes/no signal. */
export const booleanBodySchema = z.looseObject({ value: z.boolean() });

/** `tractionbattery-range`: `type` and `additionalValues` describe alternative estimates. */
export const rangeBodySchema = z.looseObject({
  ...quantityBodySchema.shape,
  type: z.string().optional(),
  additionalValues: z.array(z.looseObject({ type: z.string().optional(), value: z.number() })).optional(),
});

/** `tractionbattery-nominalcapacity`. */
export const nominalCapacityBodySchema = z.looseObject({
  capacity: z.number(),
  unit: z.string(),
  source: z.string().optional(),
  availableCapacities: z.array(z.looseObject({})).optional(),
});

/** `location-preciselocation`. Personal data: never log it. */
export const preciseLocationBodySchema = z.looseObject({
  latitude: z.number(),
  longitude: z.number(),
  heading: z.number().optional(),
  direction: z.string().optional(),
  locationType: openEnum(['CURRENT', 'LAST_PARKED']).optional(),
});

/** `charge-detailedchargingstatus`. */
export const detailedChargingStatusBodySchema = z.looseObject({
  value: openEnum(['CHARGING', 'NOT_CHARGING', 'FULLY_CHARGED']),
});

/** `charge-chargelimits`: `activeLimit` is the limit in force, `values` the configured ones. */
export const chargeLimitsBodySchema = z.looseObject({
  activeLimit: z.number(),
  unit: z.string().optional(),
  values: z
    .array(
      z.looseObject({ type: z.string().optional(), limit: z.number(), condition: z.unknown().optional() }),
    )
    .optional(),
});

/** `closure-doors`, `closure-windows`: one entry per opening, addressed by row and column. */
export const openingsBodySchema = z.looseObject({
  values: z.array(
    z.looseObject({
      row: z.number(),
      column: z.number(),
      isOpen: z.boolean(),
      isLocked: z.boolean().optional(),
    }),
  ),
  rowCount: z.number().optional(),
  columnCount: z.number().optional(),
});

/** `internalcombustionengine-fuellevel`: a fraction (0–1) or a percent; `unit` says which when present. */
export const fuelLevelBodySchema = z.looseObject({ value: z.number(), unit: z.string().optional() });

/** `vehicleidentification-vin`. Personal data: never log it. */
export const vinBodySchema = z.looseObject({ value: z.string() });

/** Body schema of each common signal code. */
export const SIGNAL_BODY_SCHEMAS = {
  'tractionbattery-stateofcharge': quantityBodySchema,
  'tractionbattery-range': rangeBodySchema,
  'tractionbattery-nominalcapacity': nominalCapacityBodySchema,
  'location-preciselocation': preciseLocationBodySchema,
  'location-isathome': booleanBodySchema,
  'odometer-traveleddistance': quantityBodySchema,
  'charge-ischarging': booleanBodySchema,
  'charge-ischargingcableconnected': booleanBodySchema,
  'charge-detailedchargingstatus': detailedChargingStatusBodySchema,
  'charge-chargelimits': chargeLimitsBodySchema,
  'charge-voltage': quantityBodySchema,
  'charge-amperage': quantityBodySchema,
  'charge-wattage': quantityBodySchema,
  'charge-energyadded': quantityBodySchema,
  'charge-chargerate': quantityBodySchema,
  'charge-timetocomplete': quantityBodySchema,
  'closure-islocked': booleanBodySchema,
  'closure-doors': openingsBodySchema,
  'closure-windows': openingsBodySchema,
  'internalcombustionengine-fuellevel': fuelLevelBodySchema,
  'connectivitystatus-isonline': booleanBodySchema,
  'connectivitystatus-isasleep': booleanBodySchema,
  'vehicleidentification-vin': vinBodySchema,
} as const;

/** A signal code with a typed body. */
export type KnownSignalCode = keyof typeof SIGNAL_BODY_SCHEMAS;

/** Body type of each common signal code, e.g. `SignalBodies['charge-ischarging']` is `{ value: boolean }`. */
export type SignalBodies = { [C in KnownSignalCode]: z.infer<(typeof SIGNAL_BODY_SCHEMAS)[C]> };

/** The body of a signal whose code has no schema here: any JSON object. */
export type UnknownSignalBody = Record<string, unknown>;

/** True when `code` has a body schema in {@link SIGNAL_BODY_SCHEMAS}. */
export function isKnownSignalCode(code: string): code is KnownSignalCode {
  return Object.hasOwn(SIGNAL_BODY_SCHEMAS, code);
}
