import { parseSmartcarEvent } from '../../lambdas/sdk';
import {
  contextFields,
  contextFrom,
  lambdaContext,
  legacyEvent,
  sampleEvent,
  type SampleEventType,
  vehicleErrorEvent,
  vehicleStateEvent,
  vehicleStateOfSize,
  verifyEvent,
} from '../../local/kit';

describe('test kit: lambdaContext', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('starts with the whole timeout remaining', () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });

    const context = lambdaContext(30_000, 'processor');

    expect(context.getRemainingTimeInMillis()).toBe(30_000);
  });

  it('counts the remaining time down as time passes', () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const context = lambdaContext(30_000, 'processor');

    jest.advanceTimersByTime(12_345);

    expect(context.getRemainingTimeInMillis()).toBe(17_655);
  });

  it('never reports negative remaining time', () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const context = lambdaContext(1_000, 'processor');

    jest.advanceTimersByTime(5_000);

    expect(context.getRemainingTimeInMillis()).toBe(0);
  });

  it('names the function in the context', () => {
    const context = lambdaContext(30_000, 'smartcar-processor');

    expect(context).toMatchObject({
      functionName: 'smartcar-processor',
      logGroupName: '/aws/lambda/smartcar-processor',
      invokedFunctionArn: expect.stringMatching(/:function:smartcar-processor$/),
    });
  });

  it('rebuilds a context from its fields with the same request id and deadline', () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const original = lambdaContext(10_000, 'receiver');

    const copy = contextFrom(structuredClone(contextFields(original)));
    jest.advanceTimersByTime(4_000);

    expect(copy).toMatchObject({ functionName: 'receiver', awsRequestId: original.awsRequestId });
    expect(copy.getRemainingTimeInMillis()).toBe(original.getRemainingTimeInMillis());
  });
});

describe('test kit: events', () => {
  it.each([
    ['vehicleStateEvent', () => vehicleStateEvent()],
    ['vehicleErrorEvent', () => vehicleErrorEvent()],
    ['verifyEvent', () => verifyEvent()],
    ['legacyEvent', () => legacyEvent()],
  ])('builds a %s the event model accepts without tolerances', (_name, build) => {
    const result = parseSmartcarEvent(build());

    expect(result).toMatchObject({ success: true, drift: [] });
  });

  it.each<SampleEventType>(['VERIFY', 'VEHICLE_STATE', 'VEHICLE_ERROR'])(
    'builds a sample %s delivery the event model accepts without tolerances',
    (type) => {
      expect(parseSmartcarEvent(sampleEvent(type))).toMatchObject({ success: true, drift: [] });
    },
  );

  it('gives every test event fresh ids', () => {
    const [first, second] = [vehicleStateEvent(), vehicleStateEvent()];

    expect(first.eventId).not.toBe(second.eventId);
    expect(first.meta?.deliveryId).not.toBe(second.meta?.deliveryId);
    expect(first.data.vehicle?.id).not.toBe(second.data.vehicle?.id);
  });

  it('lets an override replace exactly one field', () => {
    const event = vehicleStateEvent({ eventId: 'evt-1' });

    expect(event.eventId).toBe('evt-1');
    expect(event.eventType).toBe('VEHICLE_STATE');
  });

  it.each([1_000, 10_000, 50_000])('builds a VEHICLE_STATE body of about %i bytes', (bytes) => {
    const body = vehicleStateOfSize(bytes);

    expect(body.length).toBeGreaterThanOrEqual(bytes * 0.7);
    expect(body.length).toBeLessThanOrEqual(bytes + 300);
    expect(parseSmartcarEvent(JSON.parse(body))).toMatchObject({ success: true });
  });
});
