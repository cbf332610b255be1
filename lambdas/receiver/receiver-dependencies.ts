import { TOKEN_CACHE, ENQUEUE_BUDGET, QUARANTINE_BUDGET } from './tuning';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ENV_VARS, type ReceiverConfig } from '../contract';
import { logger } from '../runtime/logger';
import { type MetricsRecorder, powertoolsMetrics } from '../runtime/metrics';
import { traced } from '../runtime/tracing';
import { createSqsEnqueue } from './enqueue';
import { createS3Quarantine, type Quarantine } from './quarantine';
import { createSecretTokenSource, VersionedSecretsProvider } from './token-source';
import type { ReceiverDependencies, WebhookRequest } from './webhook-receiver';

/** Clients and clock to use instead of the defaults (tests inject mocked or local ones). */
export interface ReceiverOverrides {
  sqs?: SQSClient;
  secretsManager?: SecretsManagerClient;
  now?: () => number;
  enqueueTimeoutMs?: number;
  metrics?: MetricsRecorder;
  s3?: Pick<S3Client, 'send'>;
}

/**
 * Everything the receiver needs, built once per execution environment so the token cache and the
 * SQS connections outlive single invocations.
 */
export function createReceiverDependencies(
  config: ReceiverConfig,
  overrides: ReceiverOverrides = {},
): ReceiverDependencies {
  const sqs = overrides.sqs ?? traced(createEnqueueClient(), config.traceEnabled);
  return {
    logger,
    metrics: overrides.metrics ?? powertoolsMetrics,
    maxBodyBytes: config.maxBodyBytes,
    replayToleranceSeconds: config.replayToleranceSeconds,
    now: overrides.now,
    tokens: createTokenSource(config, overrides),
    enqueue: createSqsEnqueue({
      client: sqs,
      queueUrl: config.queueUrl,
      totalTimeoutMs: overrides.enqueueTimeoutMs ?? ENQUEUE_BUDGET.totalTimeoutMs,
    }),
    quarantine: createQuarantine(config, overrides),
  };
}

function createQuarantine(config: ReceiverConfig, overrides: ReceiverOverrides): Quarantine | undefined {
  const { quarantineBucketName, quarantineWritesPerSecond, quarantineBurst } = config;
  if (quarantineBucketName === undefined) return undefined;
  if (quarantineWritesPerSecond === undefined || quarantineBurst === undefined) {
    // Only a hand-made environment gets here: the construct and `npm start` write all three.
    logger.warn(
      `Quarantine off: ${ENV_VARS.quarantineBucketName} is set without ${ENV_VARS.quarantineWritesPerSecond} and ${ENV_VARS.quarantineBurst}, its cost bound.`,
    );
    return undefined;
  }
  let client = overrides.s3;
  return createS3Quarantine({
    client: () => (client ??= traced(createQuarantineClient(), config.traceEnabled)),
    bucket: quarantineBucketName,
    writesPerSecond: quarantineWritesPerSecond,
    burst: quarantineBurst,
    writeTimeoutMs: QUARANTINE_BUDGET.writeTimeoutMs,
    maxBodyBytes: QUARANTINE_BUDGET.maxBodyBytes,
    bytesPerWrite: QUARANTINE_BUDGET.bytesPerWrite,
    recentDeliveries: QUARANTINE_BUDGET.recentDeliveries,
    now: overrides.now,
  });
}

/** The quarantine's S3 client: one attempt inside the write budget; a miss is counted, not retried. */
function createQuarantineClient(): S3Client {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on the first refusal only
  const { S3Client: S3ClientClass } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  return new S3ClientClass({
    maxAttempts: 1,
    requestHandler: { connectionTimeout: QUARANTINE_BUDGET.writeTimeoutMs, throwOnRequestTimeout: true },
  });
}

function createTokenSource(config: ReceiverConfig, overrides: ReceiverOverrides) {
  const awsSdkV3Client =
    overrides.secretsManager ?? traced(new SecretsManagerClient({}), config.traceEnabled);
  return createSecretTokenSource({
    currentProvider: new VersionedSecretsProvider({ awsSdkV3Client }),
    previousProvider: new VersionedSecretsProvider({ awsSdkV3Client }),
    secretId: config.tokenSecretId,
    cacheSeconds: TOKEN_CACHE.cacheSeconds,
    refreshIntervalSeconds: TOKEN_CACHE.refreshAfterMismatchSeconds,
    rotationGraceSeconds: config.tokenRotationGraceSeconds,
    now: overrides.now,
  });
}

/** The receiver's SQS client: every attempt and the retry count bounded by ENQUEUE_BUDGET. */
export function createEnqueueClient(config: SQSClientConfig = {}): SQSClient {
  return new SQSClient({
    maxAttempts: ENQUEUE_BUDGET.maxAttempts,
    requestHandler: {
      connectionTimeout: ENQUEUE_BUDGET.connectionTimeoutMs,
      requestTimeout: ENQUEUE_BUDGET.requestTimeoutMs,
      // Without it the SDK only warns when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
    ...config,
  });
}

/** The parts of an HTTP API (payload format 2.0) event the receiver reads. */
export function toWebhookRequest(event: APIGatewayProxyEventV2): WebhookRequest {
  return {
    method: event.requestContext.http.method,
    headers: event.headers ?? {},
    body: event.body,
    isBase64Encoded: event.isBase64Encoded,
    requestId: event.requestContext.requestId,
  };
}
