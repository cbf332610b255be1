import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createEnqueueClient,
  createReceiverDependencies,
  toWebhookRequest,
} from '../../lambdas/receiver/receiver-dependencies';
import type { ReceiverDependencies } from '../../lambdas/receiver/webhook-receiver';
import { receiveWebhook } from '../../lambdas/receiver/webhook-receiver';
import { ENQUEUE_BUDGET } from '../../lambdas/receiver/tuning';
import { signedRequest, TEST_TOKEN, vehicleStateEvent } from '../support/builders';

/** A loopback "SQS" whose behaviour each test chooses; counts the requests it gets. */
async function fakeSqs(respond: (req: IncomingMessage, res: ServerResponse) => void) {
  let requests = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req, res) => {
    requests++;
    req.resume();
    respond(req, res);
  });
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The production SQS client settings, pointed at the fake. */
function receiverAgainst(endpoint: string): ReceiverDependencies {
  const sqs = createEnqueueClient({
    region: 'eu-west-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const deps = createReceiverDependencies(
    {
      queueUrl: `${endpoint}/123456789012/webhooks`,
      tokenSecretId: 'amt',
      maxBodyBytes: 256_000,
      replayToleranceSeconds: 0,
      tokenRotationGraceSeconds: 0,
    },
    { sqs },
  );
  return {
    ...deps,
    tokens: {
      current: async () => TEST_TOKEN,
      previous: async () => undefined,
      refresh: async () => undefined,
    },
  };
}

describe('receiver against an SQS endpoint that misbehaves', () => {
  // How long that takes is the enqueue budget's business, pinned with fake timers in
  // test/unit/receiver-enqueue-budget.test.ts; over a real socket only the outcome is certain.
  it('answers 503 when SQS accepts connections but never answers', async () => {
    const sqs = await fakeSqs(() => undefined);
    try {
      const response = await receiveWebhook(
        toWebhookRequest(signedRequest(vehicleStateEvent())),
        receiverAgainst(sqs.endpoint),
      );

      expect(response.statusCode).toBe(503);
      expect(sqs.requests()).toBeLessThanOrEqual(ENQUEUE_BUDGET.maxAttempts);
    } finally {
      await sqs.close();
    }
  });

  it('retries a failing SQS at most maxAttempts times, then answers 503', async () => {
    const sqs = await fakeSqs((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InternalError', message: 'boom' }));
    });
    try {
      const response = await receiveWebhook(
        toWebhookRequest(signedRequest(vehicleStateEvent())),
        receiverAgainst(sqs.endpoint),
      );

      expect(response.statusCode).toBe(503);
      expect(sqs.requests()).toBeLessThanOrEqual(ENQUEUE_BUDGET.maxAttempts);
      expect(sqs.requests()).toBeGreaterThanOrEqual(1);
    } finally {
      await sqs.close();
    }
  });
});
