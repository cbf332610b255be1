import { METRICS } from '../../lambdas/contract';
import { captureOutput } from '../support/builders';
import { processorHarness, recordingMetrics, sqsRecord, vehicleStateEvent } from '../../local/kit';
import { appWith, fakeHandlers } from '../support/handlers';
import { mockIdempotencyTable } from '../support/processor';
import { createProcessorHandler } from '../../lambdas/processor/processor-handler';
import type { WebhookApp } from '../../lambdas/sdk';

describe('createProcessorHandler', () => {
  it.each([
    ['undefined, as esbuild bundles a module without an app export', undefined],
    ['an object that is not a WebhookApp', { onVehicleState: () => undefined }],
  ])('refuses %s at cold start, naming the export it needs', (_case, app) => {
    expect(() => createProcessorHandler(app as unknown as WebhookApp)).toThrow(
      expect.objectContaining({
        name: 'ConfigurationError',
        message: expect.stringMatching(/export `app`, a WebhookApp/),
      }),
    );
  });
});

describe('the batch step: archive first, then process', () => {
  mockIdempotencyTable();

  const records = () => [
    sqsRecord(JSON.stringify(vehicleStateEvent())),
    sqsRecord(JSON.stringify(vehicleStateEvent())),
  ];

  it('archives the whole batch before the first handler runs, and counts what it kept', async () => {
    const order: string[] = [];
    const metrics = recordingMetrics();
    const handlers = fakeHandlers();
    handlers.onVehicleState.mockImplementation(async () => {
      order.push('handler');
    });
    const archive = {
      archive: jest.fn(async (batch: readonly unknown[]) => {
        order.push('archive');
        return { keys: ['k'], records: batch.length };
      }),
    };
    const harness = processorHarness({ app: appWith(handlers), metrics, archive });

    const result = await harness.processBatch(records());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(order).toEqual(['archive', 'handler', 'handler']);
    expect(metrics.countOf(METRICS.eventsArchived)).toBe(2);
  });

  it('fails every record unprocessed when the archive cannot be written, and counts one failure', async () => {
    const metrics = recordingMetrics();
    const handlers = fakeHandlers();
    const archive = { archive: jest.fn(async () => Promise.reject(new Error('AccessDenied'))) };
    const harness = processorHarness({ app: appWith(handlers), metrics, archive });
    const batch = records();

    const { result, output } = await captureOutput(() => harness.processBatch(batch));

    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      batch.map((record) => record.messageId),
    );
    expect(handlers.onVehicleState).not.toHaveBeenCalled();
    expect(metrics.countOf(METRICS.archiveWriteFailures)).toBe(1);
    expect(output).toMatch(/could not be archived.*AccessDenied/s);
  });
});
