import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { app } from '../../lambdas/app';
import type { WebhookApp } from '../../lambdas/sdk';
import { classifyVehicleError } from '../../lambdas/sdk/events/classify-vehicle-error';
import { parseSmartcarEventOrThrow } from '../../lambdas/sdk/events/parse-event';
import type { VehicleError } from '../../lambdas/sdk/events/vehicle-error-schema';
import { captureOutput, legacyEvent, vehicleErrorEvent, vehicleStateEvent } from '../support/builders';

/**
 * The example handlers users start from (lambdas/app), run through the exported `app` as the
 * processor runs them: they must not throw on any event the builders make, must do what their
 * comments promise, and must never log personal data.
 */

const VIN = '5YJ3E1EA7KF000316';
const LATITUDE = '61.1111';
const BATTERY_LOW = 'Battery low';
const STATE_OF_CHARGE = 'tractionbattery-stateofcharge';

type DispatchContext = Parameters<WebhookApp['dispatch']>[1];

function dispatchContext(overrides: Partial<DispatchContext> = {}): DispatchContext {
  return {
    eventKey: randomUUID(),
    attempt: 1,
    // DEBUG, so the personal-data checks also read the lines a sampled invocation would write.
    logger: new Logger({ serviceName: 'app-examples-test', logLevel: 'DEBUG' }),
    firedTriggers: [STATE_OF_CHARGE],
    isFirstDelivery: false,
    isNewest: () => true,
    ...overrides,
  };
}

/** Dispatches a builder document through the example app; resolves with what it logged. */
async function run(document: Record<string, unknown>, context = dispatchContext()): Promise<string> {
  const event = parseSmartcarEventOrThrow(document);
  const { output } = await captureOutput(() => app.dispatch(event, context));
  return output;
}

function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function batteryLowLines(output: string): Record<string, unknown>[] {
  return logLines(output).filter((line) => String(line.message).startsWith(BATTERY_LOW));
}

/** The builder's VEHICLE_STATE with the state-of-charge signal replaced. */
function withStateOfCharge(signal: Record<string, unknown>): Record<string, unknown> {
  const event = vehicleStateEvent();
  const data = event.data as { signals: Record<string, unknown>[] };
  const signals = data.signals.map((entry) => (entry.code === STATE_OF_CHARGE ? signal : entry));
  return { ...event, data: { ...data, signals } };
}

function stateOfCharge(value: number): Record<string, unknown> {
  return {
    code: STATE_OF_CHARGE,
    name: 'StateOfCharge',
    group: 'TractionBattery',
    body: { value, unit: 'percent' },
    meta: { oemUpdatedAt: 1769937933000, retrievedAt: 1769937943244 },
    status: { value: 'SUCCESS' },
  };
}

const failedStateOfCharge = {
  code: STATE_OF_CHARGE,
  name: 'StateOfCharge',
  group: 'TractionBattery',
  status: { value: 'ERROR', error: { type: 'VEHICLE_STATE', code: 'VEHICLE_ASLEEP' } },
};

/** `event` as a delivery without `meta` arrives. */
function withoutMeta({ meta: _removed, ...event }: Record<string, unknown>): Record<string, unknown> {
  return event;
}

/** A legacy `dynamic` delivery whose API responses hold the VIN and the location. */
function legacyDynamicEvent(): Record<string, unknown> {
  return legacyEvent({
    eventName: 'dynamic',
    payload: {
      vehicles: [
        {
          vehicleId: randomUUID(),
          data: [
            { path: '/vin', code: 200, body: { vin: VIN } },
            { path: '/location', code: 200, body: { latitude: 61.1111, longitude: 23.3333 } },
          ],
        },
      ],
    },
  });
}

/** Every kind of event the builders make. */
const BUILDER_EVENTS: [string, () => Record<string, unknown>][] = [
  ['a VEHICLE_STATE', () => vehicleStateEvent()],
  ['a first-delivery VEHICLE_STATE', () => vehicleStateEvent({ triggers: [{ type: 'FIRST_DELIVERY' }] })],
  ['a VEHICLE_STATE with a low battery', () => withStateOfCharge(stateOfCharge(12))],
  ['a VEHICLE_STATE whose state of charge failed', () => withStateOfCharge(failedStateOfCharge)],
  ['a VEHICLE_STATE without meta (Dashboard tests, some makes)', () => withoutMeta(vehicleStateEvent())],
  [
    'a VEHICLE_STATE with an unreadable signal',
    () => withStateOfCharge({ code: STATE_OF_CHARGE, name: 'StateOfCharge' }),
  ],
  ['a VEHICLE_ERROR', () => vehicleErrorEvent()],
  ['a VEHICLE_ERROR without meta', () => withoutMeta(vehicleErrorEvent())],
  ['a legacy eventBased delivery', () => legacyEvent()],
  ['a legacy schedule delivery', () => legacyEvent({ eventName: 'schedule', payload: { vehicles: [] } })],
  ['a legacy dynamic delivery', legacyDynamicEvent],
];

