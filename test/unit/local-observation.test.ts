import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Logger } from '@aws-lambda-powertools/logger';
import { METRICS } from '../../lambdas/contract';
import { powertoolsMetrics } from '../../lambdas/runtime/metrics';
import { LOG_RECORDS_CHANNEL, publishEmfDocument, publishLogRecord } from '../../lambdas/runtime/observation';
import { captureOutput } from '../support/builders';

/** A logger configured like the functions' own. */
const functionLogger = () =>
  new Logger({ serviceName: 'smartcar-webhook-processor', jsonReplacerFn: publishLogRecord });

describe('observation channel: log records', () => {
  let records: unknown[];
  const onRecord = (record: unknown) => void records.push(record);

  beforeEach(() => {
    records = [];
    subscribe(LOG_RECORDS_CHANNEL, onRecord);
  });

  afterEach(() => {
    unsubscribe(LOG_RECORDS_CHANNEL, onRecord);
  });

  it('publishes each record the logger prints, with its message, level, service and keys', async () => {
    await captureOutput(async () => functionLogger().info('Event processed', { eventId: 'e-1', attempt: 1 }));

    expect(records).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'Event processed',
        service: 'smartcar-webhook-processor',
        eventId: 'e-1',
        attempt: 1,
      }),
    ]);
  });

  it('publishes the records of child loggers, with their persistent keys', async () => {
    const child = functionLogger().createChild({ persistentKeys: { messageId: 'm-1' } });

    await captureOutput(async () => child.warn('Event is locked'));

    expect(records).toEqual([expect.objectContaining({ message: 'Event is locked', messageId: 'm-1' })]);
  });

  it('publishes nothing for a record below the log level', async () => {
    await captureOutput(async () => functionLogger().debug('not printed'));

    expect(records).toEqual([]);
  });

  it('leaves what the logger prints as it was', async () => {
    const plain = new Logger({ serviceName: 'smartcar-webhook-processor' });
    const line = (logger: Logger) =>
      captureOutput(async () => logger.info('Event processed', { eventId: 'e-1', nested: { a: [1, 2] } }));

    const [observed, unobserved] = [await line(functionLogger()), await line(plain)];

    const withoutTime = (output: string) => output.replace(/"timestamp":"[^"]+"/, '');
    expect(withoutTime(observed.output)).toBe(withoutTime(unobserved.output));
  });
});

describe('observation channel: EMF documents', () => {
  let records: Record<string, unknown>[];
  const onRecord = (record: unknown) => void records.push(record as Record<string, unknown>);

  beforeEach(() => {
    records = [];
    subscribe(LOG_RECORDS_CHANNEL, onRecord);
  });

  afterEach(() => {
    unsubscribe(LOG_RECORDS_CHANNEL, onRecord);
  });

  it('publishes the document a metrics flush prints, with its metadata, as the line of an enqueued delivery', async () => {
    const { output } = await captureOutput(async () => {
      powertoolsMetrics.count(METRICS.deliveries, { eventType: 'VEHICLE_STATE' });
      powertoolsMetrics.addMetadata?.({ message: 'Delivery enqueued', eventId: 'e-1' });
      powertoolsMetrics.flush();
    });

    expect(records).toEqual([JSON.parse(output.trim())]);
    expect(records[0]).toMatchObject({
      message: 'Delivery enqueued',
      eventId: 'e-1',
      eventType: 'VEHICLE_STATE',
    });
  });
});

describe('observation channel without a subscriber', () => {
  it('does not build an EMF document for it', () => {
    const document = jest.fn(() => ({}));

    publishEmfDocument(document);

    expect(document).not.toHaveBeenCalled();
  });

  it('returns every value unchanged', () => {
    const record = { level: 'INFO', message: 'Event processed' };

    expect(publishLogRecord('', record)).toBe(record);
    expect(publishLogRecord('message', 'Event processed')).toBe('Event processed');
  });
});
