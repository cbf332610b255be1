import { z } from 'zod';
import { nonEmptyString, openEnum } from './schema-helpers';
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

/** `{ type }` or null; absent on RESOLVED errors. */
export const resolutionSchema = z.looseObject({
  type: openEnum(Object.values(RESOLUTION_TYPES)).nullish(),
});

/** An error as real VEHICLE_ERROR payloads carry it. */
export const vehicleErrorDetailSchema = z.looseObject({
  type: openEnum(Object.values(VEHICLE_ERROR_TYPES)),
  code: z.string().nullish(),
  state: z.enum([VEHICLE_ERROR_STATES.error, VEHICLE_ERROR_STATES.resolved]),
  description: z.string().optional(),
  suggestedUserMessage: z.string().optional(),
  docURL: z.string().optional(),
  resolution: resolutionSchema.nullish(),
  signals: z.array(signalRefOrPathSchema).optional(),
});

/** An error in the best-practices page's shape: alias `type`, optional `signalPath` and `message`. */
export const vehicleErrorAliasSchema = z.looseObject({
  type: z.enum(Object.values(VEHICLE_ERROR_ALIAS_TYPES)),
  code: z.string().nullish(),
  state: z.enum([VEHICLE_ERROR_STATES.error, VEHICLE_ERROR_STATES.resolved]).optional(),
  signalPath: nonEmptyString.optional(),
  message: z.string().optional(),
  description: z.string().optional(),
  resolution: resolutionSchema.nullish(),
  signals: z.array(signalRefOrPathSchema).optional(),
});

/** One entry of a VEHICLE_ERROR's `data.errors[]`, in either shape. Classify it with `classifyVehicleError()`. */
export const vehicleErrorSchema = z.union([vehicleErrorDetailSchema, vehicleErrorAliasSchema], {
  error: 'Invalid input: expected an error object with a type and a state',
});

/** {@link vehicleErrorDetailSchema}'s type. */
export type VehicleErrorDetail = z.infer<typeof vehicleErrorDetailSchema>;
/** {@link vehicleErrorAliasSchema}'s type. */
export type VehicleErrorAlias = z.infer<typeof vehicleErrorAliasSchema>;
/** {@link vehicleErrorSchema}'s type. */
export type VehicleError = z.infer<typeof vehicleErrorSchema>;
/** One of {@link VEHICLE_ERROR_STATES}. */
export type VehicleErrorState = (typeof VEHICLE_ERROR_STATES)[keyof typeof VEHICLE_ERROR_STATES];
