import { Logger } from '@aws-lambda-powertools/logger';
import type { VehicleStateEvent } from '../../lambdas/sdk/events/current-event-schema';
import { parseSmartcarEventOrThrow } from '../../lambdas/sdk/events/parse-event';
import { isEventType, type SmartcarEvent } from '../../lambdas/sdk/events/smartcar-event-schema';
import { WebhookApp } from '../../lambdas/sdk';
import { legacyEvent, vehicleErrorEvent, vehicleStateEvent } from '../support/builders';

/**
 * WebhookApp.dispatch: which handlers run for an event, in which order and with what. Events come
 * from the builders and are validated as the processor validates them, so handlers see exactly
 * the typed events they get in production.
 */

type DispatchContext = Parameters<WebhookApp['dispatch']>[1];

function dispatchContext(overrides: Partial<DispatchContext> = {}): DispatchContext {
  return {
    eventKey: 'event-key',
    attempt: 1,
    logger: new Logger({ serviceName: 'webhook-app-test' }),
    firedTriggers: ['tractionbattery-stateofcharge'],
    isFirstDelivery: false,
    isNewest: () => true,
    ...overrides,
  };
}

function parsed(document: Record<string, unknown>): SmartcarEvent {
  return parseSmartcarEventOrThrow(document);
}

function stateEvent(document: Record<string, unknown> = vehicleStateEvent()): VehicleStateEvent {
  const event = parsed(document);
  if (!isEventType(event, 'VEHICLE_STATE')) throw new Error('the builder did not produce a VEHICLE_STATE');
  return event;
}

/** The builder's VEHICLE_STATE with its signals replaced. */
function stateEventWithSignals(signals: unknown[]): VehicleStateEvent {
  const document = vehicleStateEvent();
  return stateEvent({ ...document, data: { ...(document.data as object), signals } });
}

/** Records the order handlers were called in. */
function callLog() {
  const calls: string[] = [];
  const handler = (name: string) => async (): Promise<void> => {
    calls.push(name);
  };
  return { calls, handler };
}

