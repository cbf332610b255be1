import { ENV_VARS } from '../../../lambdas/contract';
import { IDEMPOTENCY_DEFAULTS } from '../../../lib/smartcar-webhooks-defaults';
import { FAKE_AWS } from './dynalite';

/** Where the SDK inside a handler finds each emulator (its standard AWS_ENDPOINT_URL_* variables). */
export interface LocalEndpoints {
  dynamodb?: string;
  sqs?: string;
  s3?: string;
}

/**
 * Gives this process what the Lambda runtime and the construct give a processor: a region, made-up
 * credentials (no profile or session from the developer's shell), the emulators' endpoints and the
 * idempotency expiry, so the production entry runs unchanged. Returns the undo, for afterAll.
 */
export function useLocalLambdaEnvironment(
  endpoints: LocalEndpoints,
  extra: Record<string, string> = {},
): () => void {
  const saved = { ...process.env };
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined) process.env[name] = value;
  };
  set('AWS_ENDPOINT_URL_DYNAMODB', endpoints.dynamodb);
  set('AWS_ENDPOINT_URL_SQS', endpoints.sqs);
  set('AWS_ENDPOINT_URL_S3', endpoints.s3);
  Object.assign(process.env, {
    AWS_REGION: FAKE_AWS.region,
    AWS_ACCESS_KEY_ID: FAKE_AWS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_AWS.secretAccessKey,
    [ENV_VARS.idempotencyExpirySeconds]: String(IDEMPOTENCY_DEFAULTS.expirySeconds),
    ...extra,
  });
  return () => {
    process.env = saved;
  };
}
