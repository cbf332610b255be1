import {
  ENV_VARS,
  METRICS,
  PROCESSOR_ENVIRONMENT,
  RECEIVER_ENVIRONMENT,
  SERVICE_NAMES,
} from '../../lambdas/contract';
import {
  IDEMPOTENCY_DEFAULTS,
  QUARANTINE_DEFAULTS,
  RECEIVER_DEFAULTS,
} from '../../lib/smartcar-webhooks-defaults';
import { functionEnvironments, type LocalResources } from '../../local/function-environments';
import { TOKEN_ENV_VAR } from '../../local/token';

const RESOURCES: LocalResources = {
  sqsEndpoint: 'http://127.0.0.1:4001',
  dynamodbEndpoint: 'http://127.0.0.1:4002',
  secretsManagerEndpoint: 'http://127.0.0.1:4003',
  queueUrl: 'http://127.0.0.1:4001/000000000000/smartcar-webhooks',
  deadLetterQueueUrl: 'http://127.0.0.1:4001/000000000000/smartcar-webhooks-dlq',
  tokenSecretId: 'local/token',
  idempotencyTableName: 'idempotency',
  latestStateTableName: 'latest-state',
  s3Endpoint: 'http://127.0.0.1:4004',
  archiveBucketName: 'archive',
};

describe('functionEnvironments', () => {
  it('gives the receiver the configuration the construct writes, with its own service name', () => {
    const { receiver } = functionEnvironments(RESOURCES, {});

    expect(RECEIVER_ENVIRONMENT.read(receiver)).toEqual({
      config: {
        serviceName: SERVICE_NAMES.receiver,
        metricsNamespace: METRICS.namespace,
        queueUrl: RESOURCES.queueUrl,
        tokenSecretId: RESOURCES.tokenSecretId,
        maxBodyBytes: RECEIVER_DEFAULTS.maxBodyBytes,
        replayToleranceSeconds: RECEIVER_DEFAULTS.replayToleranceSeconds,
        tokenRotationGraceSeconds: RECEIVER_DEFAULTS.tokenRotationGraceSeconds,
        quarantineBucketName: RESOURCES.archiveBucketName,
        quarantineWritesPerSecond: QUARANTINE_DEFAULTS.writesPerSecond,
        quarantineBurst: QUARANTINE_DEFAULTS.burst,
      },
    });
  });

  it('gives the processor the configuration the construct writes, with its own service name', () => {
    const { processor } = functionEnvironments(RESOURCES, {});

    expect(PROCESSOR_ENVIRONMENT.read(processor)).toEqual({
      config: {
        serviceName: SERVICE_NAMES.processor,
        metricsNamespace: METRICS.namespace,
        idempotencyTableName: RESOURCES.idempotencyTableName,
        idempotencyExpirySeconds: IDEMPOTENCY_DEFAULTS.expirySeconds,
        latestStateTableName: RESOURCES.latestStateTableName,
        deadLetterQueueUrl: RESOURCES.deadLetterQueueUrl,
        archiveBucketName: RESOURCES.archiveBucketName,
      },
    });
  });

  it('names no latest-state table without one, as a default deployment does', () => {
    const { latestStateTableName: _, ...withoutLatestState } = RESOURCES;

    const { processor } = functionEnvironments(withoutLatestState, {});

    expect(processor).not.toHaveProperty(ENV_VARS.latestStateTableName);
    expect(processor).toHaveProperty(ENV_VARS.idempotencyTableName, RESOURCES.idempotencyTableName);
  });

  it('writes the deployed settings it is given', () => {
    const { receiver, processor } = functionEnvironments(
      RESOURCES,
      {},
      {
        receiver: {
          maxBodyBytes: 1000,
          replayToleranceSeconds: 0,
          tokenRotationGraceSeconds: 60,
          quarantine: { writesPerSecond: 3, burst: 7 },
        },
        processor: { idempotencyExpirySeconds: 86_400 },
      },
    );

    expect(receiver).toMatchObject({
      [ENV_VARS.maxBodyBytes]: '1000',
      [ENV_VARS.replayToleranceSeconds]: '0',
      [ENV_VARS.tokenRotationGraceSeconds]: '60',
      [ENV_VARS.quarantineWritesPerSecond]: '3',
      [ENV_VARS.quarantineBurst]: '7',
    });
    expect(processor).toMatchObject({ [ENV_VARS.idempotencyExpirySeconds]: '86400' });
  });

  it('writes no quarantine when the deployed settings have none', () => {
    const { receiver } = functionEnvironments(
      RESOURCES,
      {},
      {
        receiver: { maxBodyBytes: 1000, replayToleranceSeconds: 0, tokenRotationGraceSeconds: 0 },
        processor: { idempotencyExpirySeconds: 86_400 },
      },
    );

    expect(receiver).not.toHaveProperty(ENV_VARS.quarantineBucketName);
    expect(receiver).not.toHaveProperty(ENV_VARS.quarantineBurst);
  });

  it('keeps each function’s variables out of the other’s environment', () => {
    const { receiver, processor } = functionEnvironments(RESOURCES, {});

    expect(receiver).not.toHaveProperty(ENV_VARS.idempotencyTableName);
    expect(processor).not.toHaveProperty(ENV_VARS.queueUrl);
  });

  it('points the AWS SDK at the emulators with local credentials', () => {
    const { receiver } = functionEnvironments(RESOURCES, {});

    expect(receiver).toMatchObject({
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_ENDPOINT_URL_SQS: RESOURCES.sqsEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: RESOURCES.dynamodbEndpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: RESOURCES.secretsManagerEndpoint,
      AWS_ENDPOINT_URL_S3: RESOURCES.s3Endpoint,
    });
  });

  it('passes on what the developer set, but no AWS settings and not the token', () => {
    const inherited = {
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      AWS_PROFILE: 'production',
      AWS_SESSION_TOKEN: 'session',
      [TOKEN_ENV_VAR]: 'secret-token',
    };

    const { receiver, processor } = functionEnvironments(RESOURCES, inherited);

    for (const env of [receiver, processor]) {
      expect(env).toMatchObject({ POWERTOOLS_DEV: 'true', POWERTOOLS_LOG_LEVEL: 'DEBUG' });
      expect(env).not.toHaveProperty('AWS_PROFILE');
      expect(env).not.toHaveProperty('AWS_SESSION_TOKEN');
      expect(env).not.toHaveProperty(TOKEN_ENV_VAR);
    }
  });

  it('names each function by its own service, whatever the shell says', () => {
    const { receiver } = functionEnvironments(RESOURCES, {
      [ENV_VARS.serviceName]: 'smartcar-webhooks-local',
    });

    expect(receiver[ENV_VARS.serviceName]).toBe(SERVICE_NAMES.receiver);
  });
});