describe('WebhookApp.dispatch: VEHICLE_STATE', () => {
  it('runs the VEHICLE_STATE handlers before the signal handlers', async () => {
    const { calls, handler } = callLog();
    const app = new WebhookApp()
      .onSignal('tractionbattery-stateofcharge', handler('signal'))
      .onVehicleState(handler('state'));

    await app.dispatch(stateEvent(), dispatchContext());

    expect(calls).toEqual(['state', 'signal']);
  });

  it('runs the signal handlers in registration order, not in the order the event lists the signals', async () => {
    const { calls, handler } = callLog();
    // The builder lists the state of charge first and the location second.
    const app = new WebhookApp()
      .onSignal('location-preciselocation', handler('location'))
      .onSignal('tractionbattery-stateofcharge', handler('stateOfCharge'));

    await app.dispatch(stateEvent(), dispatchContext());

    expect(calls).toEqual(['location', 'stateOfCharge']);
  });

  it('runs every handler registered for one signal code, in registration order', async () => {
    const { calls, handler } = callLog();
    const app = new WebhookApp()
      .onSignal('tractionbattery-stateofcharge', handler('first'))
      .onSignal('tractionbattery-stateofcharge', handler('second'))
      .onSignal('tractionbattery-stateofcharge', handler('third'));

    await app.dispatch(stateEvent(), dispatchContext());

    expect(calls).toEqual(['first', 'second', 'third']);
  });

  it('runs every VEHICLE_STATE handler, in registration order', async () => {
    const { calls, handler } = callLog();
    const app = new WebhookApp().onVehicleState(handler('first')).onVehicleState(handler('second'));

    await app.dispatch(stateEvent(), dispatchContext());

    expect(calls).toEqual(['first', 'second']);
  });

  it('hands a VEHICLE_STATE handler the event and the context as given', async () => {
    const onVehicleState = jest.fn(async () => undefined);
    const event = stateEvent();
    const context = dispatchContext();

    await new WebhookApp().onVehicleState(onVehicleState).dispatch(event, context);

    expect(onVehicleState).toHaveBeenCalledWith(event, context);
  });

  it('hands a signal handler the typed reading of its code', async () => {
    const values: number[] = [];
    const app = new WebhookApp().onSignal('tractionbattery-stateofcharge', async (reading) => {
      // Compiles only while the body of this code is typed as { value: number, unit: string }.
      if (reading.ok) values.push(reading.body.value);
    });

    await app.dispatch(stateEvent(), dispatchContext());

    expect(values).toEqual([89]);
  });

  it('hands a signal handler the reading with its code, name, group and meta', async () => {
    const onStateOfCharge = jest.fn(async () => undefined);

    await new WebhookApp()
      .onSignal('tractionbattery-stateofcharge', onStateOfCharge)
      .dispatch(stateEvent(), dispatchContext());

    expect(onStateOfCharge).toHaveBeenCalledWith(
      expect.objectContaining({
        ok: true,
        code: 'tractionbattery-stateofcharge',
        name: 'StateOfCharge',
        group: 'TractionBattery',
        body: { value: 89, unit: 'percent' },
        meta: { oemUpdatedAt: 1769937933000, retrievedAt: 1769937943244 },
      }),
      expect.anything(),
    );
  });

  it('hands a signal handler the dispatch context plus the event the signal came in', async () => {
    const onStateOfCharge = jest.fn(async () => undefined);
    const event = stateEvent();
    const context = dispatchContext({ attempt: 2, isFirstDelivery: true });

    await new WebhookApp()
      .onSignal('tractionbattery-stateofcharge', onStateOfCharge)
      .dispatch(event, context);

    expect(onStateOfCharge).toHaveBeenCalledWith(expect.anything(), { ...context, event });
  });

  it('hands a signal that carries an error to its handler as { ok: false, error }', async () => {
    const onIsAtHome = jest.fn(async () => undefined);

    await new WebhookApp()
      .onSignal('location-isathome', onIsAtHome)
      .dispatch(stateEvent(), dispatchContext());

    expect(onIsAtHome).toHaveBeenCalledWith(
      expect.objectContaining({
        ok: false,
        code: 'location-isathome',
        error: { source: 'SMARTCAR', type: 'COMPATIBILITY', code: 'VEHICLE_NOT_CAPABLE', issues: [] },
      }),
      expect.anything(),
    );
    expect(onIsAtHome.mock.calls[0]?.at(0)).not.toHaveProperty('body');
  });

  it('hands a known signal whose body does not match its schema to its handler as an INVALID_BODY error', async () => {
    const onStateOfCharge = jest.fn(async () => undefined);
    const event = stateEventWithSignals([
      {
        code: 'tractionbattery-stateofcharge',
        body: { value: 'eighty-nine', unit: 'percent' },
        meta: { oemUpdatedAt: 1769937933000 },
      },
    ]);

    await new WebhookApp()
      .onSignal('tractionbattery-stateofcharge', onStateOfCharge)
      .dispatch(event, dispatchContext());

    expect(onStateOfCharge).toHaveBeenCalledWith(
      expect.objectContaining({
        ok: false,
        error: expect.objectContaining({
          source: 'INVALID_BODY',
          issues: [expect.objectContaining({ path: 'body.value' })],
        }),
      }),
      expect.anything(),
    );
  });

  it('does not call a handler registered for a signal code the event does not carry', async () => {
    const onOdometer = jest.fn(async () => undefined);

    await new WebhookApp()
      .onSignal('odometer-traveleddistance', onOdometer)
      .dispatch(stateEvent(), dispatchContext());

    expect(onOdometer).not.toHaveBeenCalled();
  });

  it('runs no VEHICLE_ERROR or legacy handler for a VEHICLE_STATE', async () => {
    const onVehicleError = jest.fn(async () => undefined);
    const onLegacyEvent = jest.fn(async () => undefined);

    await new WebhookApp()
      .onVehicleError(onVehicleError)
      .onLegacyEvent(onLegacyEvent)
      .dispatch(stateEvent(), dispatchContext());

    expect(onVehicleError).not.toHaveBeenCalled();
    expect(onLegacyEvent).not.toHaveBeenCalled();
  });
});

