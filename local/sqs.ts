import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PROCESSOR_DEFAULTS } from '../lib/smartcar-webhooks-defaults';
import { LOCAL_AWS } from './local-aws';
import { messageMoveTasks } from './message-move-tasks';
import { startSwitchableProxy, type SwitchableProxy } from './switchable-proxy';

/** A queue as the SDK and the status page name it. */
export interface LocalQueue {
  name: string;
  url: string;
  arn: string;
}

/** Queue depths, as GetQueueAttributes reports them. */
export interface QueueCounts {
  visible: number;
  inFlight: number;
  deadLetterVisible: number;
}

/** fauxqs with the project's main queue and DLQ, behind a switch that can take SQS "down". */
export interface LocalSqs {
  /** What AWS_ENDPOINT_URL_SQS must hold. */
  endpoint: string;
  region: string;
  queue: LocalQueue;
  deadLetterQueue: LocalQueue;
  proxy: SwitchableProxy;
  /** fauxqs itself, past the switch; it serves S3 on the same port. */
  directEndpoint: string;
  counts(): Promise<QueueCounts>;
  stop(): Promise<void>;
}

/** Settings of {@link startLocalSqs}. */
export interface LocalSqsOptions {
  /** Local runs default to a short one so retries are visible in seconds, not minutes. */
  visibilityTimeoutSeconds: number;
  maxReceiveCount?: number;
  queueName?: string;
  port?: number;
  /**
   * Keep the queues and their messages (visible, in flight, with their receive counts) in a
   * SQLite file in this folder, so a restart finds them where they were. @default in memory only
   */
  dataDir?: string;
}

// fauxqs' account id; queue URLs keep AWS's shape: <endpoint>/<account>/<name>.
const ACCOUNT = '000000000000';

/** Starts fauxqs on loopback and creates the queues with the construct's redrive settings. */
export async function startLocalSqs(options: LocalSqsOptions): Promise<LocalSqs> {
  // fauxqs is ESM-only; a dynamic import loads it from this CommonJS module.
  const { buildApp } = await import('fauxqs');
  const persistent = options.dataDir === undefined ? undefined : await persistentStores(options.dataDir);
  type Stores = NonNullable<Parameters<typeof buildApp>[0]>['stores'];
  const fauxqs = buildApp({ logger: false, stores: persistent?.stores as Stores });
  if (persistent !== undefined) fauxqs.addHook('preClose', () => persistent.close());
  // Listen on loopback only (startFauxqs would bind every interface).
  const fauxqsEndpoint = await fauxqs.listen({ port: 0, host: '127.0.0.1' });
  const direct = new SQSClient({
    region: LOCAL_AWS.region,
    endpoint: fauxqsEndpoint,
    credentials: LOCAL_AWS.credentials,
  });

  let publicEndpoint = '';
  const urlOf = (name: string) => `${publicEndpoint}/${ACCOUNT}/${name}`;
  const directUrlOf = (name: string) => `${fauxqsEndpoint}/${ACCOUNT}/${name}`;
  const proxy = await startSwitchableProxy(fauxqsEndpoint, {
    port: options.port,
    intercept: messageMoveTasks(direct, (arn) => directUrlOf(arn.split(':').pop() ?? '')),
  });
  publicEndpoint = proxy.endpoint;

  const name = options.queueName ?? 'smartcar-webhooks';
  const create = async (queueName: string, attributes: Record<string, string>): Promise<LocalQueue> => {
    try {
      await direct.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }));
    } catch (error) {
      // Kept from an earlier run with other settings (another --visibility-timeout): take these.
      if (!(error instanceof Error && /QueueAlreadyExists|QueueNameExists/.test(error.name))) throw error;
      await direct.send(
        new SetQueueAttributesCommand({ QueueUrl: directUrlOf(queueName), Attributes: attributes }),
      );
    }
    const { Attributes } = await direct.send(
      new GetQueueAttributesCommand({ QueueUrl: directUrlOf(queueName), AttributeNames: ['QueueArn'] }),
    );
    return { name: queueName, url: urlOf(queueName), arn: Attributes?.QueueArn ?? '' };
  };

  const deadLetterQueue = await create(`${name}-dlq`, {
    MessageRetentionPeriod: String(PROCESSOR_DEFAULTS.deadLetterRetentionDays * 24 * 60 * 60),
    RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'allowAll' }),
  });
  const queue = await create(name, {
    VisibilityTimeout: String(options.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: deadLetterQueue.arn,
      maxReceiveCount: options.maxReceiveCount ?? PROCESSOR_DEFAULTS.maxReceiveCount,
    }),
  });

  const attribute = async (
    queueName: string,
    attributeName: 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible',
  ) =>
    Number(
      (
        await direct.send(
          new GetQueueAttributesCommand({
            QueueUrl: directUrlOf(queueName),
            AttributeNames: [attributeName],
          }),
        )
      ).Attributes?.[attributeName] ?? 0,
    );

  return {
    endpoint: publicEndpoint,
    region: LOCAL_AWS.region,
    queue,
    deadLetterQueue,
    proxy,
    directEndpoint: fauxqsEndpoint,
    // Read past the switch, so the status page still answers while SQS is "down".
    counts: async () => ({
      visible: await attribute(queue.name, 'ApproximateNumberOfMessages'),
      inFlight: await attribute(queue.name, 'ApproximateNumberOfMessagesNotVisible'),
      deadLetterVisible: await attribute(deadLetterQueue.name, 'ApproximateNumberOfMessages'),
    }),
    stop: async () => {
      await proxy.close();
      direct.destroy();
      await fauxqs.close();
    },
  };
}

