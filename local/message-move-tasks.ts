import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { InterceptedReply, Interceptor } from './switchable-proxy';

/**
 * SQS's DLQ redrive API (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask), which
 * fauxqs does not implement, done the way SQS does it: receive from the DLQ, send to the source
 * queue as a new message (so its receive count starts again), delete from the DLQ.
 */

type TaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

interface MoveTask {
  TaskHandle: string;
  Status: TaskStatus;
  SourceArn: string;
  DestinationArn?: string;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  StartedTimestamp: number;
  FailureReason?: string;
}

const TARGET_PREFIX = 'AmazonSQS.';
const JSON_HEADERS = { 'content-type': 'application/x-amz-json-1.0' };

/**
 * An interceptor for the local SQS endpoint. `sqs` must talk to the emulator directly, and
 * `queueUrlOf` turns a queue ARN into the URL the emulator knows it by.
 */
export function messageMoveTasks(sqs: SQSClient, queueUrlOf: (arn: string) => string): Interceptor {
  const tasks: MoveTask[] = [];

  const queueArn = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn;

  const depth = async (url: string) =>
    Number(
      (
        await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
        )
      ).Attributes?.ApproximateNumberOfMessages ?? 0,
    );

  /** Queues whose redrive policy names this DLQ: where SQS sends messages back by default. */
  const sourceQueuesOf = async (deadLetterArn: string): Promise<string[]> => {
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
    const sources: string[] = [];
    for (const url of QueueUrls) {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy', 'QueueArn'] }),
      );
      const policy = Attributes?.RedrivePolicy ? JSON.parse(Attributes.RedrivePolicy) : undefined;
      if (policy?.deadLetterTargetArn === deadLetterArn && Attributes?.QueueArn)
        sources.push(Attributes.QueueArn);
    }
    return sources;
  };

  const run = async (task: MoveTask, destinationUrl: string) => {
    const sourceUrl = queueUrlOf(task.SourceArn);
    try {
      for (;;) {
        if (task.Status === 'CANCELLING') {
          task.Status = 'CANCELLED';
          return;
        }
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: sourceUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            VisibilityTimeout: 30,
            MessageAttributeNames: ['All'],
          }),
        );
        if (Messages.length === 0) break;
        for (const message of Messages) {
          await sqs.send(
            new SendMessageCommand({
              QueueUrl: destinationUrl,
              MessageBody: message.Body ?? '',
              MessageAttributes: message.MessageAttributes,
            }),
          );
        }
        const deleted = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: sourceUrl,
            Entries: Messages.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle ?? '',
            })),
          }),
        );
        const failed = deleted?.Failed ?? [];
        task.ApproximateNumberOfMessagesMoved += Messages.length - failed.length;
        if (failed.length > 0) {
          // An undeleted message reappears in the DLQ and would be moved twice.
          throw new Error(`could not delete moved messages: ${failed.map((entry) => entry.Code).join(', ')}`);
        }
      }
      task.Status = 'COMPLETED';
    } catch (error) {
      task.Status = 'FAILED';
      task.FailureReason = error instanceof Error ? error.message : String(error);
    }
  };

  const start = async (input: Record<string, unknown>): Promise<InterceptedReply> => {
    const sourceArn = String(input.SourceArn ?? '');
    const sourceUrl = queueUrlOf(sourceArn);
    if ((await queueArn(sourceUrl).catch(() => undefined)) !== sourceArn) {
      return error(400, 'ResourceNotFoundException', `The source queue ${sourceArn} does not exist.`);
    }
    const destinationArn = typeof input.DestinationArn === 'string' ? input.DestinationArn : undefined;
    const destinations = destinationArn !== undefined ? [destinationArn] : await sourceQueuesOf(sourceArn);
    const [destination] = destinations;
    if (destination === undefined || destinations.length > 1) {
      return error(400, 'InvalidParameterValue', 'Give DestinationArn: the DLQ has no single source queue.');
    }
    if ((await queueArn(queueUrlOf(destination)).catch(() => undefined)) !== destination) {
      return error(400, 'ResourceNotFoundException', `The destination queue ${destination} does not exist.`);
    }
    const toMove = await depth(sourceUrl);
    // No await from this check to the registration below, so two requests cannot both pass it.
    if (
      tasks.some(
        (task) => task.SourceArn === sourceArn && (task.Status === 'RUNNING' || task.Status === 'CANCELLING'),
      )
    ) {
      return error(400, 'UnsupportedOperation', `A message move task is already running for ${sourceArn}.`);
    }
    const task: MoveTask = {
      TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn })).toString('base64'),
      Status: 'RUNNING',
      SourceArn: sourceArn,
      DestinationArn: destinationArn,
      ApproximateNumberOfMessagesMoved: 0,
      ApproximateNumberOfMessagesToMove: toMove,
      StartedTimestamp: Date.now(),
    };
    tasks.unshift(task);
    void run(task, queueUrlOf(destination));
    return ok({ TaskHandle: task.TaskHandle });
  };

  const list = (input: Record<string, unknown>): InterceptedReply => {
    const maxResults = typeof input.MaxResults === 'number' ? input.MaxResults : 1;
    const results = tasks.filter((task) => task.SourceArn === input.SourceArn).slice(0, maxResults);
    return ok({ Results: results });
  };

  const cancel = (input: Record<string, unknown>): InterceptedReply => {
    const task = tasks.find((candidate) => candidate.TaskHandle === input.TaskHandle);
    if (task === undefined || task.Status !== 'RUNNING') {
      return error(400, 'ResourceNotFoundException', 'No running task has this handle.');
    }
    task.Status = 'CANCELLING';
    return ok({ ApproximateNumberOfMessagesMoved: task.ApproximateNumberOfMessagesMoved });
  };

  return async (req, body) => {
    const operation = String(req.headers['x-amz-target'] ?? '');
    if (!operation.startsWith(TARGET_PREFIX)) return undefined;
    const name = operation.slice(TARGET_PREFIX.length);
    if (!['StartMessageMoveTask', 'ListMessageMoveTasks', 'CancelMessageMoveTask'].includes(name))
      return undefined;
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return error(400, 'SerializationException', 'The request body is not JSON.');
    }
    if (name === 'StartMessageMoveTask') return start(input);
    if (name === 'ListMessageMoveTasks') return list(input);
    return cancel(input);
  };
}

function ok(body: unknown): InterceptedReply {
  return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

function error(status: number, code: string, message: string): InterceptedReply {
  return {
    status,
    headers: { ...JSON_HEADERS, 'x-amzn-query-error': `AWS.SimpleQueueService.${code};Sender` },
    body: JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }),
  };
}
