import * as path from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PROCESSOR_DEFAULTS } from '../lib/smartcar-webhooks-defaults';
import { startEmulatorThread } from './emulator-thread';
import type { FauxqsArgs } from './fauxqs-server';
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
  /** The `sqs` switch: it closes `endpoint` and `entrance` together. */
  proxy: SwitchableProxy;
  /**
   * The way in for the functions and the event source: the same queues behind the same switch,
   * opened in fauxqs's thread, so SendMessage and the poller's calls make one hop, not two through
   * this thread. `endpoint` (with the message move tasks that `npm run cli -- redrive` starts) is
   * for everything else.
   */
  entrance: { endpoint: string; queueUrl: string; deadLetterQueueUrl: string };
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

/**
 * Starts fauxqs on loopback, in a thread of its own (see `startEmulatorThread`), and creates the
 * queues with the construct's redrive settings.
 */
export async function startLocalSqs(options: LocalSqsOptions): Promise<LocalSqs> {
  const fauxqs = await startEmulatorThread<FauxqsArgs>({
    name: 'SQS',
    module: path.join(__dirname, 'fauxqs-server.ts'),
    exportName: 'serveFauxqs',
    args: { dataDir: options.dataDir },
    switchable: {},
  });
  const fauxqsEndpoint = fauxqs.endpoint;
  const entrance = fauxqs.switch as SwitchableProxy;
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
  const sqsSwitch: SwitchableProxy = {
    endpoint: proxy.endpoint,
    get available() {
      return proxy.available;
    },
    setAvailable: async (available) => {
      await Promise.all([proxy.setAvailable(available), entrance.setAvailable(available)]);
    },
    close: () => proxy.close(),
  };

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
    proxy: sqsSwitch,
    // Queue URLs name the way in: the SDK sends a call to its queue's URL.
    entrance: {
      endpoint: entrance.endpoint,
      queueUrl: `${entrance.endpoint}/${ACCOUNT}/${queue.name}`,
      deadLetterQueueUrl: `${entrance.endpoint}/${ACCOUNT}/${deadLetterQueue.name}`,
    },
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
      await fauxqs.stop();
    },
  };
}
