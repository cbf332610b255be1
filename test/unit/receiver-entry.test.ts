import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { ENV_VARS, LOG_MESSAGES, METRICS, RECEIVER_ENVIRONMENT, SERVICE_NAMES } from '../../lambdas/contract';
import { RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import {
  apiGatewayEvent,
  captureOutput,
  lambdaContext,
  sign,
  signedRequest,
  TEST_TOKEN,
  vehicleStateEvent,
  verifyEvent,
} from '../support/builders';

/** What the construct sets by default, written by the receiver's one environment definition. */
const ENV: Record<string, string> = {
  ...RECEIVER_ENVIRONMENT.write({
    queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks',
    tokenSecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:amt-AbCdEf',
    maxBodyBytes: RECEIVER_DEFAULTS.maxBodyBytes,
    replayToleranceSeconds: RECEIVER_DEFAULTS.replayToleranceSeconds,
    tokenRotationGraceSeconds: RECEIVER_DEFAULTS.tokenRotationGraceSeconds,
    serviceName: SERVICE_NAMES.receiver,
  }),
  AWS_REGION: 'eu-west-1',
};

type Handler = typeof import('../../lambdas/receiver').handler;

/**
 * Loads a fresh copy of the entry (it reads its environment once, at load) together with mocks of
 * the SDK clients from the same module registry, which are the ones the entry will construct.
 */
function loadHandler(env: Record<string, string | undefined>) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let loaded:
      | { handler: Handler; sqs: AwsClientStub<SQSClient>; secrets: AwsClientStub<SecretsManagerClient> }
      | undefined;
    jest.isolateModules(() => {
      const sqs = mockClient(require('@aws-sdk/client-sqs').SQSClient as typeof SQSClient);
      const secrets = mockClient(
        require('@aws-sdk/client-secrets-manager').SecretsManagerClient as typeof SecretsManagerClient,
      );
      secrets.onAnyCommand().resolves({ SecretString: TEST_TOKEN });
      sqs.onAnyCommand().resolves({ MessageId: 'm-1' });
      // Any command: the entry's command classes come from this isolated registry, not the test's.
      loaded = { handler: require('../../lambdas/receiver').handler, sqs, secrets };
    });
    if (loaded === undefined) throw new Error('entry did not load');
    return loaded;
  } finally {
    process.env = saved;
  }
}

describe('receiver Lambda entry', () => {
  it('reads the secret named by its environment and answers VERIFY', async () => {
    const { handler, secrets } = loadHandler(ENV);
    const response = await handler(
      apiGatewayEvent({ body: JSON.stringify(verifyEvent('entry-check')) }),
      lambdaContext(),
    );

    expect(JSON.parse(String(response.body))).toEqual({ challenge: sign('entry-check') });
    expect(secrets.calls()[0]?.args[0].input).toMatchObject({ SecretId: ENV[ENV_VARS.tokenSecretId] });
  });

  it('writes one line for an accepted delivery, its EMF document, with the ids of the event', async () => {
    const { handler } = loadHandler(ENV);
    const event = vehicleStateEvent();

    const { output } = await captureOutput(() => handler(signedRequest(event), lambdaContext()));
    const lines = output.split('\n').filter((line) => line !== '');

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      message: LOG_MESSAGES.deliveryEnqueued,
      service: SERVICE_NAMES.receiver,
      eventId: event.eventId,
      eventType: 'VEHICLE_STATE',
      [METRICS.deliveries]: 1,
    });
  });

  it('sends signed deliveries to the queue named by its environment', async () => {
    const { handler, sqs } = loadHandler(ENV);
    const response = await handler(signedRequest(vehicleStateEvent()), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(sqs.calls()[0]?.args[0].input).toMatchObject({ QueueUrl: ENV[ENV_VARS.queueUrl] });
  });

  it.each([ENV_VARS.queueUrl, ENV_VARS.tokenSecretId])(
    'fails at cold start, naming %s, when it is not set',
    (name) => {
      expect(() => loadHandler({ ...ENV, [name]: '' })).toThrow(new RegExp(`${name} is not set`));
    },
  );

  it('fails at cold start when the body limit is not a positive integer', () => {
    expect(() => loadHandler({ ...ENV, [ENV_VARS.maxBodyBytes]: 'lots' })).toThrow(
      /MAX_BODY_BYTES must be a positive integer/,
    );
  });
});
