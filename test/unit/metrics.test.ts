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
