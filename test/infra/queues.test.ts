import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { PROCESSOR_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { arnOf, propertiesOf, ref, synthWebhooks } from './synth';

const { webhooks, template } = synthWebhooks();
const queues = [
  ['queue', webhooks.processing.queue],
  ['dead-letter queue', webhooks.processing.deadLetterQueue],
] as const;
const fourteenDaysInSeconds = 1_209_600;

describe.each(queues)('%s', (_name, queue) => {
  it('is encrypted with SQS-managed keys', () => {
    expect(propertiesOf(template, queue)).toMatchObject({ SqsManagedSseEnabled: true });
  });

  it('is a standard queue', () => {
    expect(propertiesOf(template, queue).FifoQueue).toBeUndefined();
  });

  it('denies every request not made over TLS', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(queue)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Resource: arnOf(queue),
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('queue', () => {
  it('hides a received delivery for six times the processor timeout plus the batching window', () => {
    expect(propertiesOf(template, webhooks.processing.queue)).toMatchObject({
      VisibilityTimeout: PROCESSOR_DEFAULTS.timeoutSeconds * 6 + PROCESSOR_DEFAULTS.maxBatchingWindowSeconds,
    });
  });

  it('adds a longer batching window to the visibility timeout', () => {
    const { webhooks: slow, template: slowTemplate } = synthWebhooks({
      maxBatchingWindow: Duration.minutes(5),
    });
    expect(propertiesOf(slowTemplate, slow.processing.queue)).toMatchObject({
      VisibilityTimeout: PROCESSOR_DEFAULTS.timeoutSeconds * 6 + 300,
    });
  });

  it('is six times the processor timeout when there is no batching window', () => {
    const { webhooks: direct, template: directTemplate } = synthWebhooks({
      maxBatchingWindow: Duration.seconds(0),
      batchSize: 10,
    });
    expect(propertiesOf(directTemplate, direct.processing.queue)).toMatchObject({
      VisibilityTimeout: PROCESSOR_DEFAULTS.timeoutSeconds * 6,
    });
  });

  it('moves a delivery to the dead-letter queue after 5 receives, so throttled receives do not dead-letter it', () => {
    expect(propertiesOf(template, webhooks.processing.queue)).toMatchObject({
      RedrivePolicy: { deadLetterTargetArn: arnOf(webhooks.processing.deadLetterQueue), maxReceiveCount: 5 },
    });
  });

  it('keeps waiting deliveries for 14 days, SQS maximum, not the default 4', () => {
    expect(propertiesOf(template, webhooks.processing.queue)).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
  });
});

describe('dead-letter queue', () => {
  it('keeps failed deliveries for 14 days', () => {
    expect(propertiesOf(template, webhooks.processing.deadLetterQueue)).toMatchObject({
      MessageRetentionPeriod: fourteenDaysInSeconds,
    });
  });

  it('allows any queue to redrive from it, so the console can move deliveries back', () => {
    expect(propertiesOf(template, webhooks.processing.deadLetterQueue)).toMatchObject({
      RedriveAllowPolicy: { redrivePermission: 'allowAll' },
    });
  });
});
