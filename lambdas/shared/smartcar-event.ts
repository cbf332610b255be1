/**
 * Shapes of the events handed to your handlers, as in ../shared/smartcar-webhooks.md. Only the
 * envelope (eventId/eventType or eventName) has been checked when a handler runs; treat every
 * other field as possibly missing, since Smartcar adds and drifts fields between makes and versions.
 */

/** A signal in a VEHICLE_STATE: either a value (`body`) or an error (`status.value === 'ERROR'`). */
export interface Signal {
  code: string;
  name?: string;
  group?: string;
  body?: Record<string, unknown>;
  meta?: { oemUpdatedAt?: number; retrievedAt?: number };
  status?: { value: 'SUCCESS' | 'ERROR' | string; error?: { type: string; code: string | null } };
}

/** The vehicle an event is about. */
export interface VehicleRef {
  id: string;
  make?: string;
  model?: string;
  year?: number;
}

/** `meta` of a current envelope. `deliveryId` and `deliveredAt` change with every retry. */
export interface EventMeta {
  version?: string;
  webhookId?: string;
  webhookName?: string;
  deliveryId?: string;
  deliveredAt?: number | string;
  mode?: 'LIVE' | 'TEST' | string;
  signalCount?: number;
}

/** A VEHICLE_STATE event: all subscribed signals, sent when a trigger signal changed. */
export interface VehicleStateEvent {
  eventId: string;
  eventType: 'VEHICLE_STATE';
  data: { user?: { id: string }; vehicle?: VehicleRef; signals?: Signal[] };
  triggers?: unknown[];
  meta?: EventMeta;
}

/** One error of a VEHICLE_ERROR event. */
export interface VehicleErrorDetail {
  type: string;
  code: string | null;
  state?: 'ERROR' | 'RESOLVED' | string;
  description?: string;
  suggestedUserMessage?: string;
  resolution?: { type: string | null } | null;
  signals?: unknown[];
}

/** A VEHICLE_ERROR event: something the vehicle or its account needs. */
export interface VehicleErrorEvent {
  eventId: string;
  eventType: 'VEHICLE_ERROR';
  data: { user?: { id: string }; vehicle?: VehicleRef; errors?: VehicleErrorDetail[] };
  meta?: EventMeta;
}

/** A legacy v2.0 delivery (`eventName` eventBased, schedule or dynamic). */
export interface LegacyEvent {
  version?: string;
  webhookId?: string;
  eventName: string;
  mode?: string;
  payload?: Record<string, unknown>;
}
