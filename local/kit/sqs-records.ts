import { randomUUID } from 'node:crypto';
import type { SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { LOCAL_AWS } from '../local-aws';

/** Options of {@link sqsRecord}. */
export interface SqsRecordOptions {
  /** @default a fresh UUID */
  messageId?: string;
  /** @default a fresh UUID */
  receiptHandle?: string;
  /** ApproximateReceiveCount, 1 on the first attempt. @default 1 */
  receiveCount?: number;
  /** System attributes as SQS reports them; they win over `receiveCount` and the defaults. */
  attributes?: Partial<SQSRecordAttributes>;
  messageAttributes?: SQSMessageAttributes;
  /** @default '' */
  md5OfBody?: string;
  /** @default the local queue `smartcar-webhooks` */
  queueArn?: string;
  /** @default LOCAL_AWS.region */
  region?: string;
}

/**
 * An SQS record as Lambda's event source mapping hands it to the function (attributes camel-cased
 * as in aws-lambda's types). The local event source builds every record it invokes the processor
 * with here.
 */
export function sqsRecord(body: string, options: SqsRecordOptions = {}): SQSRecord {
  const now = String(Date.now());
  const region = options.region ?? LOCAL_AWS.region;
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: options.receiptHandle ?? randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: now,
      SenderId: 'AROAEXAMPLE',
      ApproximateFirstReceiveTimestamp: now,
      ...options.attributes,
    },
    messageAttributes: options.messageAttributes ?? {},
    md5OfBody: options.md5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn ?? `arn:aws:sqs:${region}:${LOCAL_AWS.accountId}:smartcar-webhooks`,
    awsRegion: region,
  };
}
