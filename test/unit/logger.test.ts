import { Logger } from '@aws-lambda-powertools/logger';
import { CompactLogFormatter } from '../../lambdas/runtime/logger';
import { captureOutput, lambdaContext } from '../support/builders';

const TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1';

/** A logger formatted like the functions' own, inside an invocation. */
function invocationLogger(context = lambdaContext()): Logger {
  const logger = new Logger({
    serviceName: 'smartcar-webhook-processor',
    logFormatter: new CompactLogFormatter(),
  });
  logger.addContext(context);
  return logger;
}

async function lineOf(log: () => void): Promise<Record<string, unknown>> {
  const { output } = await captureOutput(async () => log());
  return JSON.parse(output.trim()) as Record<string, unknown>;
}

describe('CompactLogFormatter', () => {
  const savedTraceId = process.env._X_AMZN_TRACE_ID;
  beforeEach(() => {
    process.env._X_AMZN_TRACE_ID = TRACE_ID;
  });
  afterEach(() => {
    if (savedTraceId === undefined) delete process.env._X_AMZN_TRACE_ID;
    else process.env._X_AMZN_TRACE_ID = savedTraceId;
  });

  it('writes an INFO line with its level, message, service and keys, and nothing CloudWatch stores already', async () => {
    const line = await lineOf(() =>
      invocationLogger().info('Event processed', { eventId: 'e-1', attempt: 1 }),
    );

    expect(line).toEqual({
      level: 'INFO',
      message: 'Event processed',
      service: 'smartcar-webhook-processor',
      eventId: 'e-1',
      attempt: 1,
    });
  });

  it.each(['warn', 'error'] as const)(
    'adds the request id, cold start and X-Ray trace id to a %s line, to find its invocation',
    async (level) => {
      const context = lambdaContext();

      const line = await lineOf(() => invocationLogger(context)[level]('Event processing failed'));

      expect(line).toMatchObject({
        function_request_id: context.awsRequestId,
        cold_start: expect.any(Boolean),
        xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      });
      // RFC 3339, so Lambda's log-level filter reads the line's own level rather than taking it for INFO.
      expect(line.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    },
  );

  it('keeps the persistent keys of a child logger', async () => {
    const child = invocationLogger().createChild({ persistentKeys: { eventId: 'e-1' } });

    const line = await lineOf(() => child.info('Vehicle state received'));

    expect(line).toMatchObject({ message: 'Vehicle state received', eventId: 'e-1' });
    expect(line).not.toHaveProperty('timestamp');
  });

  it('writes an error passed to it with its name and message', async () => {
    const line = await lineOf(() =>
      invocationLogger().error('Unexpected receiver error', new TypeError('boom')),
    );

    expect(line.error).toMatchObject({ name: 'TypeError', message: 'boom' });
  });
});
