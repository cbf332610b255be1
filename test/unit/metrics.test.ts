import { dimensionValue, powertoolsMetrics } from '../../lambdas/runtime/metrics';
import { METRICS } from '../../lambdas/contract';
import { captureOutput } from '../support/builders';

interface EmfDocument {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}

/** The EMF documents a function call printed. */
async function emfOf(record: () => void): Promise<EmfDocument[]> {
  const { output } = await captureOutput(async () => {
    record();
    powertoolsMetrics.flush();
  });
  return output
    .split('\n')
    .filter((line) => line.startsWith('{"_aws"'))
    .map((line) => JSON.parse(line) as EmfDocument);
}

describe('powertoolsMetrics', () => {
  it('counts a metric without a breakdown under [service] only, the set the alarms read', async () => {
    const [document] = await emfOf(() => powertoolsMetrics.count(METRICS.signatureFailures));

    expect(document?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRICS.namespace,
        Dimensions: [['service']],
        Metrics: [{ Name: METRICS.signatureFailures, Unit: 'Count' }],
      },
    ]);
    expect(document?.[METRICS.signatureFailures]).toBe(1);
  });

  it('counts a metric with a breakdown under [service] and [service, breakdown] in one document', async () => {
    const documents = await emfOf(() =>
      powertoolsMetrics.count(METRICS.eventsParked, { reason: 'UNKNOWN_EVENT_TYPE' }),
    );

    expect(documents).toHaveLength(1);
    expect(documents[0]?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRICS.namespace,
        Dimensions: [['service'], ['service', 'reason']],
        Metrics: [{ Name: METRICS.eventsParked, Unit: 'Count' }],
      },
    ]);
    expect(documents[0]).toMatchObject({ reason: 'UNKNOWN_EVENT_TYPE', [METRICS.eventsParked]: 1 });
  });

  it('keeps a breakdown off the other metrics of the invocation', async () => {
    const documents = await emfOf(() => {
      powertoolsMetrics.count(METRICS.processed);
      powertoolsMetrics.count(METRICS.schemaDrift, { drift: 'META_MISSING' });
    });
    const processed = documents.find((document) => METRICS.processed in document);

    expect(processed?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(processed).not.toHaveProperty('drift');
  });

  it('writes the metrics of one breakdown value in one document, under both sets', async () => {
    const documents = await emfOf(() => {
      powertoolsMetrics.count(METRICS.requestsRefused, { reason: 'OUTSIDE_REPLAY_WINDOW' });
      powertoolsMetrics.count(METRICS.signedDeliveriesRefused, { reason: 'OUTSIDE_REPLAY_WINDOW' });
    });

    expect(documents).toHaveLength(1);
    expect(documents[0]?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRICS.namespace,
        Dimensions: [['service'], ['service', 'reason']],
        Metrics: [
          { Name: METRICS.requestsRefused, Unit: 'Count' },
          { Name: METRICS.signedDeliveriesRefused, Unit: 'Count' },
        ],
      },
    ]);
  });

  it('writes each value of a breakdown in a document of its own', async () => {
    const documents = await emfOf(() => {
      powertoolsMetrics.count(METRICS.eventsParked, { reason: 'UNKNOWN_EVENT_TYPE' });
      powertoolsMetrics.count(METRICS.eventsParked, { reason: 'SCHEMA_INVALID' });
      powertoolsMetrics.count(METRICS.eventsParked, { reason: 'UNKNOWN_EVENT_TYPE' });
    });

    expect(documents.map((document) => [document.reason, document[METRICS.eventsParked]])).toEqual([
      ['UNKNOWN_EVENT_TYPE', [1, 1]],
      ['SCHEMA_INVALID', 1],
    ]);
  });

  it('writes metadata into the first document of the invocation, as keys that are no metric or dimension', async () => {
    const documents = await emfOf(() => {
      powertoolsMetrics.count(METRICS.deliveries, { eventType: 'VEHICLE_STATE' });
      powertoolsMetrics.addMetadata?.({
        message: 'Delivery enqueued',
        eventId: 'e-1',
        deliveryId: undefined,
      });
    });

    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({
      message: 'Delivery enqueued',
      eventId: 'e-1',
      eventType: 'VEHICLE_STATE',
    });
    expect(documents[0]).not.toHaveProperty('deliveryId');
    expect(documents[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service'],
      ['service', 'eventType'],
    ]);
    expect(documents[0]?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: METRICS.deliveries, Unit: 'Count' },
    ]);
  });

  it('puts metadata on one document only when the invocation writes several', async () => {
    const documents = await emfOf(() => {
      powertoolsMetrics.count(METRICS.signatureFailures);
      powertoolsMetrics.count(METRICS.requestsRefused, { reason: 'SIGNATURE_MISMATCH' });
      powertoolsMetrics.addMetadata?.({ eventId: 'e-1' });
    });

    expect(documents.filter((document) => document.eventId === 'e-1')).toHaveLength(1);
  });

  it('does not carry metadata over to the next invocation', async () => {
    await emfOf(() => powertoolsMetrics.addMetadata?.({ eventId: 'e-1' }));

    const documents = await emfOf(() => powertoolsMetrics.count(METRICS.signatureFailures));

    expect(documents[0]).not.toHaveProperty('eventId');
  });

  it('writes a breakdown value from a request body as a dimension value CloudWatch accepts', async () => {
    const [document] = await emfOf(() =>
      powertoolsMetrics.count(METRICS.deliveries, { eventType: 'VEHICLE STATE\u00e9\n' }),
    );

    expect(document?.eventType).toBe('VEHICLE_STATE__');
  });
});

describe('dimensionValue', () => {
  it.each([
    ['VEHICLE_STATE', 'VEHICLE_STATE'],
    ['', '(none)'],
    ['   ', '___'],
    ['x'.repeat(100), 'x'.repeat(64)],
    ['trip\u0000ended', 'trip_ended'],
  ])('turns %j into %j', (value, expected) => {
    expect(dimensionValue(value)).toBe(expected);
  });
});
