import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createDeadLetterSender } from '../../lambdas/processor/dead-letter';
import { sqsRecord, vehicleStateEvent } from '../support/builders';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks-dlq';

const sqs = mockClient(SQSClient);

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-message-1' });
});

afterAll(() => sqs.restore());

describe('createDeadLetterSender given a function for its client', () => {
  it('makes no client until the first record is sent, then one for all sends', async () => {
    const makeClient = jest.fn(() => new SQSClient({ region: 'eu-west-1' }));
    const send = createDeadLetterSender({ client: makeClient, queueUrl: QUEUE_URL });

    expect(makeClient).not.toHaveBeenCalled();
    await send(sqsRecord(JSON.stringify(vehicleStateEvent())), 'SCHEMA_INVALID', 'data: missing');
    await send(sqsRecord(JSON.stringify(vehicleStateEvent())), 'SCHEMA_INVALID', 'data: missing');

    expect(makeClient).toHaveBeenCalledTimes(1);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 2);
  });

  it('rejects the send when the client cannot be made, and tries again on the next record', async () => {
    const makeClient = jest
      .fn<SQSClient, []>()
      .mockImplementationOnce(() => {
        throw new Error('no region');
      })
      .mockImplementation(() => new SQSClient({ region: 'eu-west-1' }));
    const send = createDeadLetterSender({ client: makeClient, queueUrl: QUEUE_URL });
    const record = sqsRecord(JSON.stringify(vehicleStateEvent()));

    await expect(send(record, 'SCHEMA_INVALID', 'data: missing')).rejects.toThrow('no region');
    await send(record, 'SCHEMA_INVALID', 'data: missing');

    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
  });
});
