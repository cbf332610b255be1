import { toSignalCode } from './signal-code';
import {
  RESOLUTION_TYPES,
  VEHICLE_ERROR_ALIAS_TYPES,
  VEHICLE_ERROR_STATES,
  VEHICLE_ERROR_TYPES,
  type VehicleError,
  type VehicleErrorState,
} from './vehicle-error-schema';

/** What kind of problem a VEHICLE_ERROR reports, whichever type name it used. */
export const VEHICLE_ERROR_CATEGORIES = {
  compatibility: 'COMPATIBILITY',
  permission: 'PERMISSION',
  account: 'ACCOUNT',
  vehicleState: 'VEHICLE_STATE',
  upstream: 'UPSTREAM',
  rateLimit: 'RATE_LIMIT',
  server: 'SERVER',
  unknown: 'UNKNOWN',
} as const;

/** One of {@link VEHICLE_ERROR_CATEGORIES}. */
export type VehicleErrorCategory = (typeof VEHICLE_ERROR_CATEGORIES)[keyof typeof VEHICLE_ERROR_CATEGORIES];

/** What users usually do about each category (the protocol reference's table). */
export const VEHICLE_ERROR_ACTIONS = {
  COMPATIBILITY: 'The signal is not available for this vehicle: mark it unsupported and stop expecting it.',
  PERMISSION: 'The app lacks a permission: the owner must re-authorize through Smartcar Connect.',
  ACCOUNT: "A problem with the owner's connected-services account: ask the owner to fix or reconnect it.",
  VEHICLE_STATE: 'The vehicle is off, asleep or offline: usually transient; tell the owner if it persists.',
  UPSTREAM: 'The manufacturer side failed: log it and watch; it usually resolves.',
  RATE_LIMIT: 'Too many requests: back off.',
  SERVER: 'Smartcar failed on its side: log it.',
  UNKNOWN: "An error type this project does not know: log it and check Smartcar's error reference.",
} as const satisfies Record<VehicleErrorCategory, string>;

const CATEGORY_BY_TYPE: Readonly<Record<string, VehicleErrorCategory>> = {
  [VEHICLE_ERROR_TYPES.compatibility]: VEHICLE_ERROR_CATEGORIES.compatibility,
  [VEHICLE_ERROR_TYPES.permission]: VEHICLE_ERROR_CATEGORIES.permission,
  [VEHICLE_ERROR_TYPES.connectedServicesAccount]: VEHICLE_ERROR_CATEGORIES.account,
  [VEHICLE_ERROR_TYPES.vehicleState]: VEHICLE_ERROR_CATEGORIES.vehicleState,
  [VEHICLE_ERROR_TYPES.upstream]: VEHICLE_ERROR_CATEGORIES.upstream,
  [VEHICLE_ERROR_TYPES.rateLimit]: VEHICLE_ERROR_CATEGORIES.rateLimit,
  [VEHICLE_ERROR_TYPES.server]: VEHICLE_ERROR_CATEGORIES.server,
  // The best-practices page's names. RATE_LIMIT is the same word in both lists.
  [VEHICLE_ERROR_ALIAS_TYPES.vehicleNotCapable]: VEHICLE_ERROR_CATEGORIES.compatibility,
  [VEHICLE_ERROR_ALIAS_TYPES.permissionError]: VEHICLE_ERROR_CATEGORIES.permission,
  [VEHICLE_ERROR_ALIAS_TYPES.upstreamError]: VEHICLE_ERROR_CATEGORIES.upstream,
};

/** The result of {@link classifyVehicleError}. */
export interface VehicleErrorClassification {
  category: VehicleErrorCategory;
  /**
   * `ERROR` while active, `RESOLVED` once cleared (undo what the action made you do). A state this
   * version does not know is passed on as it came, since guessing either way could mislead.
   */
  state: VehicleErrorState | (string & {});
  /** The usual reaction to the category, from {@link VEHICLE_ERROR_ACTIONS}. */
  action: (typeof VEHICLE_ERROR_ACTIONS)[VehicleErrorCategory];
  /** Smartcar's suggestion (`resolution.type`); null when absent, as on RESOLVED errors. */
  resolution: (typeof RESOLUTION_TYPES)[keyof typeof RESOLUTION_TYPES] | (string & {}) | null;
  /** Kebab-case codes of the affected signals, from `signals[]` or the alias shape's `signalPath`. */
  signalCodes: string[];
}

/**
 * Maps an error of a VEHICLE_ERROR, in the real or the best-practices shape, to a category and the
 * usual action. Unknown types give `UNKNOWN`; a missing `state` (alias shape) counts as `ERROR`.
 */
export function classifyVehicleError(error: VehicleError): VehicleErrorClassification {
  const category = CATEGORY_BY_TYPE[error.type] ?? VEHICLE_ERROR_CATEGORIES.unknown;
  return {
    category,
    state: error.state ?? VEHICLE_ERROR_STATES.error,
    action: VEHICLE_ERROR_ACTIONS[category],
    resolution: error.resolution?.type ?? null,
    signalCodes: signalCodesOf(error),
  };
}

function signalCodesOf(error: VehicleError): string[] {
  const codes = (error.signals ?? []).map(toSignalCode);
  const signalPath = error.signalPath;
  if (typeof signalPath === 'string') codes.push(toSignalCode(signalPath));
  return [...new Set(codes)];
}
