import { createHmac } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { apiGatewayEvent, receiverHarness, TEST_RECEIVER_CONFIG, TEST_TOKEN } from '../../local/kit';
import { LOCAL_AWS } from '../../local/local-aws';
import { createSqsEnqueue } from '../../lambdas/receiver/enqueue';
import { ENQUEUE_BUDGET } from '../../lambdas/receiver/tuning';
import { signedBodies } from './bodies';
import { median, msSince, round, type Summary, summarize } from './stats';

/** How to measure the receiver against its floor. */
export interface ReceiverCpuOptions {
  /** Smallest body size in bytes. */
  bodyBytes: number;
  /** Measured runs; each reports its own p50/p99. */
  runs: number;
  /** Receiver requests (and as many floor operations) per run. */
  iterations: number;
  /** Unmeasured requests first, so the JIT, the token cache and the SDK mocks are warm. */
  warmup: number;
  /** Distinct signed bodies cycled through. @default 64 */
  poolSize?: number;
}

/** One run: receiver and floor sampled side by side. */
export interface ReceiverCpuRun {
  receiverMs: Summary;
  floorMs: Summary;
  /** receiver p50 / floor p50 of this run. */
  ratioP50: number;
}

/** What {@link measureReceiverCpu} reports; the top-level figures are medians over the runs. */
export interface ReceiverCpuResult {
  bodyBytes: number;
  receiverP50Ms: number;
  receiverP99Ms: number;
  floorP50Ms: number;
  floorP99Ms: number;
  /** Median over runs of receiver p50 / floor p50. */
  ratioP50: number;
  /** Median over runs of receiver p99 / floor p99. */
  ratioP99: number;
  /** Bytes of log and EMF lines the receiver wrote per request (what CloudWatch Logs ingests). */
  logBytesPerRequest: number;
  runs: ReceiverCpuRun[];
}

/**
 * An SQS client whose `send` resolves at once. Not aws-sdk-client-mock here: its sinon stub matches
 * every command against the registered inputs (a deep comparison), work no receiver does on AWS,
 * which took a tenth of the measured time.
 */
const acceptingSqs: Pick<SQSClient, 'send'> = {
  send: async () => ({ MessageId: 'bench-message' }),
};

/**
 * The receiver's own cost per delivery, in process: `receiveWebhook` plus the metrics flush the
 * Lambda entry does, with the real SQS enqueue (attributes, SendMessageCommand, deadline) over a
 * client whose `send` resolves at once, and Secrets Manager mocked at the client
 * (aws-sdk-client-mock; read once, then cached). Next to it, the floor no receiver can go below,
 * HMAC-SHA256 of the body plus JSON.parse of it. Each iteration times one of each, alternating
 * which goes first, so load on the machine hits both.
 */
export async function measureReceiverCpu(options: ReceiverCpuOptions): Promise<ReceiverCpuResult> {
  const secretsMock = mockClient(SecretsManagerClient);
  secretsMock
    .on(GetSecretValueCommand)
    .resolves({ SecretString: TEST_TOKEN, CreatedDate: new Date(Date.now() - 86_400_000) });
  const sink = swallowLogLines();
  try {
    const receiver = receiverHarness({
      secretsManager: new SecretsManagerClient({ region: LOCAL_AWS.region }),
      replace: {
        enqueue: createSqsEnqueue({
          client: acceptingSqs,
          queueUrl: TEST_RECEIVER_CONFIG.queueUrl,
          totalTimeoutMs: ENQUEUE_BUDGET.totalTimeoutMs,
        }),
      },
    });
    const bodies = signedBodies(options.bodyBytes, options.poolSize ?? 64);
    const events: APIGatewayProxyEventV2[] = bodies.map(({ body, signature }) =>
      apiGatewayEvent({ body, headers: { 'sc-signature': signature } }),
    );
    const receive = async (event: APIGatewayProxyEventV2): Promise<number> => {
      const start = process.hrtime.bigint();
      const response = await receiver.invoke(event);
      const elapsed = msSince(start);
      if (response.statusCode !== 200)
        throw new Error(`receiver answered ${response.statusCode}: ${response.body}`);
      return elapsed;
    };
    let floorSink = 0;
    const floor = (body: string): number => {
      const start = process.hrtime.bigint();
      const digest = createHmac('sha256', TEST_TOKEN).update(body).digest('hex');
      const parsed = JSON.parse(body) as { eventId: string };
      const elapsed = msSince(start);
      // Keeps both results alive, so the work cannot be optimized away.
      floorSink += digest.length + parsed.eventId.length;
      return elapsed;
    };

    for (let i = 0; i < options.warmup; i++) {
      await receive(events[i % events.length] as APIGatewayProxyEventV2);
      floor((bodies[i % bodies.length] as { body: string }).body);
    }
    sink.reset();
    const runs: ReceiverCpuRun[] = [];
    for (let run = 0; run < options.runs; run++) {
      const receiverSamples: number[] = [];
      const floorSamples: number[] = [];
      for (let i = 0; i < options.iterations; i++) {
        const index = (run * options.iterations + i) % events.length;
        const event = events[index] as APIGatewayProxyEventV2;
        const body = (bodies[index] as { body: string }).body;
        if (i % 2 === 0) {
          receiverSamples.push(await receive(event));
          floorSamples.push(floor(body));
        } else {
          floorSamples.push(floor(body));
          receiverSamples.push(await receive(event));
        }
      }
      const receiverMs = summarize(receiverSamples, 4);
      const floorMs = summarize(floorSamples, 4);
      runs.push({ receiverMs, floorMs, ratioP50: round(receiverMs.p50 / floorMs.p50, 2) });
    }
    if (floorSink === 0) throw new Error('the floor did no work');
    const measured = options.runs * options.iterations;
    return {
      bodyBytes: (bodies[0] as { body: string }).body.length,
      receiverP50Ms: median(runs.map((r) => r.receiverMs.p50)),
      receiverP99Ms: median(runs.map((r) => r.receiverMs.p99)),
      floorP50Ms: median(runs.map((r) => r.floorMs.p50)),
      floorP99Ms: median(runs.map((r) => r.floorMs.p99)),
      ratioP50: median(runs.map((r) => r.ratioP50)),
      ratioP99: round(median(runs.map((r) => r.receiverMs.p99 / r.floorMs.p99)), 2),
      logBytesPerRequest: Math.round(sink.bytes() / measured),
      runs,
    };
  } finally {
    sink.restore();
    secretsMock.restore();
  }
}

/**
 * Replaces stdout/stderr writes of the handlers' JSON lines (structured logs, EMF metrics) with a
 * byte counter. The lines are still built, as in Lambda, only not printed.
 */
export function swallowLogLines(): { bytes(): number; reset(): void; restore(): void } {
  let bytes = 0;
  const restores = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.startsWith('{')) {
        bytes += Buffer.byteLength(text);
        return true;
      }
      return (write as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
    return () => {
      stream.write = write;
    };
  });
  return {
    bytes: () => bytes,
    reset: () => {
      bytes = 0;
    },
    restore: () => {
      for (const restore of restores) restore();
    },
  };
}
