import { ENV_VARS, IDEMPOTENCY_DEFAULTS, RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { ConfigurationError } from '../receiver/errors';

type Env = Readonly<Record<string, string | undefined>>;

/** Receiver settings, read once at cold start. */
export interface ReceiverConfig {
  queueUrl: string;
  tokenSecretId: string;
  maxBodyBytes: number;
  replayToleranceSeconds: number;
  tokenRotationGraceSeconds: number;
}

/** Processor settings, read once at cold start. */
export interface ProcessorConfig {
  idempotencyTableName: string;
  idempotencyExpirySeconds: number;
  /** Set when the construct's latestState option is on. */
  latestStateTableName?: string;
  /** Set by the construct; without it unprocessable events take the retry path to the DLQ. */
  deadLetterQueueUrl?: string;
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`Environment variable ${name} is not set; the CDK construct sets it.`);
  }
  return value.trim();
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigurationError(`Environment variable ${name} must be a positive integer, got "${raw}".`);
  }
  return value;
}

function nonNegativeInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ConfigurationError(
      `Environment variable ${name} must be 0 or a positive integer, got "${raw}".`,
    );
  }
  return value;
}

/** @throws ConfigurationError when a variable the construct sets is missing or invalid */
export function readReceiverConfig(env: Env): ReceiverConfig {
  return {
    queueUrl: required(env, ENV_VARS.queueUrl),
    tokenSecretId: required(env, ENV_VARS.tokenSecretId),
    maxBodyBytes: positiveInteger(env, ENV_VARS.maxBodyBytes, RECEIVER_DEFAULTS.maxBodyBytes),
    replayToleranceSeconds: nonNegativeInteger(
      env,
      ENV_VARS.replayToleranceSeconds,
      RECEIVER_DEFAULTS.replayToleranceSeconds,
    ),
    tokenRotationGraceSeconds: nonNegativeInteger(
      env,
      ENV_VARS.tokenRotationGraceSeconds,
      RECEIVER_DEFAULTS.tokenRotationGraceSeconds,
    ),
  };
}

/** @throws ConfigurationError when a variable the construct sets is missing or invalid */
export function readProcessorConfig(env: Env): ProcessorConfig {
  return {
    idempotencyTableName: required(env, ENV_VARS.idempotencyTableName),
    idempotencyExpirySeconds: positiveInteger(
      env,
      ENV_VARS.idempotencyExpirySeconds,
      IDEMPOTENCY_DEFAULTS.expirySeconds,
    ),
    latestStateTableName: optional(env, ENV_VARS.latestStateTableName),
    deadLetterQueueUrl: optional(env, ENV_VARS.deadLetterQueueUrl),
  };
}