describe('WebhookApp.dispatch: VEHICLE_ERROR and legacy events', () => {
  it('runs only the VEHICLE_ERROR handlers for a VEHICLE_ERROR', async () => {
    const { calls, handler } = callLog();
    const app = new WebhookApp()
      .onVehicleState(handler('state'))
      .onSignal('tractionbattery-stateofcharge', handler('signal'))
      .onVehicleError(handler('error'))
      .onLegacyEvent(handler('legacy'));

    await app.dispatch(parsed(vehicleErrorEvent()), dispatchContext());

    expect(calls).toEqual(['error']);
  });

  it('hands a VEHICLE_ERROR handler the event and the context', async () => {
    const onVehicleError = jest.fn(async () => undefined);
    const event = parsed(vehicleErrorEvent());
    const context = dispatchContext();

    await new WebhookApp().onVehicleError(onVehicleError).dispatch(event, context);

    expect(onVehicleError).toHaveBeenCalledWith(event, context);
  });

  it('runs only the legacy handlers for a legacy event', async () => {
    const { calls, handler } = callLog();
    const app = new WebhookApp()
      .onVehicleState(handler('state'))
      .onSignal('tractionbattery-stateofcharge', handler('signal'))
      .onVehicleError(handler('error'))
      .onLegacyEvent(handler('legacy'));

    await app.dispatch(parsed(legacyEvent()), dispatchContext());

    expect(calls).toEqual(['legacy']);
  });

  it.each([
    ['VEHICLE_ERROR', (app: WebhookApp, h: () => Promise<void>) => app.onVehicleError(h), vehicleErrorEvent],
    ['legacy', (app: WebhookApp, h: () => Promise<void>) => app.onLegacyEvent(h), legacyEvent],
  ])('runs every %s handler, in registration order', async (_type, register, build) => {
    const { calls, handler } = callLog();
    const app = register(
      register(register(new WebhookApp(), handler('first')), handler('second')),
      handler('third'),
    );

    await app.dispatch(parsed(build()), dispatchContext());

    expect(calls).toEqual(['first', 'second', 'third']);
  });
});

describe('WebhookApp.dispatch: a handler that throws', () => {
  it('rejects with the error of a throwing VEHICLE_STATE handler and runs none of the handlers after it', async () => {
    const failure = new Error('downstream unavailable');
    const after = jest.fn(async () => undefined);
    const onSignal = jest.fn(async () => undefined);
    const app = new WebhookApp()
      .onVehicleState(async () => {
        throw failure;
      })
      .onVehicleState(after)
      .onSignal('tractionbattery-stateofcharge', onSignal);

    await expect(app.dispatch(stateEvent(), dispatchContext())).rejects.toBe(failure);
    expect(after).not.toHaveBeenCalled();
    expect(onSignal).not.toHaveBeenCalled();
  });

  it('rejects with the error of a throwing signal handler and runs none of the signal handlers after it', async () => {
    const failure = new Error('notification service down');
    const before = jest.fn(async () => undefined);
    const after = jest.fn(async () => undefined);
    const app = new WebhookApp()
      .onSignal('tractionbattery-stateofcharge', before)
      .onSignal('tractionbattery-stateofcharge', async () => {
        throw failure;
      })
      .onSignal('location-preciselocation', after);

    await expect(app.dispatch(stateEvent(), dispatchContext())).rejects.toBe(failure);
    expect(before).toHaveBeenCalledTimes(1);
    expect(after).not.toHaveBeenCalled();
  });

  it('rejects with the error of a throwing VEHICLE_ERROR handler and runs none of the handlers after it', async () => {
    const failure = new Error('downstream unavailable');
    const after = jest.fn(async () => undefined);
    const app = new WebhookApp()
      .onVehicleError(async () => {
        throw failure;
      })
      .onVehicleError(after);

    await expect(app.dispatch(parsed(vehicleErrorEvent()), dispatchContext())).rejects.toBe(failure);
    expect(after).not.toHaveBeenCalled();
  });

  it('rejects with the error of a throwing legacy handler and runs none of the handlers after it', async () => {
    const failure = new Error('downstream unavailable');
    const after = jest.fn(async () => undefined);
    const app = new WebhookApp()
      .onLegacyEvent(async () => {
        throw failure;
      })
      .onLegacyEvent(after);

    await expect(app.dispatch(parsed(legacyEvent()), dispatchContext())).rejects.toBe(failure);
    expect(after).not.toHaveBeenCalled();
  });
});
