import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ENQUEUE_DEFAULTS, RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { readReceiverConfig } from '../shared/config';
import { logger } from '../shared/logger';
import { createSqsEnqueue } from './enqueue';
import { createSecretTokenSource } from './token-source';
import { receiveWebhook } from './webhook-receiver';

// Built once per execution environment: the token cache and SQS connections outlive invocations.
const config = readReceiverConfig(process.env);

const sqs = new SQSClient({
  maxAttempts: ENQUEUE_DEFAULTS.maxAttempts,
  requestHandler: {
    connectionTimeout: ENQUEUE_DEFAULTS.connectionTimeoutMs,
    requestTimeout: ENQUEUE_DEFAULTS.requestTimeoutMs,
  },
});

const dependencies = {
  logger,
  maxBodyBytes: config.maxBodyBytes,
  tokens: createSecretTokenSource({
    provider: new SecretsProvider(),
    secretId: config.tokenSecretId,
    cacheSeconds: RECEIVER_DEFAULTS.tokenCacheSeconds,
    refreshIntervalSeconds: RECEIVER_DEFAULTS.tokenRefreshAfterMismatchSeconds,
  }),
  enqueue: createSqsEnqueue({
    client: sqs,
    queueUrl: config.queueUrl,
    totalTimeoutMs: ENQUEUE_DEFAULTS.totalTimeoutMs,
  }),
};

/** API Gateway HTTP API (payload format 2.0) entry point. */
export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.addContext(context);
  return receiveWebhook(
    {
      method: event.requestContext.http.method,
      headers: event.headers ?? {},
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
    },
    dependencies,
  );
};
