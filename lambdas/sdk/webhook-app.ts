import type { Logger } from '@aws-lambda-powertools/logger';
import type { LegacyEvent } from './events/legacy-event-schema';
import type { VehicleErrorEvent, VehicleStateEvent } from './events/current-event-schema';
import type { SignalBodies } from './events/signal-bodies';
import { findSignal, type SignalReading } from './events/signals';
import { isEventType, isLegacyEvent, type SmartcarEvent } from './events/smartcar-event-schema';
import type { LatestStateStore } from '../latest-state';

/** What every handler gets besides the event. */
export interface EventContext {
  /** The idempotency key: `eventId`, or for legacy events `payload.eventId` or a hash of the body. */
  eventKey: string;
  /** 1 on the first attempt; after `maxReceiveCount` failed attempts the message goes to the DLQ. */
  attempt: number;
  /** Logger with this event's ids already attached. Never log signal bodies: they hold VINs and locations. */
  logger: Logger;
  /** Each vehicle's newest value per signal, when the construct's `latestState` option is on. */
  latestState?: Pick<LatestStateStore, 'getVehicleState' | 'getSignal'>;
  /**
   * Set when this is no live delivery but an archived one put back by `replay`: its run's id, and
   * whether the run asked to process events again that had completed (`--reprocess`).
   */
  replay?: ReplayMark;
}

/** What marks a replayed event. */
export interface ReplayMark {
  /** The replay run; every event it put back carries the same id. */
  id: string;
  /** True for `replay --reprocess`: the handlers run again even for events that completed. */
  reprocess: boolean;
}

/** Context of a VEHICLE_STATE handler. */
export interface VehicleStateContext extends EventContext {
  /** Codes of the signals whose change triggered this delivery, kebab-case. */
  firedTriggers: string[];
  /** True on the first delivery after a vehicle was subscribed (or resubscribed). */
  isFirstDelivery: boolean;
  /**
   * False when the latest-state store already holds a newer value for this signal: this event
   * arrived out of order for it. Always true when the store is off.
   */
  isNewest(code: string): boolean;
}

/** Context of a per-signal handler. */
export interface SignalContext extends VehicleStateContext {
  /** The event the signal came in. */
  event: VehicleStateEvent;
}

/** The body type of a known signal code, else a plain record. */
type BodyOf<C extends string> = C extends keyof SignalBodies ? SignalBodies[C] : Record<string, unknown>;

type Handler<E, C> = (event: E, context: C) => Promise<void>;

/**
 * Where your business logic is registered. The processor parses and validates each event, skips
 * duplicates, and calls the handlers registered for its type; a handler that throws fails only its
 * own event, which SQS redelivers.
 *
 * ```ts
 * export const app = new WebhookApp()
 *   .onVehicleState(async (event, { firedTriggers }) => { … })
 *   .onSignal('tractionbattery-stateofcharge', async (reading) => { if (reading.ok) … reading.body.value })
 *   .onVehicleError(async (event) => { … });
 * ```
 */
export class WebhookApp {
  private readonly stateHandlers: Handler<VehicleStateEvent, VehicleStateContext>[] = [];
  private readonly errorHandlers: Handler<VehicleErrorEvent, EventContext>[] = [];
  private readonly legacyHandlers: Handler<LegacyEvent, EventContext>[] = [];
  private readonly signalHandlers = new Map<string, Handler<SignalReading<unknown>, SignalContext>[]>();

  /** Runs for every VEHICLE_STATE event (all subscribed signals, sent when a trigger signal changed). */
  onVehicleState(handler: Handler<VehicleStateEvent, VehicleStateContext>): this {
    this.stateHandlers.push(handler);
    return this;
  }

  /** Runs for every VEHICLE_ERROR event. */
  onVehicleError(handler: Handler<VehicleErrorEvent, EventContext>): this {
    this.errorHandlers.push(handler);
    return this;
  }

  /**
   * Runs for the signal `code` in every VEHICLE_STATE that carries it, after the event handlers.
   * The reading is `{ ok: true, body }` (typed for the common codes) or `{ ok: false, error }`.
   */
  onSignal<C extends string>(code: C, handler: Handler<SignalReading<BodyOf<C>>, SignalContext>): this {
    const handlers = this.signalHandlers.get(code) ?? [];
    handlers.push(handler as Handler<SignalReading<unknown>, SignalContext>);
    this.signalHandlers.set(code, handlers);
    return this;
  }

  /** Runs for every legacy v2.0 delivery (eventBased, schedule, dynamic). */
  onLegacyEvent(handler: Handler<LegacyEvent, EventContext>): this {
    this.legacyHandlers.push(handler);
    return this;
  }

  /** Calls the handlers registered for this event, one after the other. */
  async dispatch(
    event: SmartcarEvent,
    context: EventContext & Omit<VehicleStateContext, keyof EventContext>,
  ): Promise<void> {
    if (isLegacyEvent(event)) {
      for (const handler of this.legacyHandlers) await handler(event, context);
    } else if (isEventType(event, 'VEHICLE_ERROR')) {
      for (const handler of this.errorHandlers) await handler(event, context);
    } else if (isEventType(event, 'VEHICLE_STATE')) {
      for (const handler of this.stateHandlers) await handler(event, context);
      for (const [code, handlers] of this.signalHandlers) {
        const reading = findSignal(event, code);
        if (reading === undefined) continue;
        for (const handler of handlers) await handler(reading, { ...context, event });
      }
    }
  }
}
