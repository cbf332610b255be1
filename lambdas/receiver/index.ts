import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { readReceiverConfig } from '../runtime/config';
import { logger } from '../runtime/logger';
import { createReceiverDependencies, toWebhookRequest } from './receiver-dependencies';
import { receiveWebhook } from './webhook-receiver';

const dependencies = createReceiverDependencies(readReceiverConfig(process.env));

/** API Gateway HTTP API (payload format 2.0) entry point. */
export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.addContext(context);
  try {
    return await receiveWebhook(toWebhookRequest(event), dependencies);
  } finally {
    dependencies.metrics.flush();
  }
};
