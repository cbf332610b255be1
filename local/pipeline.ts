import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { latestStateTableInput } from '../lambdas/latest-state';
import { PROCESSOR_DEFAULTS, RECEIVER_DEFAULTS } from '../lib/smartcar-webhooks-defaults';
import { ROUTES } from '../lambdas/contract';
import { Activity } from './activity';
import { DEFAULT_RECEIVER_CONCURRENCY, startLocalApi } from './api-gateway';
import { startLocalDynamoDb } from './dynamodb';
import { invokeAndCrash, startEventSource } from './event-source';
import { functionModules } from './function-modules';
import { lambdaContext } from './kit/lambda-context';
import { LOCAL_AWS } from './local-aws';
import { startSecretsManagerStub } from './secrets-manager-stub';
import { startLocalArchive } from './archive/local-archive';
import { startLocalSqs } from './sqs';
import { startFunctions } from './pipeline-functions';

/** Settings of {@link startPipeline}. */
export interface PipelineOptions {
  token: string;
  /** 0 picks a free port. */
  port: number;
  /** Run `cdk synth`'s bundles from this cloud assembly instead of the TypeScript sources. */
  bundlesDir?: string;
  visibilityTimeoutSeconds: number;
  /**
   * Receiver invocations served at once, each in an execution environment of its own.
   * @default DEFAULT_RECEIVER_CONCURRENCY (10)
   */
  receiverConcurrency?: number;
  /**
   * Keep the archive's objects in this folder, so they outlive the process.
   * @default in memory only
   */
  archiveDir?: string;
  /** Also print what the functions write (their log and metric lines), as CloudWatch Logs would store it. */
  verbose?: boolean;
  print: (line: string) => void;
}

/** The running pipeline. */
export interface Pipeline {
  url: string;
  webhookUrl: string;
  handlerSource: string;
  queueName: string;
  /** Where the token is, for `aws secretsmanager put-secret-value --endpoint-url …`. */
  secretsManager: { endpoint: string; secretId: string };
  /** The archive bucket, and the folder that keeps it (undefined: in memory). */
  archive: { bucket: string; directory?: string; objects(): Promise<number> };
  status(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const SECRET_ID = 'local/smartcar-application-management-token';
const TABLE_NAME = 'smartcar-webhooks-idempotency';
const LATEST_STATE_TABLE_NAME = 'smartcar-webhooks-latest-state';

/**
 * The deployed architecture in one process on 127.0.0.1: the local API in front of the real
 * receiver handler, fauxqs for SQS and the archive's S3, dynalite for DynamoDB, a Secrets Manager stand-in, and a
 * poller that invokes the real processor handler like Lambda's event source mapping. Each
 * function runs in execution environments of its own (worker threads, see `startFunctions`) and
 * finds the emulators through the SDK's standard AWS_ENDPOINT_URL_* variables.
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
    const archive = await startLocalArchive(sqs.directEndpoint, { directory: options.archiveDir });
    stops.push(() => archive.stop());
    const dynamodb = await startLocalDynamoDb();
    stops.push(() => dynamodb.stop());
    await dynamodb.createIdempotencyTable(TABLE_NAME);
    await dynamodb.client.send(new CreateTableCommand(latestStateTableInput(LATEST_STATE_TABLE_NAME)));

    const activity = new Activity(options.print, { verbose: options.verbose ?? false });
    const modules = functionModules(options.bundlesDir);
    const { receiver, processor, ...functions } = startFunctions({
      modules,
      resources: {
        sqsEndpoint: sqs.endpoint,
        dynamodbEndpoint: dynamodb.endpoint,
        secretsManagerEndpoint: secrets.endpoint,
        queueUrl: sqs.queue.url,
        deadLetterQueueUrl: sqs.deadLetterQueue.url,
        tokenSecretId: SECRET_ID,
        idempotencyTableName: TABLE_NAME,
        latestStateTableName: LATEST_STATE_TABLE_NAME,
        s3Endpoint: archive.endpoint,
        archiveBucketName: archive.bucket,
      },
      receiverConcurrency: options.receiverConcurrency ?? DEFAULT_RECEIVER_CONCURRENCY,
      activity,
      verbose: options.verbose ?? false,
      print: options.print,
    });
    stops.push(() => functions.close());
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
            async (records, context) => (await processor.invoke(records, () => context)).result,
            lambdaContext(remainingSeconds * 1000, 'processor'),
          );
        }
        const context = () => lambdaContext(PROCESSOR_DEFAULTS.timeoutSeconds * 1000, 'processor');
        try {
          return (await processor.invoke(event, context)).result;
        } finally {
          // What the invocation archived goes to disk before the next one: a Ctrl-C loses nothing.
          await archive
            .persist()
            .catch((error: unknown) => options.print(`archive: not kept on disk (${describe(error)})`));
        }
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
      receiver,
      context: () => lambdaContext(RECEIVER_DEFAULTS.timeoutSeconds * 1000, 'receiver'),
      onDelivery: (result) => {
        activity.delivery(result);
        // A refusal the receiver quarantined goes to disk at once, like an archived batch.
        void archive
          .persist()
          .catch((error: unknown) => options.print(`quarantine: not kept on disk (${describe(error)})`));
      },
      faults: (request) => {
        for (const [name, proxy] of [
          ['sqs', sqs.proxy],
          ['dynamodb', dynamodb.proxy],
          ['archive', archive.proxy],
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
          archive: archive.proxy.available ? 'up' : 'down',
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
          archive: archive.proxy.available ? 'up' : 'down',
        },
        sqs: {
          endpoint: sqs.endpoint,
          region: sqs.region,
          queueUrl: sqs.queue.url,
          queueArn: sqs.queue.arn,
          deadLetterQueueUrl: sqs.deadLetterQueue.url,
          deadLetterQueueArn: sqs.deadLetterQueue.arn,
        },
        secretsManager: { endpoint: secrets.endpoint, secretId: SECRET_ID },
        archive: {
          endpoint: archive.endpoint,
          region: archive.region,
          bucket: archive.bucket,
          state: archive.proxy.available ? 'up' : 'down',
          objects: await archive.objectCount(),
          directory: archive.directory ?? null,
        },
        quarantine: { ...activity.quarantineCounts(), objects: await archive.quarantineCount() },
      }),
    });
    stops.push(() => api.close());
    // One environment of each ahead of time, so a configuration error stops `npm start` at once
    // and the first delivery finds them warm. After the port is taken, so a busy one fails fast.
    await functions.warmUp();

    return {
      url: api.url,
      webhookUrl: `${api.url}${ROUTES.webhookPath}`,
      handlerSource: modules.source,
      queueName: sqs.queue.name,
      secretsManager: { endpoint: secrets.endpoint, secretId: SECRET_ID },
      archive: { bucket: archive.bucket, directory: archive.directory, objects: () => archive.objectCount() },
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
