import * as kms from 'aws-cdk-lib/aws-kms';
import { grantLines, grantsOf, statementsOfRole } from './iam';
import { arnOf, propertiesOf, roleOf, synthWebhooks } from './synth';

let key: kms.Key | undefined;
const { webhooks, template } = synthWebhooks((stack) => {
  key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  return { encryptionKey: key };
});
const keyArn = () => {
  if (key === undefined) throw new Error('the key was not created');
  return arnOf(key);
};
const kmsGrantsOf = (fn: typeof webhooks.ingest.receiver) =>
  grantsOf(statementsOfRole(template, roleOf(fn))).filter((line) => line.startsWith('kms:'));

describe('with a customer-managed encryptionKey', () => {
  it('exposes the key', () => {
    expect(webhooks.processing.encryptionKey).toBe(key);
  });

  it.each([
    ['queue', () => webhooks.processing.queue],
    ['dead-letter queue', () => webhooks.processing.deadLetterQueue],
  ])('encrypts the %s with the key instead of SQS-managed keys', (_name, queue) => {
    const properties = propertiesOf(template, queue());
    expect(properties.KmsMasterKeyId).toEqual(keyArn());
    expect(properties.SqsManagedSseEnabled).toBeUndefined();
  });

  it('encrypts the idempotency table with the key', () => {
    expect(propertiesOf(template, webhooks.processing.idempotencyTable)).toMatchObject({
      SSESpecification: { KMSMasterKeyId: keyArn(), SSEEnabled: true, SSEType: 'KMS' },
    });
  });

  it('lets the receiver use the key exactly as sending to the queue and quarantining need, on that key only', () => {
    expect(kmsGrantsOf(webhooks.ingest.receiver)).toEqual(
      grantLines(keyArn(), [
        'kms:Decrypt',
        'kms:Encrypt',
        // The quarantine's PutObject: S3 asks KMS for a data key with the writer's permissions.
        'kms:GenerateDataKey',
        'kms:GenerateDataKey*',
        'kms:ReEncrypt*',
      ]).sort(),
    );
  });

  it('lets the processor decrypt the queue, read and write the table and write the archive, on that key only', () => {
    expect(kmsGrantsOf(webhooks.processing.processor)).toEqual(
      grantLines(keyArn(), [
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        // The archive's PutObject: S3 asks KMS for a data key with the writer's permissions.
        'kms:GenerateDataKey',
        'kms:GenerateDataKey*',
        'kms:ReEncrypt*',
      ]).sort(),
    );
  });

  it('encrypts the archive bucket with that key, through an S3 Bucket Key', () => {
    if (webhooks.archive === undefined) throw new Error('the archive is on by default');
    expect(propertiesOf(template, webhooks.archive.bucket).BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn() },
        },
      ],
    });
  });
});
