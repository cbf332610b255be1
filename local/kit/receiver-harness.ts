import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ReceiverConfig } from '../../lambdas/contract';
import {
  createReceiverDependencies,
  type ReceiverOverrides,
  toWebhookRequest,
} from '../../lambdas/receiver/receiver-dependencies';
import type { TokenSource } from '../../lambdas/receiver/token-source';
import { type ReceiverDependencies, receiveWebhook } from '../../lambdas/receiver/webhook-receiver';
import { RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { LOCAL_AWS } from '../local-aws';

/** The receiver's configuration with the construct's defaults and made-up queue and secret. */
export const TEST_RECEIVER_CONFIG: ReceiverConfig = {
  queueUrl: `https://sqs.${LOCAL_AWS.region}.amazonaws.com/${LOCAL_AWS.accountId}/smartcar-webhooks`,
  tokenSecretId: `arn:aws:secretsmanager:${LOCAL_AWS.region}:${LOCAL_AWS.accountId}:secret:smartcar-amt-AbCdEf`,
  maxBodyBytes: RECEIVER_DEFAULTS.maxBodyBytes,
  replayToleranceSeconds: RECEIVER_DEFAULTS.replayToleranceSeconds,
  tokenRotationGraceSeconds: RECEIVER_DEFAULTS.tokenRotationGraceSeconds,
};

/** Options of {@link receiverHarness}: the composition root's overrides, plus these. */
export interface ReceiverHarnessOptions extends ReceiverOverrides {
  /** Merged over {@link TEST_RECEIVER_CONFIG}. */
  config?: Partial<ReceiverConfig>;
  /** Parts to use instead of the wired ones, e.g. {@link fixedTokens} instead of Secrets Manager. */
  replace?: Partial<Pick<ReceiverDependencies, 'tokens' | 'enqueue' | 'logger'>>;
}

/** The receiver as its Lambda entry runs it, with the parts a test chose. */
export interface ReceiverHarness {
  dependencies: ReceiverDependencies;
  /** One invocation: the request handled, then the metrics written, as `lambdas/receiver/index.ts` does. */
  invoke(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2>;
}

/**
 * The receiver built by its composition root, `createReceiverDependencies`: the real token cache
 * over Secrets Manager and the real bounded SQS client, unless `options` passes clients (local or
 * mocked ones) or replaces a part. One harness is one execution environment: its caches live as
 * long as it does.
 */
export function receiverHarness(options: ReceiverHarnessOptions = {}): ReceiverHarness {
  const config = { ...TEST_RECEIVER_CONFIG, ...options.config };
  const dependencies = { ...createReceiverDependencies(config, options), ...options.replace };
  return {
    dependencies,
    invoke: async (event) => {
      try {
        return await receiveWebhook(toWebhookRequest(event), dependencies);
      } finally {
        dependencies.metrics.flush();
      }
    },
  };
}

/** A token source that always answers `current` (and `previous`, when given), never Secrets Manager. */
export function fixedTokens(current: string, previous?: string): TokenSource {
  return {
    current: async () => current,
    previous: async () => previous,
    refresh: async () => undefined,
  };
}
