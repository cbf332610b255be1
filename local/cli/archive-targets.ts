import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STACK_OUTPUTS } from '../../lambdas/contract';
import { LOCAL_AWS } from '../local-aws';
import type { ArchiveLocation } from '../archive/archive-reader';
import { StackLookupError } from './errors';
import { readLocalArchiveStatus } from './local-status';
import { describeStackOutputs, queueUrlOf } from './redrive-targets';

/** Where `replay` and `events` read the archive, and where `replay` sends. */
export interface ArchiveTarget {
  archive: ArchiveLocation;
  sqs: SQSClient;
  /** The main queue: the processor's. */
  queueUrl: string;
  /** For messages: "the local emulator at …", "stack SmartcarWebhooks". */
  description: string;
}

/** The archive and queue of `npm start`, from `GET <baseUrl>/_local/status`. */
export async function localArchiveTarget(baseUrl: string, fetchFn: typeof fetch): Promise<ArchiveTarget> {
  const { archive, queue } = await readLocalArchiveStatus(baseUrl, fetchFn);
  const client = new S3Client({
    endpoint: archive.endpoint,
    region: archive.region,
    credentials: LOCAL_AWS.credentials,
    // A local endpoint has no bucket subdomains.
    forcePathStyle: true,
  });
  const sqs = new SQSClient({
    endpoint: queue.endpoint,
    region: queue.region,
    credentials: LOCAL_AWS.credentials,
  });
  return {
    archive: { client, bucket: archive.bucket },
    sqs,
    queueUrl: queue.queueUrl,
    description: `the local emulator at ${baseUrl}`,
  };
}

/**
 * The archive bucket and main queue a deployed stack names in its outputs; read and written with
 * the caller's credentials.
 * @throws StackLookupError when the stack does not exist or has no archive
 */
export async function stackArchiveTarget(
  stackName: string,
  region: string | undefined,
): Promise<ArchiveTarget> {
  const outputs = await describeStackOutputs(new CloudFormationClient({ region }), stackName, region);
  const output = (key: string, missing: string) => {
    const value = outputs.find((candidate) => candidate.OutputKey === key)?.OutputValue;
    if (value === undefined || value === '')
      throw new StackLookupError(`Stack ${stackName} has no output ${key}: ${missing}`);
    return value;
  };
  const bucket = output(
    STACK_OUTPUTS.archiveBucketName,
    'its archive is off (archive: false) or it was deployed before the archive existed; deploy the current version with the archive on.',
  );
  const queueName = output(
    STACK_OUTPUTS.queueName,
    'is it a SmartcarWebhooks stack? Deploy the current version.',
  );
  const sqs = new SQSClient({ region });
  return {
    archive: { client: new S3Client({ region }), bucket },
    sqs,
    queueUrl: await queueUrlOf(sqs, queueName),
    description: `stack ${stackName}`,
  };
}
