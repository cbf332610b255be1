import * as z from 'zod';
import { lenient, nonEmptyString, openEnum } from './schema-helpers';
import { signalRefOrPathSchema } from './signal-schema';

/** `type` of an error in real VEHICLE_ERROR payloads. */
export const VEHICLE_ERROR_TYPES = {
  connectedServicesAccount: 'CONNECTED_SERVICES_ACCOUNT',
  vehicleState: 'VEHICLE_STATE',
  compatibility: 'COMPATIBILITY',
  permission: 'PERMISSION',
  upstream: 'UPSTREAM',
  rateLimit: 'RATE_LIMIT',
  server: 'SERVER',
} as const;

/**
 * `type` names used by one best-practices page (with `signalPath`/`message` instead of
 * `signals`/`description`). No real payload uses them; they are accepted and mapped anyway.
 */
export const VEHICLE_ERROR_ALIAS_TYPES = {
  vehicleNotCapable: 'VEHICLE_NOT_CAPABLE',
  permissionError: 'PERMISSION_ERROR',
  upstreamError: 'UPSTREAM_ERROR',
  rateLimit: 'RATE_LIMIT',
} as const;

/** `state` of an error: `ERROR` while active; a later event with `RESOLVED` closes it. */
export const VEHICLE_ERROR_STATES = {
  error: 'ERROR',
  resolved: 'RESOLVED',
} as const;

/** `resolution.type`: what Smartcar suggests doing. */
export const RESOLUTION_TYPES = {
  retryLater: 'RETRY_LATER',
  reauthenticate: 'REAUTHENTICATE',
  contactSupport: 'CONTACT_SUPPORT',
  userActionRequired: 'USER_ACTION_REQUIRED',
} as const;

/** `{ type }` with `type` possibly null; absent on RESOLVED errors. */
export const resolutionSchema = z.looseObject({
  type: openEnum(Object.values(RESOLUTION_TYPES)).nullish(),
});

/**
 * One entry of a VEHICLE_ERROR's `data.errors[]`, in the real shape or the best-practices page's
 * (alias `type`, `signalPath` and `message`, no `state`). Classify it with `classifyVehicleError()`.
 *
 * `type` is required: it is what the error is. `state` may be missing (read as ERROR) or a value
 * this version does not know (passed on). The texts and `resolution` only describe the error, so
 * a mistyped one is dropped rather than refused.
 */
export const vehicleErrorSchema = z.looseObject(
  {
    type: openEnum([...Object.values(VEHICLE_ERROR_TYPES), ...Object.values(VEHICLE_ERROR_ALIAS_TYPES)]),
    code: z.string().nullish(),
    state: lenient(openEnum(Object.values(VEHICLE_ERROR_STATES))),
    description: lenient(z.string()),
    suggestedUserMessage: lenient(z.string()),
    docURL: lenient(z.string()),
    message: lenient(z.string()),
    resolution: lenient(resolutionSchema.nullable()),
    signals: z.array(signalRefOrPathSchema).optional(),
    signalPath: nonEmptyString.optional(),
  },
  { error: 'Invalid input: expected an error object with a type' },
);

/** {@link vehicleErrorSchema}'s type. */
export type VehicleError = z.infer<typeof vehicleErrorSchema>;
/** One of {@link VEHICLE_ERROR_STATES}. */
export type VehicleErrorState = (typeof VEHICLE_ERROR_STATES)[keyof typeof VEHICLE_ERROR_STATES];
