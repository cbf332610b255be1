import { App, type CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import {
  ENV_VARS,
  STACK_OUTPUTS,
  ARCHIVE_COLUMNS,
  ARCHIVE_FIRST_DATE,
  ARCHIVE_PARTITIONS,
  ARCHIVE_PREFIX,
  ARCHIVED_EVENT_TYPES,
  archiveObjectKey,
} from '../../lambdas/contract';
import { ARCHIVE_QUERIES } from '../../lib/archive/archive-queries';
import { WebhookArchive, type WebhookArchiveProps } from '../../lib/archive/webhook-archive';
import { grantsOf, statementsOfRole } from './iam';
import { logicalId, propertiesOf, ref, roleOf, synthStack } from './synth';

function synthArchive(props: WebhookArchiveProps | ((stack: Stack) => WebhookArchiveProps) = {}) {
  const stack = new Stack(new App(), 'Test');
  const archive = new WebhookArchive(stack, 'Archive', typeof props === 'function' ? props(stack) : props);
  const writer = new iam.Role(stack, 'Writer', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  archive.grantArchiveWrite(writer);
  return { stack, archive, writer, template: Template.fromStack(stack) };
}

const { archive, writer, template, stack } = synthArchive();
/** A CloudFormation-level (L1) resource's properties, where `propertiesOf` wants an L2. */
const propertiesOfL1 = (resource: CfnResource) =>
  template.toJSON().Resources[stack.getLogicalId(resource)].Properties;
const refL1 = (resource: CfnResource) => ({ Ref: stack.getLogicalId(resource) });
const bucketArn = { 'Fn::GetAtt': [logicalId(archive.bucket), 'Arn'] };
const tableInput = () => propertiesOf(template, archive.table).TableInput as Record<string, unknown>;
const lifecycleRules = () =>
  (propertiesOf(template, archive.bucket).LifecycleConfiguration as { Rules: Record<string, unknown>[] })
    .Rules;

describe('archive bucket', () => {
  it('blocks every kind of public access and enforces bucket-owner object ownership', () => {
    expect(propertiesOf(template, archive.bucket)).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  it('denies every request that does not use TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(archive.bucket),
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: [bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }],
          },
        ],
      },
    });
  });

  it('is encrypted with S3-managed keys by default, and with the given key and a bucket key otherwise', () => {
    expect(propertiesOf(template, archive.bucket).BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    let key: kms.Key | undefined;
    const withKey = synthArchive((s) => ({
      encryptionKey: (key = new kms.Key(s, 'Key', { enableKeyRotation: true })),
    }));
    expect(propertiesOf(withKey.template, withKey.archive.bucket).BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(key as kms.Key), 'Arn'] },
          },
        },
      ],
    });
  });

  it('is kept when it leaves the stack, and not versioned (objects are written once, never changed)', () => {
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(propertiesOf(template, archive.bucket).VersioningConfiguration).toBeUndefined();
  });

  it('expires deliveries after a year, moves large objects to Glacier Instant Retrieval after 90 days', () => {
    expect(lifecycleRules()).toEqual(
      expect.arrayContaining([
        { Id: 'archive-expiry', Prefix: ARCHIVE_PREFIX, ExpirationInDays: 365, Status: 'Enabled' },
        {
          Id: 'archive-transition',
          Prefix: ARCHIVE_PREFIX,
          ObjectSizeGreaterThan: 131072,
          Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
          Status: 'Enabled',
        },
      ]),
    );
  });

  it('expires deliveries after the given retention', () => {
    const short = synthArchive({ retention: Duration.days(30) });
    expect(
      (
        propertiesOf(short.template, short.archive.bucket).LifecycleConfiguration as {
          Rules: { Id: string }[];
        }
      ).Rules,
    ).toEqual(
      expect.arrayContaining([
        { Id: 'archive-expiry', Prefix: ARCHIVE_PREFIX, ExpirationInDays: 30, Status: 'Enabled' },
      ]),
    );
    expect(
      (
        propertiesOf(short.template, short.archive.bucket).LifecycleConfiguration as {
          Rules: { Id: string }[];
        }
      ).Rules.map((rule) => rule.Id),
    ).not.toContain('archive-transition');
  });

  it.each([Duration.hours(2), Duration.hours(36)])(
    'refuses a retention of %s, not whole days',
    (retention) => {
      expect(() => synthArchive({ retention })).toThrow(/archiveRetention must be whole days, at least 1/);
    },
  );

  it('expires Athena results after a week and aborts unfinished uploads after a day', () => {
    expect(lifecycleRules()).toEqual(
      expect.arrayContaining([
        { Id: 'athena-results', Prefix: 'athena-results/', ExpirationInDays: 7, Status: 'Enabled' },
        {
          Id: 'incomplete-uploads',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          Status: 'Enabled',
        },
      ]),
    );
  });
});

