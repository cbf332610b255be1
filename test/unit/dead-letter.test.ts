import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createDeadLetterSender } from '../../lambdas/processor/dead-letter';
import { MESSAGE_ATTRIBUTES } from '../../lambdas/contract';
import { sqsRecord, vehicleStateEvent } from '../support/builders';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks-dlq';
const REASON = 'SCHEMA_INVALID';
const DETAIL = 'data.signals: Invalid input: expected array, received undefined';

const sqs = mockClient(SQSClient);

function sender() {
  return createDeadLetterSender({ client: new SQSClient({ region: 'eu-west-1' }), queueUrl: QUEUE_URL });
}

/** A queued delivery with the attributes the receiver sets. */
function queuedRecord(body = JSON.stringify(vehicleStateEvent())): SQSRecord {
  return {
    ...sqsRecord(body),
    messageAttributes: {
      [MESSAGE_ATTRIBUTES.eventKey]: {
        dataType: 'String',
        stringValue: 'event-1',
        stringListValues: [],
        binaryListValues: [],
      },
      [MESSAGE_ATTRIBUTES.eventType]: {
        dataType: 'String',
        stringValue: 'VEHICLE_STATE',
        stringListValues: [],
        binaryListValues: [],
      },
    },
  };
}

function sentInput() {
  const calls = sqs.commandCalls(SendMessageCommand);
  expect(calls).toHaveLength(1);
  return calls[0]?.args[0].input;
}

/** Positions of UTF-16 code units that are half of a surrogate pair without the other half. */
function loneSurrogateIndexes(text: string): number[] {
  const indexes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const isHigh = unit >= 0xd800 && unit <= 0xdbff;
    const isLow = unit >= 0xdc00 && unit <= 0xdfff;
    const next = text.charCodeAt(i + 1);
    if (isHigh && next >= 0xdc00 && next <= 0xdfff) i++;
    else if (isHigh || isLow) indexes.push(i);
  }
  return indexes;
}

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-message-1' });
});

afterAll(() => {
  sqs.restore();
});

describe('createDeadLetterSender', () => {
  it('sends the body with its string attributes, the reason code and the detail to the dead-letter queue', async () => {
    const record = queuedRecord();

    await sender()(record, REASON, DETAIL);

    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: QUEUE_URL,
      MessageBody: record.body,
      MessageAttributes: {
        [MESSAGE_ATTRIBUTES.eventKey]: { DataType: 'String', StringValue: 'event-1' },
        [MESSAGE_ATTRIBUTES.eventType]: { DataType: 'String', StringValue: 'VEHICLE_STATE' },
        unprocessableReason: { DataType: 'String', StringValue: REASON },
        unprocessableDetail: { DataType: 'String', StringValue: DETAIL },
      },
    });
  });

  it('sends nothing but the queue URL, the body and the attributes', async () => {
    await sender()(queuedRecord(), REASON, DETAIL);

    expect(Object.keys(sentInput() ?? {}).sort()).toEqual(['MessageAttributes', 'MessageBody', 'QueueUrl']);
  });

  it('sends the body byte for byte: whitespace, key order, escapes and non-ASCII characters unchanged', async () => {
    const body =
      '{ "eventType":"VEHICLE_STATE",\n  "eventId" : "e-1", "note": "Å\\u00e9 🚗 \\"quoted\\"" }\r\n';

    await sender()(queuedRecord(body), REASON, DETAIL);

    expect(Buffer.from(sentInput()?.MessageBody ?? '', 'utf8').equals(Buffer.from(body, 'utf8'))).toBe(true);
  });

  it('keeps the data type of a Number attribute', async () => {
    const record = queuedRecord();
    record.messageAttributes.retries = { dataType: 'Number', stringValue: '3' };

    await sender()(record, REASON, DETAIL);

    expect(sentInput()?.MessageAttributes?.retries).toEqual({ DataType: 'Number', StringValue: '3' });
  });

  it('leaves out an attribute that carries no string value', async () => {
    const record = queuedRecord();
    record.messageAttributes.thumbnail = { dataType: 'Binary', binaryValue: 'AAEC' };

    await sender()(record, REASON, DETAIL);

    expect(sentInput()?.MessageAttributes).not.toHaveProperty('thumbnail');
  });

  it('sends only the reason and the detail for a record without attributes', async () => {
    const record = sqsRecord(JSON.stringify(vehicleStateEvent()));

    await sender()(record, REASON, DETAIL);

    expect(sentInput()?.MessageAttributes).toEqual({
      unprocessableReason: { DataType: 'String', StringValue: REASON },
      unprocessableDetail: { DataType: 'String', StringValue: DETAIL },
    });
  });

  it('cuts a detail longer than 1000 characters to its first 1000', async () => {
    const detail = `${'data.signals[0].code: Invalid input; '.repeat(40)}end`;

    await sender()(queuedRecord(), REASON, detail);

    expect(detail.length).toBeGreaterThan(1000);
    expect(sentInput()?.MessageAttributes?.unprocessableDetail?.StringValue).toBe(detail.slice(0, 1000));
  });

  it('sends a detail of exactly 1000 characters whole', async () => {
    const detail = 'x'.repeat(1000);

    await sender()(queuedRecord(), REASON, detail);

    expect(sentInput()?.MessageAttributes?.unprocessableDetail?.StringValue).toBe(detail);
  });

  it('never cuts a detail inside a character that takes two UTF-16 code units', async () => {
    // 999 ASCII characters, then an emoji across the 1000th and 1001st code units. A lone half of a
    // surrogate pair is no valid character, and SQS refuses attribute values that hold one.
    const detail = `${'x'.repeat(999)}🚗 after`;

    await sender()(queuedRecord(), REASON, detail);

    const sent = sentInput()?.MessageAttributes?.unprocessableDetail?.StringValue ?? '';
    expect(loneSurrogateIndexes(sent)).toEqual([]);
    expect(sent.length).toBeLessThanOrEqual(1000);
  });

  it('sends a non-empty detail attribute for an empty detail, since SQS refuses empty attribute values', async () => {
    // e.g. a handler that throws `new UnprocessableEventError()` without a message
    await sender()(queuedRecord(), REASON, '');

    expect(sentInput()?.MessageAttributes?.unprocessableDetail?.StringValue).toMatch(/\S/);
  });

  it('rejects with the error SQS answered with', async () => {
    const failure = Object.assign(new Error('Access to the resource is denied.'), { name: 'AccessDenied' });
    sqs.on(SendMessageCommand).rejects(failure);

    await expect(sender()(queuedRecord(), REASON, DETAIL)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: 'Access to the resource is denied.',
    });
  });
});
