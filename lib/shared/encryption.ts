import { Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';

/** What CDK's read and write grants on a table add for its customer-managed key. */
export const TABLE_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
] as const;

/** SSE-SQS, or the customer-managed key when one was given. */
export function queueEncryption(
  key: kms.IKey | undefined,
): Pick<sqs.QueueProps, 'encryption' | 'encryptionMasterKey'> {
  return key === undefined
    ? { encryption: sqs.QueueEncryption.SQS_MANAGED }
    : { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key };
}

/** The AWS-managed key, or the customer-managed key when one was given. */
export function tableEncryption(
  key: kms.IKey | undefined,
): Pick<dynamodb.TableProps, 'encryption' | 'encryptionKey'> {
  return key === undefined
    ? { encryption: dynamodb.TableEncryption.AWS_MANAGED }
    : { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key };
}

/**
 * The KMS grants that come with SQS and DynamoDB on a customer-managed key include
 * `kms:GenerateDataKey*` and `kms:ReEncrypt*`; they name only that key.
 */
export function acknowledgeKeyWildcards(fn: lambda.IFunction, key: kms.IKey | undefined): void {
  if (key === undefined || fn.role === undefined) return;
  const reason =
    "CDK's grant for the customer-managed key of the queues and table, on that key only: " +
    'GenerateDataKey* and ReEncrypt* cover the data-key variants SQS and DynamoDB call.';
  Validations.of(fn.role).acknowledge(
    { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason },
    { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason },
  );
}