describe('example app (lambdas/app)', () => {
  it.each(BUILDER_EVENTS)('handles %s without throwing', async (_case, build) => {
    const event = parseSmartcarEventOrThrow(build());

    await expect(captureOutput(() => app.dispatch(event, dispatchContext()))).resolves.toBeDefined();
  });

  it.each(BUILDER_EVENTS)('never logs the VIN or a latitude for %s', async (_case, build) => {
    const output = await run(build());

    expect(logLines(output).length).toBeGreaterThan(0);
    expect(output).not.toContain(VIN);
    expect(output).not.toContain(LATITUDE);
  });
});

describe('example app: onVehicleState', () => {
  const summaryLines = (output: string) =>
    logLines(output).filter((line) => line.message === 'Vehicle state received');

  it('logs its summary at INFO when a signal carries an error instead of a value', async () => {
    const output = await run(withStateOfCharge(failedStateOfCharge));

    expect(summaryLines(output)).toEqual([
      expect.objectContaining({ level: 'INFO', failedSignals: expect.arrayContaining([STATE_OF_CHARGE]) }),
    ]);
  });

  it('logs its summary at DEBUG only when every signal has a value: "Event processed" already says it was handled', async () => {
    const event = vehicleStateEvent();
    const data = event.data as { signals: { status?: { value?: string } }[] };
    const everySignalWithAValue = {
      ...event,
      data: { ...data, signals: data.signals.filter((signal) => signal.status?.value !== 'ERROR') },
    };

    const output = await run(everySignalWithAValue);

    expect(summaryLines(output)).toEqual([expect.objectContaining({ level: 'DEBUG', failedSignals: [] })]);
  });
});

describe('example app: onStateOfCharge', () => {
  it('logs "Battery low" with the state of charge when it is below 20 and the newest value', async () => {
    const output = await run(withStateOfCharge(stateOfCharge(19)));

    expect(batteryLowLines(output)).toEqual([expect.objectContaining({ level: 'INFO', stateOfCharge: 19 })]);
  });

  it('logs nothing about the battery at exactly 20', async () => {
    const output = await run(withStateOfCharge(stateOfCharge(20)));

    expect(batteryLowLines(output)).toEqual([]);
  });

  it("logs nothing about the battery at the builder's 89", async () => {
    const output = await run(vehicleStateEvent());

    expect(batteryLowLines(output)).toEqual([]);
  });

  it('logs nothing about the battery when the state of charge is an error', async () => {
    const output = await run(withStateOfCharge(failedStateOfCharge));

    expect(batteryLowLines(output)).toEqual([]);
  });

  it('logs nothing about the battery for a low value the store already holds a newer one for', async () => {
    const context = dispatchContext({ isNewest: (code) => code !== STATE_OF_CHARGE });

    const output = await run(withStateOfCharge(stateOfCharge(12)), context);

    expect(batteryLowLines(output)).toEqual([]);
  });
});

describe('example app: onVehicleError', () => {
  const compatibility = {
    type: 'COMPATIBILITY',
    code: 'VEHICLE_NOT_CAPABLE',
    state: 'ERROR',
    description: 'The vehicle cannot provide this signal.',
    resolution: { type: 'CONTACT_SUPPORT' },
    signals: [{ code: 'location-isathome', name: 'IsAtHome', group: 'Location' }],
  };

  function errorEventWithTwoErrors(): Record<string, unknown> {
    const event = vehicleErrorEvent();
    const data = event.data as { errors: unknown[] };
    return { ...event, data: { ...data, errors: [...data.errors, compatibility] } };
  }

  it('logs one warning per error', async () => {
    const output = await run(errorEventWithTwoErrors());

    expect(logLines(output).filter((line) => line.message === 'Vehicle error reported')).toHaveLength(2);
  });

  it('logs each error with the category, state, action, resolution and signals classifyVehicleError gives it', async () => {
    const document = errorEventWithTwoErrors();
    const errors = (document.data as { errors: VehicleError[] }).errors;

    const output = await run(document);

    const expected = errors.map((error) => {
      const { category, state, action, resolution, signalCodes } = classifyVehicleError(error);
      return expect.objectContaining({
        level: 'WARN',
        category,
        state,
        action,
        resolution,
        signals: signalCodes,
      });
    });
    expect(logLines(output).filter((line) => line.message === 'Vehicle error reported')).toEqual(expected);
  });

  it('classifies the builder errors as PERMISSION and COMPATIBILITY', async () => {
    const output = await run(errorEventWithTwoErrors());

    const categories = logLines(output)
      .filter((line) => line.message === 'Vehicle error reported')
      .map((line) => line.category);
    expect(categories).toEqual(['PERMISSION', 'COMPATIBILITY']);
  });
});
