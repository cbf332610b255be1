import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { latestStateTableInput } from '../lambdas/latest-state';
import {
  IDEMPOTENCY_DEFAULTS,
  PROCESSOR_DEFAULTS,
  RECEIVER_DEFAULTS,
} from '../lib/smartcar-webhooks-defaults';
import { ENV_VARS, PROCESSOR_ENVIRONMENT, RECEIVER_ENVIRONMENT, ROUTES } from '../lambdas/contract';
import { Activity, interceptLogLines } from './activity';
import { startLocalApi } from './api-gateway';
import { startLocalDynamoDb } from './dynamodb';
import { invokeAndCrash, startEventSource } from './event-source';
import { lambdaContext } from './kit/lambda-context';
import { loadHandlers } from './handlers';
import { LOCAL_AWS } from './local-aws';
import { startSecretsManagerStub } from './secrets-manager-stub';
import { startLocalSqs } from './sqs';

/** Settings of {@link startPipeline}. */
export interface PipelineOptions {
  token: string;
  /** 0 picks a free port. */
  port: number;
  /** Run `cdk synth`'s bundles from this cloud assembly instead of the TypeScript sources. */
  bundlesDir?: string;
  visibilityTimeoutSeconds: number;
  /**
   * Receiver invocations served at once, as that many Lambda environments; see `startLocalApi`.
   * @default DEFAULT_RECEIVER_CONCURRENCY (10)
   */
  receiverConcurrency?: number;
  verbose?: boolean;
  print: (line: string) => void;
}

