import { App, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { logicalId, roleOf, synthStack } from './synth';

/**
 * cdk-nag 3 is a policy-validation plugin rather than an aspect: `validateScope` runs a pack over a
 * construct tree and returns every finding, errors and warnings alike, that is not acknowledged
 * (with `Validations.of(construct).acknowledge`) on the resource or one of its parents. The
 * acknowledgements, each with its reason, sit in lib/ next to the resources they concern.
 */
function unacknowledgedFindings(scope: IConstruct): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.flatMap((violation) =>
        violation.violatingResources.map(
          (resource) =>
            `${violation.severity} ${violation.ruleName} at ${resource.constructPath}: ${violation.description}`,
        ),
      ),
  );
}

const existingSecretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:smartcar/token-AbCdEf';
const existingKeyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  const { stack, webhooks } = synthStack({ webhooks: { alarmEmail: 'ops@example.com' } });

  it('finds no error or warning in the stack as bin/app.ts deploys it', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  it('finds no error or warning with an imported secret, a customer-managed key and tracing on', () => {
    const { stack: withOptions } = synthStack({
      tokenSecretArn: existingSecretArn,
      webhooks: {
        encryptionKey: kms.Key.fromKeyArn(new Stack(new App(), 'Keys'), 'Key', existingKeyArn),
        tracing: true,
      },
    });
    expect(unacknowledgedFindings(withOptions)).toEqual([]);
  });

  it('finds no error or warning with the latest-state table on', () => {
    const { stack: withLatestState } = synthStack({ webhooks: { latestState: true } });
    expect(unacknowledgedFindings(withLatestState)).toEqual([]);
  });

  it('reports what is not acknowledged, so the tests above can fail', () => {
    const keyWithoutRotation = new kms.Key(new Stack(new App(), 'Bare'), 'Key');
    expect(unacknowledgedFindings(keyWithoutRotation)).toEqual([
      expect.stringMatching(/^error AwsSolutions-KMS5 at Bare\/Key\/Resource/),
    ]);
  });

  it('acknowledges only these rules, each with a reason', () => {
    const { ingest, processing, monitoring, archive } = webhooks;
    if (archive === undefined) throw new Error('the archive is on by default');
    const at = (construct: IConstruct) => construct.node.path;
    const archiveBucketId = logicalId(archive.bucket);
    const acknowledged = acknowledgementsIn(stack);
    expect(acknowledged.map(({ path, id }) => `${id} at ${path}`).sort()).toEqual(
      [
        `AwsSolutions-APIG4 at ${at(ingest.api)}/GET--health`,
        `AwsSolutions-APIG4 at ${at(ingest.api)}/POST--webhooks--smartcar`,
        `AwsSolutions-IAM5[Resource::<${archiveBucketId}.Arn>/events/*] at ${at(roleOf(processing.processor))}`,
        `AwsSolutions-IAM5[Resource::<${archiveBucketId}.Arn>/quarantine/deliveries/*] at ${at(roleOf(ingest.receiver))}`,
        `AwsSolutions-S1 at ${at(archive.bucket)}`,
        `CloudFormation-Validate::W9003 at ${at(archive.bucket)}`,
        `AwsSolutions-SMG4 at ${at(ingest.tokenSecret)}`,
        `Serverless-LambdaDLQ at ${at(processing.processor)}`,
        `Serverless-LambdaDLQ at ${at(ingest.receiver)}`,
        `Serverless-LambdaEventSourceMappingDestination at ${at(processing.processor)}`,
        `Serverless-LambdaTracing at ${at(processing.processor)}`,
        `Serverless-LambdaTracing at ${at(ingest.receiver)}`,
        `Serverless-SNSRedrivePolicy at ${at(monitoring.alarms.pagingTopic)}/ops@example.com`,
        `Serverless-SQSRedrivePolicy at ${at(processing.deadLetterQueue)}`,
      ].sort(),
    );
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(40);
  });
});

/** Every `Validations.of(...).acknowledge(...)` in the tree: where, which rule, and why. */
function acknowledgementsIn(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          // aws-cdk-lib records rules without a known plugin prefix as "annotation::<id>".
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}