/** fauxqs's stores with its SQLite persistence for SQS, as its own startFauxqs wires them. */
interface PersistentStores {
  /** What buildApp's `stores` option takes (typed there: fauxqs's types load only as ESM). */
  stores: unknown;
  close(): void;
}

/**
 * fauxqs's SQLite persistence, wired as `startFauxqs({ dataDir })` does, but for a server we bind
 * to loopback ourselves (startFauxqs listens on every interface). fauxqs exports neither the
 * stores nor the persistence manager, so they are loaded from its files: a fauxqs upgrade that
 * moves them fails here, with this message, rather than losing state (test/integration/local-state.test.ts).
 * S3 stays in memory: the local archive keeps its objects as files of its own.
 */
async function persistentStores(dataDir: string): Promise<PersistentStores> {
  // Found by the resolution paths: fauxqs's exports map hides its files from require.resolve.
  const dist = (require.resolve.paths('fauxqs') ?? [])
    .map((dir) => path.join(dir, 'fauxqs', 'dist'))
    .find((dir) => existsSync(path.join(dir, 'app.js')));
  if (dist === undefined) throw new Error('fauxqs is not installed: run npm install.');
  const load = async <T>(file: string): Promise<T> => {
    try {
      return (await import(pathToFileURL(path.join(dist, file)).href)) as T;
    } catch (error) {
      throw new Error(
        `This fauxqs version has no ${file}, which keeping local state needs: install the version in package-lock.json (npm ci), or start with --state-dir none.`,
        { cause: error },
      );
    }
  };
  type Constructor = new (...args: never[]) => unknown;
  const { SqsStore } = await load<{ SqsStore: Constructor }>('sqs/sqsStore.js');
  const { SnsStore } = await load<{ SnsStore: Constructor }>('sns/snsStore.js');
  const { S3Store } = await load<{ S3Store: Constructor }>('s3/s3Store.js');
  const { PersistenceManager } = await load<{ PersistenceManager: new (dir: string) => FauxqsPersistence }>(
    'persistence.js',
  );
  mkdirSync(dataDir, { recursive: true });
  const sqsStore = new SqsStore() as FauxqsSqsStore;
  const snsStore = new SnsStore() as { persistence?: unknown };
  const manager = new PersistenceManager(dataDir);
  // Load first, then attach: attaching first would write the loaded rows back while loading.
  manager.loadSqsAndSns(sqsStore, snsStore);
  sqsStore.persistence = manager;
  snsStore.persistence = manager;
  for (const queue of sqsStore.allQueues()) queue.persistence = manager;
  return {
    stores: { sqsStore, snsStore, s3Store: new S3Store() },
    close: () => manager.close(),
  };
}

interface FauxqsPersistence {
  loadSqsAndSns(sqsStore: unknown, snsStore: unknown): void;
  close(): void;
}

interface FauxqsSqsStore {
  persistence?: unknown;
  allQueues(): Iterable<{ persistence?: unknown }>;
}
