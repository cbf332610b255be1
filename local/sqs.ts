import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
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
}

// fauxqs' account id; queue URLs keep AWS's shape: <endpoint>/<account>/<name>.
const ACCOUNT = '000000000000';

/** Starts fauxqs on loopback and creates the queues with the construct's redrive settings. */
export async function startLocalSqs(options: LocalSqsOptions): Promise<LocalSqs> {
  // fauxqs is ESM-only; a dynamic import loads it from this CommonJS module.
  const { buildApp } = await import('fauxqs');
  const fauxqs = buildApp({ logger: false });
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
    await direct.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }));
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