/** The running pipeline. */
export interface Pipeline {
  url: string;
  webhookUrl: string;
  handlerSource: string;
  queueName: string;
  status(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const SECRET_ID = 'local/smartcar-application-management-token';
const TABLE_NAME = 'smartcar-webhooks-idempotency';
const LATEST_STATE_TABLE_NAME = 'smartcar-webhooks-latest-state';

/**
 * The deployed architecture in one process on 127.0.0.1: the local API in front of the real
 * receiver handler, fauxqs for SQS, dynalite for DynamoDB, a Secrets Manager stand-in, and a
 * poller that invokes the real processor handler like Lambda's event source mapping. The handlers
 * find the emulators through the SDK's standard AWS_ENDPOINT_URL_* variables.
 */
export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const secrets = await startSecretsManagerStub({ [SECRET_ID]: options.token });
    stops.push(() => secrets.close());
    const sqs = await startLocalSqs({ visibilityTimeoutSeconds: options.visibilityTimeoutSeconds });
    stops.push(() => sqs.stop());
    const dynamodb = await startLocalDynamoDb();
    stops.push(() => dynamodb.stop());
    await dynamodb.createIdempotencyTable(TABLE_NAME);
    await dynamodb.client.send(new CreateTableCommand(latestStateTableInput(LATEST_STATE_TABLE_NAME)));

    Object.assign(process.env, {
      AWS_REGION: LOCAL_AWS.region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      // The environments the construct writes, from the construct's own defaults.
      ...RECEIVER_ENVIRONMENT.write({
        queueUrl: sqs.queue.url,
        tokenSecretId: SECRET_ID,
        maxBodyBytes: RECEIVER_DEFAULTS.maxBodyBytes,
        replayToleranceSeconds: RECEIVER_DEFAULTS.replayToleranceSeconds,
        tokenRotationGraceSeconds: RECEIVER_DEFAULTS.tokenRotationGraceSeconds,
      }),
      ...PROCESSOR_ENVIRONMENT.write({
        idempotencyTableName: TABLE_NAME,
        idempotencyExpirySeconds: IDEMPOTENCY_DEFAULTS.expirySeconds,
        latestStateTableName: LATEST_STATE_TABLE_NAME,
        deadLetterQueueUrl: sqs.deadLetterQueue.url,
      }),
      [ENV_VARS.serviceName]: 'smartcar-webhooks-local',
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;

    const activity = new Activity(options.print, { verbose: options.verbose ?? false });
    const restoreStdout = interceptLogLines((entry) => activity.log(entry));
    stops.push(async () => restoreStdout());
    const handlers = loadHandlers(options.bundlesDir);

    const poller = new SQSClient({
      region: LOCAL_AWS.region,
      endpoint: sqs.endpoint,
      credentials: LOCAL_AWS.credentials,
    });
    let pollerDown = false;
    // Set by the `{"processor":"crash"}` fault; the next invocation consumes it.
    let crashNextInvocation = false;
    const eventSource = startEventSource({
      sqs: poller,
      queueUrl: sqs.queue.url,
      queueArn: sqs.queue.arn,
      region: LOCAL_AWS.region,
      batchSize: PROCESSOR_DEFAULTS.batchSize,
      invoke: async (event) => {
        pollerDown = false;
        if (crashNextInvocation) {
          crashNextInvocation = false;
          // Locks left by the crash must expire before the batch reappears, as they do in AWS.
          const remainingSeconds = Math.min(
            options.visibilityTimeoutSeconds,
            PROCESSOR_DEFAULTS.timeoutSeconds,
          );
          return invokeAndCrash(
            event,
            handlers.processor,
            lambdaContext(remainingSeconds * 1000, 'processor'),
          );
        }
        return handlers.processor(
          event,
          lambdaContext(PROCESSOR_DEFAULTS.timeoutSeconds * 1000, 'processor'),
        );
      },
      onRecord: (result) => activity.record(result),
      onPollError: (error) => {
        if (!pollerDown)
          options.print(`event source: cannot reach SQS (${describe(error)}); retrying every second`);
        pollerDown = true;
      },
    });
    stops.push(async () => {
      await eventSource.stop();
      poller.destroy();
    });

    // SQS moves a message to the DLQ itself, on a receive; the depth is how we learn it happened.
    // One check at a time: on a busy machine overlapping checks can resolve out of order, and an
    // older, lower depth read last would count the same arrival twice.
    let deadLetterDepth = 0;
    let deadLetterWatch: NodeJS.Timeout | undefined;
    let watching = true;
    const watchDeadLetters = () => {
      deadLetterWatch = setTimeout(() => {
        sqs
          .counts()
          .then(({ deadLetterVisible }) => {
            if (deadLetterVisible > deadLetterDepth)
              activity.deadLettered(deadLetterVisible - deadLetterDepth);
            deadLetterDepth = deadLetterVisible;
          })
          .catch(() => undefined)
          .finally(() => {
            if (watching) watchDeadLetters();
          });
      }, 500);
    };
    watchDeadLetters();
    stops.push(async () => {
      watching = false;
      clearTimeout(deadLetterWatch);
    });

    const api = await startLocalApi({
      port: options.port,
      receiver: handlers.receiver,
      receiverConcurrency: options.receiverConcurrency,
      context: () => lambdaContext(RECEIVER_DEFAULTS.timeoutSeconds * 1000, 'receiver'),
      onDelivery: (result) => activity.delivery(result),
      faults: (request) => {
        for (const [name, proxy] of [
          ['sqs', sqs.proxy],
          ['dynamodb', dynamodb.proxy],
        ] as const) {
          if (request[name] === 'down' || request[name] === 'up') {
            proxy.setAvailable(request[name] === 'up');
            options.print(`fault: ${name} is ${request[name]}`);
          }
        }
        if (request.processor === 'crash') {
          crashNextInvocation = true;
          options.print('fault: the next processor invocation crashes after its first record');
        }
        return {
          sqs: sqs.proxy.available ? 'up' : 'down',
          dynamodb: dynamodb.proxy.available ? 'up' : 'down',
          processor: crashNextInvocation ? 'crash' : 'ok',
        };
      },
      status: async () => ({
        ...activity.counts(),
        queue: await sqs.counts().then(({ visible, inFlight }) => ({ visible, inFlight })),
        deadLetterQueue: { visible: (await sqs.counts()).deadLetterVisible },
        faults: {
          sqs: sqs.proxy.available ? 'up' : 'down',
          dynamodb: dynamodb.proxy.available ? 'up' : 'down',
        },
        sqs: {
          endpoint: sqs.endpoint,
          region: sqs.region,
          queueUrl: sqs.queue.url,
          queueArn: sqs.queue.arn,
          deadLetterQueueUrl: sqs.deadLetterQueue.url,
          deadLetterQueueArn: sqs.deadLetterQueue.arn,
        },
      }),
    });
    stops.push(() => api.close());

    return {
      url: api.url,
      webhookUrl: `${api.url}${ROUTES.webhookPath}`,
      handlerSource: handlers.source,
      queueName: sqs.queue.name,
      status: async () => {
        const response = await fetch(`${api.url}/_local/status`);
        return (await response.json()) as Record<string, unknown>;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
