import {
  METRICS,
  PROCESSOR_ENVIRONMENT,
  type ProcessorConfig,
  RECEIVER_ENVIRONMENT,
  type ReceiverConfig,
  SERVICE_NAMES,
} from '../lambdas/contract';
import {
  IDEMPOTENCY_DEFAULTS,
  QUARANTINE_DEFAULTS,
  RECEIVER_DEFAULTS,
} from '../lib/smartcar-webhooks-defaults';
import type { DeployedSettings } from './deployed-settings';
import { LOCAL_AWS } from './local-aws';
import { TOKEN_ENV_VAR } from './token';

/** Where the emulators are, and the resources the functions are configured with. */
export interface LocalResources {
  sqsEndpoint: string;
  dynamodbEndpoint: string;
  secretsManagerEndpoint: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  tokenSecretId: string;
  idempotencyTableName: string;
  /** The latest-state table, when the store is on (`-c latestState=true`); as on AWS, absent by default. */
  latestStateTableName?: string;
  /** fauxqs's S3, behind the archive switch. */
  s3Endpoint: string;
  archiveBucketName: string;
}

/** What the construct writes into each function's environment, as {@link DeployedSettings} has it. */
export type FunctionSettings = Pick<DeployedSettings, 'receiver' | 'processor'>;

/** The construct's defaults, for {@link functionEnvironments} without settings. */
const DEFAULT_FUNCTION_SETTINGS: FunctionSettings = {
  receiver: {
    maxBodyBytes: RECEIVER_DEFAULTS.maxBodyBytes,
    replayToleranceSeconds: RECEIVER_DEFAULTS.replayToleranceSeconds,
    tokenRotationGraceSeconds: RECEIVER_DEFAULTS.tokenRotationGraceSeconds,
    quarantine: { writesPerSecond: QUARANTINE_DEFAULTS.writesPerSecond, burst: QUARANTINE_DEFAULTS.burst },
  },
  processor: { idempotencyExpirySeconds: IDEMPOTENCY_DEFAULTS.expirySeconds },
};

/**
 * The environment of each function, as the construct writes it: through the contract's
 * definitions, with the construct's defaults and each function's own service name and metrics
 * namespace, pointed at the emulators by the SDK's standard AWS_ENDPOINT_URL_* variables.
 * Variables the developer set for `npm start` (POWERTOOLS_DEV, POWERTOOLS_LOG_LEVEL, their own)
 * pass through, except AWS settings, which would reach a real account, and the local token, which
 * the receiver reads from the Secrets Manager stand-in as it does on AWS.
 */
export function functionEnvironments(
  resources: LocalResources,
  inherited: NodeJS.ProcessEnv = process.env,
  settings: FunctionSettings = DEFAULT_FUNCTION_SETTINGS,
): { receiver: Record<string, string>; processor: Record<string, string> } {
  const { quarantine } = settings.receiver;
  const receiver: ReceiverConfig = {
    serviceName: SERVICE_NAMES.receiver,
    metricsNamespace: METRICS.namespace,
    queueUrl: resources.queueUrl,
    tokenSecretId: resources.tokenSecretId,
    maxBodyBytes: settings.receiver.maxBodyBytes,
    replayToleranceSeconds: settings.receiver.replayToleranceSeconds,
    tokenRotationGraceSeconds: settings.receiver.tokenRotationGraceSeconds,
    // As the construct does: the quarantine lives in the archive bucket.
    quarantineBucketName: quarantine === undefined ? undefined : resources.archiveBucketName,
    quarantineWritesPerSecond: quarantine?.writesPerSecond,
    quarantineBurst: quarantine?.burst,
  };
  const processor: ProcessorConfig = {
    serviceName: SERVICE_NAMES.processor,
    metricsNamespace: METRICS.namespace,
    idempotencyTableName: resources.idempotencyTableName,
    idempotencyExpirySeconds: settings.processor.idempotencyExpirySeconds,
    latestStateTableName: resources.latestStateTableName,
    deadLetterQueueUrl: resources.deadLetterQueueUrl,
    archiveBucketName: resources.archiveBucketName,
  };
  const base = { ...developerVariables(inherited), ...localAws(resources) };
  return {
    receiver: { ...base, ...RECEIVER_ENVIRONMENT.write(receiver) },
    processor: { ...base, ...PROCESSOR_ENVIRONMENT.write(processor) },
  };
}

function developerVariables(inherited: NodeJS.ProcessEnv): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(inherited)) {
    if (value !== undefined && !name.startsWith('AWS_') && name !== TOKEN_ENV_VAR) variables[name] = value;
  }
  return variables;
}

function localAws(resources: LocalResources): Record<string, string> {
  return {
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_SQS: resources.sqsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: resources.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: resources.secretsManagerEndpoint,
    // An IP address: the SDK addresses buckets path-style, as a local endpoint needs.
    AWS_ENDPOINT_URL_S3: resources.s3Endpoint,
  };
}
