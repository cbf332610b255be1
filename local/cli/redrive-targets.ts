import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { callAws, translateAwsError } from './aws-errors';
import { CommandFailedError, isErrorLike, StackLookupError } from './errors';
import { readLocalStatus } from './local-status';
import { STACK_OUTPUTS } from '../../lambdas/contract';
import { LOCAL_AWS } from '../local-aws';

/**
 * Finding the dead-letter queue and its destination: from the local emulator's status page, from
 * queue names/URLs/ARNs, or from a deployed stack's outputs.
 */

/** A queue as `redrive` needs it. */
export interface QueueRef {
  name: string;
  arn: string;
}

/** The dead-letter queue with its depth, read when it was resolved. */
export interface DeadLetterQueue extends QueueRef {
  url: string;
  /** Messages that can be moved now. */
  visible: number;
  /** Messages someone is reading; they are moved once their visibility timeout ends. */
  inFlight: number;
}

/** Where to move messages from and to. */
export interface RedriveTarget {
  sqs: SQSClient;
  deadLetterQueue: DeadLetterQueue;
  /** Undefined: back to the queue(s) each message came from, as SQS does without DestinationArn. */
  destination?: QueueRef;
  /** For messages: "the local emulator at …", "stack SmartcarWebhooks". */
  description: string;
}

const SQS_ARN = /^arn:[^:]+:sqs:([^:]+):(\d{12}):([^:]+)$/;

const SQS_URL = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\//;

/** The region an SQS ARN or queue URL names, so `--region` can be left out with either. */
export function regionOfQueue(reference: string | undefined): string | undefined {
  if (reference === undefined) return undefined;
  return SQS_ARN.exec(reference)?.[1] ?? SQS_URL.exec(reference)?.[1];
}

/** The local emulator's queues, from `GET <baseUrl>/_local/status`. */
export async function localTarget(baseUrl: string, fetchFn: typeof fetch): Promise<RedriveTarget> {
  const status = await readLocalStatus(baseUrl, fetchFn);
  const sqs = new SQSClient({
    endpoint: status.endpoint,
    region: status.region,
    credentials: LOCAL_AWS.credentials,
  });
  const deadLetterQueue = await inspectDeadLetterQueue(sqs, status.deadLetterQueueUrl);
  return {
    sqs,
    deadLetterQueue,
    destination: { name: nameOfArn(status.queueArn), arn: status.queueArn },
    description: `the local emulator at ${baseUrl}`,
  };
}

/** Queues named by `--dlq` and `--queue` (names, URLs or ARNs) in one region. */
export async function queueTarget(
  dlq: string,
  queue: string | undefined,
  region: string | undefined,
): Promise<RedriveTarget> {
  const sqs = new SQSClient({ region: region ?? regionOfQueue(dlq) ?? regionOfQueue(queue) });
  const deadLetterQueue = await inspectDeadLetterQueue(sqs, await queueUrlOf(sqs, dlq));
  const destination = queue === undefined ? undefined : await queueRefOf(sqs, queue);
  return { sqs, deadLetterQueue, destination, description: `queue ${deadLetterQueue.name}` };
}

/** The queues a deployed stack names in its `QueueName` and `DeadLetterQueueName` outputs. */
export async function stackTarget(stackName: string, region: string | undefined): Promise<RedriveTarget> {
  const cloudFormation = new CloudFormationClient({ region });
  const outputs = await describeStackOutputs(cloudFormation, stackName, region);
  const output = (key: string) => {
    const value = outputs.find((candidate) => candidate.OutputKey === key)?.OutputValue;
    if (value === undefined || value === '') {
      throw new StackLookupError(
        `Stack ${stackName} has no output ${key}: is it a SmartcarWebhooks stack? Deploy the current version, ` +
          'or name the queues with --dlq and --queue.',
      );
    }
    return value;
  };
  const dlqName = output(STACK_OUTPUTS.deadLetterQueueName);
  const queueName = output(STACK_OUTPUTS.queueName);
  const sqs = new SQSClient({ region });
  const deadLetterQueue = await inspectDeadLetterQueue(sqs, await queueUrlOf(sqs, dlqName));
  return {
    sqs,
    deadLetterQueue,
    destination: await queueRefOf(sqs, queueName),
    description: `stack ${stackName}`,
  };
}

/** A stack's outputs. @throws StackLookupError when the stack does not exist */
export async function describeStackOutputs(
  client: CloudFormationClient,
  stackName: string,
  region?: string,
): Promise<Output[]> {
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    return Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    // CloudFormation reports a missing stack as a ValidationError, not a NotFound.
    if (isErrorLike(error) && /does not exist/.test(error.message)) {
      throw new StackLookupError(
        `Stack ${stackName} not found in ${region ?? 'your default region'}: check --stack and --region ` +
          '(the stack name `npx cdk deploy` printed, SmartcarWebhooks by default).',
        { cause: error },
      );
    }
    throw translateAwsError(error, {
      action: 'cloudformation:DescribeStacks',
      subject: `stack ${stackName}`,
    });
  }
}

/** The URL of a queue named by name, URL or ARN. */
export async function queueUrlOf(sqs: SQSClient, reference: string): Promise<string> {
  if (/^https?:\/\//.test(reference)) return reference;
  const arn = SQS_ARN.exec(reference);
  const name = arn?.[3] ?? reference;
  const { QueueUrl } = await callAws(
    {
      action: 'sqs:GetQueueUrl',
      subject: reference,
      notFound: `Queue ${reference} does not exist in this region (check --region).`,
    },
    // The owner's account id lets an ARN name a queue of another account.
    () =>
      sqs.send(
        new GetQueueUrlCommand(
          arn ? { QueueName: name, QueueOwnerAWSAccountId: arn[2] } : { QueueName: name },
        ),
      ),
  );
  if (QueueUrl === undefined) throw new CommandFailedError(`GetQueueUrl returned no URL for ${reference}.`);
  return QueueUrl;
}

/** Name and ARN of the destination; an ARN is taken as it is, without a call. */
async function queueRefOf(sqs: SQSClient, reference: string): Promise<QueueRef> {
  if (SQS_ARN.test(reference)) return { name: nameOfArn(reference), arn: reference };
  const url = await queueUrlOf(sqs, reference);
  const attributes = await getAttributes(sqs, url, ['QueueArn']);
  return { name: nameOfUrl(url), arn: requiredArn(attributes, url) };
}

async function inspectDeadLetterQueue(sqs: SQSClient, url: string): Promise<DeadLetterQueue> {
  const attributes = await getAttributes(sqs, url, [
    'QueueArn',
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesNotVisible',
  ]);
  return {
    name: nameOfUrl(url),
    url,
    arn: requiredArn(attributes, url),
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

async function getAttributes(
  sqs: SQSClient,
  url: string,
  names: ('QueueArn' | 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible')[],
): Promise<Record<string, string>> {
  const { Attributes } = await callAws(
    { action: 'sqs:GetQueueAttributes', subject: url, notFound: `Queue ${url} does not exist.` },
    () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names })),
  );
  return Attributes ?? {};
}

function requiredArn(attributes: Record<string, string>, url: string): string {
  const arn = attributes.QueueArn;
  if (arn === undefined) throw new CommandFailedError(`GetQueueAttributes returned no QueueArn for ${url}.`);
  return arn;
}

function nameOfArn(arn: string): string {
  return arn.split(':').pop() ?? arn;
}

function nameOfUrl(url: string): string {
  return url.replace(/\/+$/, '').split('/').pop() ?? url;
}
