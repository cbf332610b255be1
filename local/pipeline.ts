import * as path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { latestStateTableInput } from '../lambdas/latest-state';
import { ObservedActivity } from './inspector/observed-activity';
import { inspectorRoutes } from './inspector/routes';
import { DeliveryTimeline } from './inspector/timeline';
import { DEFAULT_RECEIVER_CONCURRENCY, startLocalApi } from './api-gateway';
import { startLocalDynamoDb } from './dynamodb';
import { invokeAndCrash, startEventSource } from './event-source';
import type { DeployedSettings } from './deployed-settings';
import { lambdaContext } from './kit/lambda-context';
import { LOCAL_AWS } from './local-aws';
import { unroutedLine } from './local-requests';
import { startSecretsManagerStub } from './secrets-manager-stub';
import { startLocalArchive } from './archive/local-archive';
import { startLocalSqs } from './sqs';
import { startFunctions } from './pipeline-functions';
import { watchSources } from './source-watch';
import { LAMBDAS_DIR } from './function-modules';
import { pipelineSetup } from './pipeline-setup';

/** Settings of {@link startPipeline}. */
export interface PipelineOptions {
  token: string;
  /** 0 picks a free port. */
  port: number;
  /**
   * The local API's listen address; any but loopback makes the webhook reachable from the network.
   * @default DEFAULT_LISTEN_HOST (127.0.0.1)
   */
  host?: string;
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
  /**
   * Keep the queue, the DLQ (their messages, in flight or not, with their receive counts) and the
   * DynamoDB tables in this folder, so a restart carries on where the last run stopped.
   * @default in memory only
   */
  stateDir?: string;
  /** Reload the handlers when their sources (lambdas/, the app entry's folder) change. */
  watch?: boolean;
  /** Also print what the functions write (their log and metric lines), as CloudWatch Logs would store it. */
  verbose?: boolean;
  /**
   * What `cdk deploy` deploys, resolved from the context (local/deployed-settings.ts): the webhook
   * path, the latest-state store, the processor's batch size, concurrency and timeout, the
   * functions' environments. With `bundlesDir`, the synthesized template says instead.
   * @default the construct's defaults
   */
  deployed?: DeployedSettings;
  /** The processor's timeout instead of the deployed one (a local deviation, for tests). */
  processorTimeoutSeconds?: number;
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
  /** The deployed settings it runs with. */
  settings: DeployedSettings;
  status(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const SECRET_ID = 'local/smartcar-application-management-token';
const TABLE_NAME = 'smartcar-webhooks-idempotency';
const LATEST_STATE_TABLE_NAME = 'smartcar-webhooks-latest-state';
/** SQS's longest visibility timeout. */
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/** A batch is held at least this long: its environment's cold start, slow on a loaded machine, comes first. */
const MIN_HOLD_SECONDS = 60;
/** How long the batch the crash fault hits gathers deliveries, like Lambda's MaximumBatchingWindowInSeconds. */
const CRASH_BATCHING_WINDOW_MS = 5000;

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
    // First: stale bundles or a bad setting stop `npm start` before anything listens.
    const { settings, modules } = pipelineSetup(options);
    const secrets = await startSecretsManagerStub({ [SECRET_ID]: options.token });
    stops.push(() => secrets.close());
    const sqs = await startLocalSqs({
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
      maxReceiveCount: settings.maxReceiveCount,
      dataDir: options.stateDir === undefined ? undefined : path.join(options.stateDir, 'sqs'),
    });
    stops.push(() => sqs.stop());
    const archive = await startLocalArchive(sqs.directEndpoint, { directory: options.archiveDir });
    stops.push(() => archive.stop());
    const dynamodb = await startLocalDynamoDb({
      dataDir: options.stateDir === undefined ? undefined : path.join(options.stateDir, 'dynamodb'),
    });
    stops.push(() => dynamodb.stop());
    await dynamodb.createIdempotencyTable(TABLE_NAME);
    // As deployed: the table (and the handlers' context.latestState) only with latestState on.
    if (settings.latestState) await dynamodb.createTable(latestStateTableInput(LATEST_STATE_TABLE_NAME));

    // The console display; the inspector's timeline (/_local/) is fed by the same calls.
    const timeline = new DeliveryTimeline({ maxReceiveCount: settings.maxReceiveCount });
    const activity = new ObservedActivity(timeline, options.print, {
      verbose: options.verbose ?? false,
      maxReceiveCount: settings.maxReceiveCount,
    });
    const { receiver, processor, ...functions } = startFunctions({
      modules,
      resources: {
        sqsEndpoint: sqs.entrance.endpoint,
        dynamodbEndpoint: dynamodb.endpoint,
        secretsManagerEndpoint: secrets.endpoint,
        queueUrl: sqs.entrance.queueUrl,
        deadLetterQueueUrl: sqs.entrance.deadLetterQueueUrl,
        tokenSecretId: SECRET_ID,
        idempotencyTableName: TABLE_NAME,
        latestStateTableName: settings.latestState ? LATEST_STATE_TABLE_NAME : undefined,
        s3Endpoint: archive.endpoint,
        archiveBucketName: archive.bucket,
      },
      receiverConcurrency: options.receiverConcurrency ?? DEFAULT_RECEIVER_CONCURRENCY,
      settings,
      activity,
      verbose: options.verbose ?? false,
      print: options.print,
    });
    stops.push(() => functions.close());
    const poller = new SQSClient({
      region: LOCAL_AWS.region,
      endpoint: sqs.entrance.endpoint,
      credentials: LOCAL_AWS.credentials,
    });
    let pollerDown = false;
    // Set by the `{"processor":"crash"}` fault; the next invocation consumes it.
    let crashNextInvocation = false;
    const eventSource = startEventSource({
      sqs: poller,
      queueUrl: sqs.entrance.queueUrl,
      queueArn: sqs.queue.arn,
      region: LOCAL_AWS.region,
      batchSize: settings.batchSize,
      maxConcurrency: settings.maxConcurrency,
      // Held while they run, since the local visibility timeout may be shorter than an invocation.
      visibility: {
        holdSeconds: Math.min(
          MAX_VISIBILITY_TIMEOUT_SECONDS,
          Math.max(options.visibilityTimeoutSeconds, settings.visibilityTimeoutSeconds, MIN_HOLD_SECONDS),
        ),
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
      },
      // The crash demo gathers a batch, as a batching window would, so it hits several records.
      batchingWindowMs: () => (crashNextInvocation ? CRASH_BATCHING_WINDOW_MS : 0),
      invoke: async (event) => {
        pollerDown = false;
        if (crashNextInvocation) {
          crashNextInvocation = false;
          // Locks left by the crash must expire before the batch reappears, as they do in AWS.
          const remainingSeconds = Math.min(
            options.visibilityTimeoutSeconds,
            settings.processorTimeoutSeconds,
          );
          return invokeAndCrash(
            event,
            async (records, context) => (await processor.invoke(records, () => context)).result,
            lambdaContext(remainingSeconds * 1000, 'processor'),
          );
        }
        const context = () => lambdaContext(settings.processorTimeoutSeconds * 1000, 'processor');
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
      host: options.host,
      receiver,
      webhookPath: settings.webhookPath,
      context: () => lambdaContext(settings.receiverTimeoutSeconds * 1000, 'receiver'),
      local: inspectorRoutes({ timeline, actions: { webhookPath: settings.webhookPath } }),
      onUnrouted: (request) => options.print(unroutedLine(request)),
      onDelivery: (result) => {
        activity.delivery(result);
        // A refusal the receiver quarantined goes to disk at once, like an archived batch.
        void archive
          .persist()
          .catch((error: unknown) => options.print(`quarantine: not kept on disk (${describe(error)})`));
      },
      faults: async (request) => {
        for (const [name, proxy] of [
          ['sqs', sqs.proxy],
          ['dynamodb', dynamodb.proxy],
          ['archive', archive.proxy],
        ] as const) {
          if (request[name] === 'down' || request[name] === 'up') {
            // Answered once applied: the next request after the answer finds the switch as set.
            await proxy.setAvailable(request[name] === 'up');
            options.print(`fault: ${name} is ${request[name]}`);
          }
        }
        if (request.processor === 'crash') {
          crashNextInvocation = true;
          options.print(
            `fault: the next processor invocation crashes after its first record (its batch gathers deliveries for up to ${CRASH_BATCHING_WINDOW_MS / 1000} s)`,
          );
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
        settings: {
          webhookPath: settings.webhookPath,
          latestState: settings.latestState,
          batchSize: settings.batchSize,
          maxBatchingWindowSeconds: settings.maxBatchingWindowSeconds,
          maxConcurrency: settings.maxConcurrency,
          processorTimeoutSeconds: settings.processorTimeoutSeconds,
          maxReceiveCount: settings.maxReceiveCount,
        },
      }),
    });
    stops.push(() => api.close());
    // One environment of each ahead of time, so a configuration error stops `npm start` at once
    // and the first delivery finds them warm. After the port is taken, so a busy one fails fast.
    await functions.warmUp();
    if (options.watch === true) {
      // Only the functions reload: the emulators, and so the queue, the DLQ, the idempotency
      // records, the archive and the quarantine, are the same before and after.
      const sources = watchSources({
        directories: watchedDirectories(settings.appEntry),
        onChange: (changed) => {
          void functions
            .reload()
            .then(() =>
              options.print(
                `reload: ${path.relative(process.cwd(), changed) || changed} changed; the next invocations run the new code (queue, DLQ, idempotency records, archive and quarantine kept)`,
              ),
            );
        },
      });
      stops.push(async () => sources.close());
    }

    return {
      url: api.url,
      webhookUrl: `${api.url}${settings.webhookPath}`,
      handlerSource: modules.source,
      queueName: sqs.queue.name,
      secretsManager: { endpoint: secrets.endpoint, secretId: SECRET_ID },
      archive: { bucket: archive.bucket, directory: archive.directory, objects: () => archive.objectCount() },
      settings,
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

/** lambdas/, and the folder of an app entry outside it. */
function watchedDirectories(appEntry: string | undefined): string[] {
  const directories = [LAMBDAS_DIR];
  if (appEntry !== undefined) {
    const folder = path.dirname(appEntry);
    if (path.relative(LAMBDAS_DIR, folder).startsWith('..')) directories.push(folder);
  }
  return directories;
}
