import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mockClient } from 'aws-sdk-client-mock';
import {
  createEnqueueClient,
  createReceiverDependencies,
  toWebhookRequest,
} from '../../lambdas/receiver/receiver-dependencies';
import { receiveWebhook } from '../../lambdas/receiver/webhook-receiver';
import { RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { ENQUEUE_BUDGET } from '../../lambdas/receiver/tuning';
import { signedRequest, TEST_TOKEN, vehicleStateEvent } from '../support/builders';
import { recordingMetrics } from '../support/metrics';

const sqsMock = mockClient(SQSClient);
const secretsMock = mockClient(SecretsManagerClient);

const CONFIG = {
  queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks',
  tokenSecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:smartcar-amt-AbCdEf',
  maxBodyBytes: RECEIVER_DEFAULTS.maxBodyBytes,
  replayToleranceSeconds: RECEIVER_DEFAULTS.replayToleranceSeconds,
  tokenRotationGraceSeconds: RECEIVER_DEFAULTS.tokenRotationGraceSeconds,
};

/** A delivery to a receiver with the production budget, whose SQS never answers. */
async function deliveryToUnansweringSqs() {
  sqsMock.on(SendMessageCommand).callsFake(() => new Promise(() => undefined));
  const deps = createReceiverDependencies(CONFIG, {
    sqs: new SQSClient({ region: 'eu-west-1' }),
    secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
    metrics: recordingMetrics(),
  });
  let settled = false;
  const response = receiveWebhook(toWebhookRequest(signedRequest(vehicleStateEvent())), deps).finally(() => {
    settled = true;
  });
  // Until SendMessage is under way, the budget's clock has not started.
  await jest.advanceTimersByTimeAsync(0);
  expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(1);
  return { response, settled: () => settled };
}

beforeEach(() => {
  sqsMock.reset();
  secretsMock.reset();
  secretsMock
    .on(GetSecretValueCommand, { SecretId: CONFIG.tokenSecretId })
    .resolves({ SecretString: TEST_TOKEN });
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('receiver enqueue budget', () => {
  it('is still waiting for SQS a millisecond before ENQUEUE_BUDGET.totalTimeoutMs', async () => {
    const delivery = await deliveryToUnansweringSqs();

    await jest.advanceTimersByTimeAsync(ENQUEUE_BUDGET.totalTimeoutMs - 1);

    expect(delivery.settled()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
  });

  it('answers 503 ENQUEUE_FAILED once ENQUEUE_BUDGET.totalTimeoutMs have passed without an answer', async () => {
    const delivery = await deliveryToUnansweringSqs();

    await jest.advanceTimersByTimeAsync(ENQUEUE_BUDGET.totalTimeoutMs);

    expect(delivery.settled()).toBe(true);
    const response = await delivery.response;
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'ENQUEUE_FAILED' });
  });

  it('aborts the SendMessage it gave up on', async () => {
    const delivery = await deliveryToUnansweringSqs();

    await jest.advanceTimersByTimeAsync(ENQUEUE_BUDGET.totalTimeoutMs);
    await delivery.response;

    // The SDK passes send()'s options on; the mock's typings know only the command.
    const [call] = sqsMock.commandCalls(SendMessageCommand);
    const options = (call?.args as unknown[] | undefined)?.[1] as { abortSignal?: AbortSignal } | undefined;
    expect(options?.abortSignal?.aborted).toBe(true);
  });
});

describe('receiver SQS client', () => {
  it('makes at most ENQUEUE_BUDGET.maxAttempts attempts', async () => {
    const client = createEnqueueClient({ region: 'eu-west-1' });

    await expect(client.config.maxAttempts()).resolves.toBe(ENQUEUE_BUDGET.maxAttempts);
  });

  it('cuts each attempt at ENQUEUE_BUDGET.connectionTimeoutMs and requestTimeoutMs', () => {
    const create = jest.spyOn(NodeHttpHandler, 'create');

    createEnqueueClient({ region: 'eu-west-1' });

    expect(create).toHaveBeenCalledWith({
      connectionTimeout: ENQUEUE_BUDGET.connectionTimeoutMs,
      requestTimeout: ENQUEUE_BUDGET.requestTimeoutMs,
      throwOnRequestTimeout: true,
    });
  });
});
