import type { MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { MESSAGE_ATTRIBUTES } from '../contract';

/**
 * Puts a record on the dead-letter queue with why it cannot be processed: `reason`, a code
 * (UNPROCESSABLE_REASONS), and `detail`, what exactly is wrong, for people.
 */
export type DeadLetterSender = (record: SQSRecord, reason: string, detail: string) => Promise<void>;

// An SQS message attribute value is at most 256 KiB, but the detail is for people: keep it short.
const MAX_DETAIL_LENGTH = 1000;

/**
 * SQS refuses an empty attribute value, and a cut inside a surrogate pair would leave an invalid
 * character: cut by code points, and never send nothing.
 */
function shortDetail(detail: string): string {
  const trimmed = detail.trim();
  if (trimmed === '') return 'Unprocessable event (no detail given)';
  const cut = trimmed.slice(0, MAX_DETAIL_LENGTH);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** An SQS client, or a function that makes one on the first send. */
export type DeadLetterClient = Pick<SQSClient, 'send'> | (() => Pick<SQSClient, 'send'>);

/**
 * A {@link DeadLetterSender} over SQS. The body goes byte for byte, with its original attributes,
 * so a redrive after the fix delivers exactly what Smartcar sent. Given a function for `client`,
 * neither the client nor the SQS SDK is loaded before the first unprocessable record.
 */
export function createDeadLetterSender({
  client,
  queueUrl,
}: {
  client: DeadLetterClient;
  queueUrl: string;
}): DeadLetterSender {
  let sqs: Pick<SQSClient, 'send'> | undefined;
  return async (record, reason, detail) => {
    sqs ??= typeof client === 'function' ? client() : client;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: loaded on first use
    const { SendMessageCommand } = require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
    const attributes: Record<string, MessageAttributeValue> = {};
    for (const [name, value] of Object.entries(record.messageAttributes)) {
      if (value.stringValue !== undefined)
        attributes[name] = { DataType: value.dataType, StringValue: value.stringValue };
    }
    attributes[MESSAGE_ATTRIBUTES.unprocessableReason] = { DataType: 'String', StringValue: reason };
    attributes[MESSAGE_ATTRIBUTES.unprocessableDetail] = {
      DataType: 'String',
      StringValue: shortDetail(detail),
    };
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: record.body, MessageAttributes: attributes }),
    );
  };
}
