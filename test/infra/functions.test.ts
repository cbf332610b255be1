import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import {
  IDEMPOTENCY_DEFAULTS,
  PROCESSOR_DEFAULTS,
  QUARANTINE_DEFAULTS,
  RECEIVER_DEFAULTS,
} from '../../lib/smartcar-webhooks-defaults';
import { ENV_VARS, METRICS, PLACEHOLDER_TOKEN } from '../../lambdas/contract';
import { arnOf, propertiesOf, ref, roleOf, synthWebhooks } from './synth';

const { webhooks, template } = synthWebhooks();

interface FunctionProperties {
  Runtime: string;
  Architectures: string[];
  MemorySize: number;
  Timeout: number;
  Role: unknown;
  LoggingConfig: Record<string, unknown>;
  Environment: { Variables: Record<string, unknown> };
}

const propertiesOfFunction = (fn: NodejsFunction) =>
  propertiesOf(template, fn) as unknown as FunctionProperties;
const receiver = propertiesOfFunction(webhooks.ingest.receiver);
const processor = propertiesOfFunction(webhooks.processing.processor);
const functions = [
  ['receiver', webhooks.ingest.receiver, receiver],
  ['processor', webhooks.processing.processor, processor],
] as const;

describe.each(functions)('%s function', (_name, fn, properties) => {
  it('runs on Node.js 24 on arm64', () => {
    expect(properties.Runtime).toBe('nodejs24.x');
    expect(properties.Architectures).toEqual(['arm64']);
  });

  it('uses its own role', () => {
    expect(properties.Role).toEqual(arnOf(roleOf(fn)));
  });

  it('logs to its own log group, kept for one month', () => {
    const logGroup = fn.logGroup;
    expect(properties.LoggingConfig.LogGroup).toEqual(ref(logGroup));
    expect(propertiesOf(template, logGroup)).toMatchObject({ RetentionInDays: 30 });
  });

  it('is not traced by X-Ray by default, for its cost, and its SDK calls are not traced', () => {
    expect(properties).not.toHaveProperty('TracingConfig');
    expect(properties.Environment.Variables[ENV_VARS.traceEnabled]).toBe('false');
  });

  it("keeps Lambda's platform warnings and its own INFO lines, in JSON, dropping START, END and REPORT", () => {
    expect(properties.LoggingConfig).toEqual({
      LogGroup: ref(fn.logGroup),
      LogFormat: 'JSON',
      SystemLogLevel: 'WARN',
      ApplicationLogLevel: 'INFO',
    });
  });

  it('samples no invocation at DEBUG level by default', () => {
    expect(properties.Environment.Variables[ENV_VARS.logSampleRate]).toBe('0');
  });

  it('emits its custom metrics to the shared namespace', () => {
    expect(properties.Environment.Variables[ENV_VARS.metricsNamespace]).toBe(METRICS.namespace);
  });

  it('leaves NODE_OPTIONS unset: stack traces are source-mapped on demand, not at every cold start', () => {
    expect(properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
  });

  it('has no environment value that contains the token placeholder', () => {
    for (const value of Object.values(properties.Environment.Variables)) {
      expect(JSON.stringify(value)).not.toContain(PLACEHOLDER_TOKEN);
    }
  });
});

const archiveBucket = () => {
  if (webhooks.archive === undefined) throw new Error('the archive is on by default');
  return webhooks.archive.bucket;
};

describe('receiver function', () => {
  it('has the default memory and timeout', () => {
    expect(receiver.MemorySize).toBe(RECEIVER_DEFAULTS.memorySizeMb);
    expect(receiver.Timeout).toBe(RECEIVER_DEFAULTS.timeoutSeconds);
  });

  it('is told the queue URL, the secret ARN, its limits, replay and rotation windows, the quarantine, and its log, metric and tracing settings', () => {
    expect(receiver.Environment.Variables).toEqual({
      [ENV_VARS.queueUrl]: ref(webhooks.processing.queue),
      [ENV_VARS.tokenSecretId]: ref(webhooks.ingest.tokenSecret),
      [ENV_VARS.maxBodyBytes]: String(RECEIVER_DEFAULTS.maxBodyBytes),
      [ENV_VARS.replayToleranceSeconds]: String(RECEIVER_DEFAULTS.replayToleranceSeconds),
      [ENV_VARS.tokenRotationGraceSeconds]: String(RECEIVER_DEFAULTS.tokenRotationGraceSeconds),
      [ENV_VARS.quarantineBucketName]: ref(archiveBucket()),
      [ENV_VARS.quarantineWritesPerSecond]: String(QUARANTINE_DEFAULTS.writesPerSecond),
      [ENV_VARS.quarantineBurst]: String(QUARANTINE_DEFAULTS.burst),
      [ENV_VARS.serviceName]: 'smartcar-webhook-receiver',
      [ENV_VARS.metricsNamespace]: METRICS.namespace,
      [ENV_VARS.logLevel]: 'INFO',
      [ENV_VARS.logSampleRate]: '0',
      [ENV_VARS.traceEnabled]: 'false',
    });
  });
});

describe('processor function', () => {
  it('has the default memory and timeout', () => {
    expect(processor.MemorySize).toBe(PROCESSOR_DEFAULTS.memorySizeMb);
    expect(processor.Timeout).toBe(PROCESSOR_DEFAULTS.timeoutSeconds);
  });

  it('is told the idempotency table, the record expiry, the DLQ, the archive, and its log, metric and tracing settings', () => {
    expect(processor.Environment.Variables).toEqual({
      [ENV_VARS.idempotencyTableName]: ref(webhooks.processing.idempotencyTable),
      [ENV_VARS.idempotencyExpirySeconds]: String(IDEMPOTENCY_DEFAULTS.expirySeconds),
      [ENV_VARS.deadLetterQueueUrl]: ref(webhooks.processing.deadLetterQueue),
      [ENV_VARS.archiveBucketName]: ref(archiveBucket()),
      [ENV_VARS.serviceName]: 'smartcar-webhook-processor',
      [ENV_VARS.metricsNamespace]: METRICS.namespace,
      [ENV_VARS.logLevel]: 'INFO',
      [ENV_VARS.logSampleRate]: '0',
      [ENV_VARS.traceEnabled]: 'false',
    });
  });

  it('is not given a latest-state table unless latestState is on', () => {
    expect(webhooks.processing.latestStateTable).toBeUndefined();
    expect(processor.Environment.Variables[ENV_VARS.latestStateTableName]).toBeUndefined();
  });

  it('consumes the queue in batches of up to 100 gathered for up to 30 s, and reports failed records one by one', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(webhooks.processing.queue),
      FunctionName: ref(webhooks.processing.processor),
      BatchSize: PROCESSOR_DEFAULTS.batchSize,
      MaximumBatchingWindowInSeconds: PROCESSOR_DEFAULTS.maxBatchingWindowSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(PROCESSOR_DEFAULTS.batchSize).toBe(100);
    expect(PROCESSOR_DEFAULTS.maxBatchingWindowSeconds).toBe(30);
  });

  it('runs at most 5 batches at once, so a backlog or redrive cannot take the receiver its concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: PROCESSOR_DEFAULTS.maxConcurrency },
    });
    expect(PROCESSOR_DEFAULTS.maxConcurrency).toBe(5);
  });
});

describe('both functions with tracing: true', () => {
  const traced = synthWebhooks({ tracing: true });

  it.each([
    ['receiver', traced.webhooks.ingest.receiver],
    ['processor', traced.webhooks.processing.processor],
  ])('the %s is traced by X-Ray (Active) and traces its SDK calls', (_name, fn) => {
    expect(propertiesOf(traced.template, fn)).toMatchObject({
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: { [ENV_VARS.traceEnabled]: 'true' } },
    });
  });
});