describe('archive table', () => {
  it('reads gzip JSON Lines under events/ with the JSON SerDe', () => {
    expect(tableInput()).toMatchObject({
      TableType: 'EXTERNAL_TABLE',
      StorageDescriptor: {
        Compressed: true,
        InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
        Location: { 'Fn::Join': ['', ['s3://', ref(archive.bucket), `/${ARCHIVE_PREFIX}`]] },
      },
    });
  });

  it('is partitioned by exactly the keys the processor writes, in the same order', () => {
    const partitionKeys = (tableInput().PartitionKeys as { Name: string }[]).map((key) => key.Name);
    const written = archiveObjectKey(Date.UTC(2026, 11, 1, 21), 'VEHICLE_STATE', 'id')
      .slice(ARCHIVE_PREFIX.length)
      .split('/')
      .slice(0, -1)
      .map((segment) => segment.split('=')[0]);

    expect(partitionKeys).toEqual(Object.values(ARCHIVE_PARTITIONS));
    expect(partitionKeys).toEqual(written);
  });

  it('projects its partitions (no crawler, no MSCK REPAIR): days since the first, 24 hours, every archived type', () => {
    expect(tableInput().Parameters).toMatchObject({
      'projection.enabled': 'true',
      [`projection.${ARCHIVE_PARTITIONS.date}.type`]: 'date',
      [`projection.${ARCHIVE_PARTITIONS.date}.format`]: 'yyyy-MM-dd',
      [`projection.${ARCHIVE_PARTITIONS.date}.range`]: `${ARCHIVE_FIRST_DATE},NOW`,
      [`projection.${ARCHIVE_PARTITIONS.hour}.type`]: 'integer',
      [`projection.${ARCHIVE_PARTITIONS.hour}.range`]: '0,23',
      [`projection.${ARCHIVE_PARTITIONS.hour}.digits`]: '2',
      [`projection.${ARCHIVE_PARTITIONS.eventType}.type`]: 'enum',
      [`projection.${ARCHIVE_PARTITIONS.eventType}.values`]: ARCHIVED_EVENT_TYPES.join(','),
    });
  });

  it('has a column for every field of an archive record', () => {
    const columns = ((tableInput().StorageDescriptor as { Columns: { Name: string }[] }).Columns ?? []).map(
      (column) => column.Name,
    );
    expect(columns).toEqual([...ARCHIVE_COLUMNS]);
  });
});

describe('archive workgroup', () => {
  it('writes its results, encrypted, to its own prefix and cancels queries that would scan more than 10 GB', () => {
    expect(propertiesOfL1(archive.workgroup)).toMatchObject({
      State: 'ENABLED',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10_000_000_000,
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', ref(archive.bucket), '/athena-results/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      },
    });
  });

  it('saves the queries users ask, each against the archive table in the workgroup', () => {
    const named = Object.values(template.findResources('AWS::Athena::NamedQuery')).map(
      (resource) =>
        resource.Properties as { Name: string; WorkGroup: unknown; Database: unknown; QueryString: unknown },
    );
    expect(named.map((query) => query.Name).sort()).toEqual(
      ARCHIVE_QUERIES.map((query) => `smartcar-${query.name}`).sort(),
    );
    for (const query of named) {
      expect(query.WorkGroup).toEqual(refL1(archive.workgroup));
      expect(query.Database).toEqual(ref(archive.database));
      expect(JSON.stringify(query.QueryString)).toContain(JSON.stringify(ref(archive.table)));
    }
  });
});

describe('archive queries', () => {
  it.each([
    ['latest-signal-value', 'VEHICLE_STATE'],
    ['vehicle-error-history', 'VEHICLE_ERROR'],
  ])('%s reads only the %s partitions, not every type', (name, type) => {
    const query = ARCHIVE_QUERIES.find((q) => q.name === name);
    expect(query?.sql('t')).toContain(`${ARCHIVE_PARTITIONS.eventType} = '${type}'`);
  });

  it('every query prunes by day', () => {
    for (const query of ARCHIVE_QUERIES)
      expect(query.sql('t')).toMatch(new RegExp(`${ARCHIVE_PARTITIONS.date} (>=|BETWEEN)`));
  });
});

describe('archive grants', () => {
  const eventsArn = JSON.stringify({ 'Fn::Join': ['', [bucketArn, `/${ARCHIVE_PREFIX}*`]] });

  it('lets the archiving role put objects under events/ and nothing else: no read, no delete, no tagging', () => {
    expect(grantsOf(statementsOfRole(template, writer))).toEqual([`s3:PutObject on ${eventsArn}`]);
  });

  it("lets it ask the bucket's customer-managed key for data keys, and nothing more of the key", () => {
    let key: kms.Key | undefined;
    const withKey = synthArchive((s) => ({
      encryptionKey: (key = new kms.Key(s, 'Key', { enableKeyRotation: true })),
    }));
    expect(grantsOf(statementsOfRole(withKey.template, withKey.writer))).toEqual(
      [
        `kms:GenerateDataKey on ${JSON.stringify({ 'Fn::GetAtt': [logicalId(key as kms.Key), 'Arn'] })}`,
        `s3:PutObject on ${JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(withKey.archive.bucket), 'Arn'] }, `/${ARCHIVE_PREFIX}*`]] })}`,
      ].sort(),
    );
  });
});

describe('archive cdk-nag', () => {
  it('finds no error or warning that is not acknowledged with a reason', () => {
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack
        .validateScope(stack)
        .violations.flatMap((violation) =>
          violation.violatingResources
            .filter((resource) => resource.constructPath?.startsWith('Test/Archive'))
            .map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
        ),
    );
    expect(findings).toEqual([]);
  });
});

describe('the archive in SmartcarWebhooks', () => {
  const composed = synthStack();
  const archiveOf = (webhooks: typeof composed.webhooks) => {
    if (webhooks.archive === undefined) throw new Error('the archive is on by default');
    return webhooks.archive;
  };

  it('is on by default, and the processor is told its bucket and may write it', () => {
    const { bucket } = archiveOf(composed.webhooks);
    expect(propertiesOf(composed.template, composed.webhooks.processing.processor)).toMatchObject({
      Environment: { Variables: { [ENV_VARS.archiveBucketName]: ref(bucket) } },
    });
    expect(
      grantsOf(statementsOfRole(composed.template, roleOf(composed.webhooks.processing.processor))),
    ).toContain(
      `s3:PutObject on ${JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(bucket), 'Arn'] }, `/${ARCHIVE_PREFIX}*`]] })}`,
    );
  });

  it('keeps deliveries for archiveRetention', () => {
    const { webhooks, template: t } = synthStack({ webhooks: { archiveRetention: Duration.days(90) } });
    const rules = (
      propertiesOf(t, archiveOf(webhooks).bucket).LifecycleConfiguration as { Rules: { Id: string }[] }
    ).Rules;
    expect(rules).toContainEqual({
      Id: 'archive-expiry',
      Prefix: ARCHIVE_PREFIX,
      ExpirationInDays: 90,
      Status: 'Enabled',
    });
  });

  it('names its bucket, database and workgroup in the stack outputs', () => {
    const archive = archiveOf(composed.webhooks);
    const outputs = composed.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[STACK_OUTPUTS.archiveBucketName]?.Value).toEqual(ref(archive.bucket));
    expect(outputs[STACK_OUTPUTS.archiveDatabaseName]?.Value).toEqual(ref(archive.database));
    expect(outputs[STACK_OUTPUTS.archiveWorkgroupName]?.Value).toEqual({
      Ref: composed.stack.getLogicalId(archive.workgroup),
    });
  });

  it('is left out with archive: false: no bucket, no table, no grant, no variable, no output', () => {
    const { webhooks, template: t } = synthStack({ webhooks: { archive: false } });
    expect(webhooks.archive).toBeUndefined();
    t.resourceCountIs('AWS::S3::Bucket', 0);
    t.resourceCountIs('AWS::Glue::Table', 0);
    t.resourceCountIs('AWS::Athena::WorkGroup', 0);
    expect(
      (propertiesOf(t, webhooks.processing.processor).Environment as { Variables: Record<string, unknown> })
        .Variables,
    ).not.toHaveProperty(ENV_VARS.archiveBucketName);
    expect(Object.keys(t.toJSON().Outputs)).not.toContain(STACK_OUTPUTS.archiveBucketName);
  });
});
