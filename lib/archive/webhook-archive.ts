import { type CfnElement, Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  ARCHIVE_COLUMNS,
  ARCHIVE_FIRST_DATE,
  ARCHIVE_PARTITIONS,
  ARCHIVE_PREFIX,
  ARCHIVED_EVENT_TYPES,
  QUARANTINE_DELIVERIES_PREFIX,
  QUARANTINE_PREFIX,
} from '../../lambdas/contract';
import { QUARANTINE_DEFAULTS } from '../smartcar-webhooks-defaults';
import { ARCHIVE_QUERIES } from './archive-queries';

/** Properties of {@link WebhookArchive}. */
export interface WebhookArchiveProps {
  /**
   * How long archived deliveries are kept. They hold locations and other personal data, so they
   * are not kept forever by default; storage itself is cheap (0.2-0.7 GB of gzip per million
   * deliveries, under $0.02 a month: BENCHMARKS.md, section 5).
   * @default Duration.days(365)
   */
  readonly retention?: Duration;
  /**
   * A customer-managed KMS key for the bucket (SSE-KMS, with an S3 Bucket Key so S3 calls KMS
   * once per object group, not per object) and the Athena results.
   * @default - S3-managed encryption (SSE-S3)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the bucket when it leaves the stack. RETAIN: the archive is the one copy of
   * your fleet's history that Smartcar does not keep.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The most one Athena query of the workgroup may scan, in bytes; Athena cancels it beyond. A
   * month of a 1,000-vehicle fleet at 50 deliveries per vehicle and day is about 1 GB of gzip.
   * @default 10_000_000_000 (10 GB, $0.05 a query at most)
   */
  readonly queryScanLimitBytes?: number;
  /**
   * How long everything under `quarantine/` is kept (whole days): the deliveries the receiver
   * refused and the release log. The rule is there whether or not a receiver quarantines, so that
   * turning the quarantine off still expires what it kept.
   * @default Duration.days(14)
   */
  readonly quarantineRetention?: Duration;
}

/**
 * Objects under this many bytes are cheaper in S3 Standard: IA classes bill at least 128 KB. A batch
 * of ten 1 KB deliveries is about 2 KB of gzip, so only fleets with large deliveries (many signals)
 * write objects that the transition moves.
 */
const MIN_TRANSITION_BYTES = 128 * 1024;
/** After this long, large archive objects move to Glacier Instant Retrieval (still queryable). */
const TRANSITION_AFTER = Duration.days(90);
/** Athena results are working copies: kept a week. */
const RESULTS_RETENTION = Duration.days(7);
const RESULTS_PREFIX = 'athena-results/';

/**
 * The delivery archive: every delivery the receiver accepted, as it arrived, on S3 (gzip JSON
 * Lines, partitioned by day, hour and event type), with a Glue table over it that Athena queries
 * without crawlers (partition projection), an Athena workgroup with its own encrypted results
 * location and a scan limit, and saved queries for what users ask.
 */
export class WebhookArchive extends Construct {
  /**
   * The archive bucket: `events/` holds the deliveries, `athena-results/` the query results,
   * `quarantine/` the refused deliveries the receiver kept and the release log.
   */
  readonly bucket: s3.Bucket;
  /** The Glue database of the archive. */
  readonly database: glue.Database;
  /** The Glue table over `events/`, partition projection on. */
  readonly table: glue.S3Table;
  /** The Athena workgroup to query the archive with. */
  readonly workgroup: athena.CfnWorkGroup;
  /** The saved queries, by name. */
  readonly queries: Record<string, athena.CfnNamedQuery> = {};

  constructor(scope: Construct, id: string, props: WebhookArchiveProps = {}) {
    super(scope, id);
    const retention = wholeDays('archiveRetention', props.retention ?? Duration.days(365));
    const quarantineRetention = wholeDays(
      'quarantine.retention',
      props.quarantineRetention ?? Duration.days(QUARANTINE_DEFAULTS.retentionDays),
    );
    this.bucket = this.createBucket(retention, quarantineRetention, props);
    this.database = new glue.Database(this, 'Database', {
      databaseName: Names.uniqueResourceName(this, { maxLength: 64, separator: '_' }).toLowerCase(),
      description: 'Smartcar webhook deliveries, as they arrived',
    });
    this.table = this.createTable();
    this.workgroup = this.createWorkgroup(props);
    for (const query of ARCHIVE_QUERIES) {
      this.queries[query.name] = new athena.CfnNamedQuery(this, `Query-${query.name}`, {
        name: `smartcar-${query.name}`,
        description: query.description,
        database: this.database.databaseName,
        workGroup: this.workgroup.ref,
        queryString: query.sql(`"${this.database.databaseName}"."${this.table.tableName}"`),
      });
    }
  }

  /**
   * Lets `grantee` add deliveries to the archive, and nothing else: PutObject under `events/` (and
   * the key's data-key call when the bucket uses a customer-managed key). No read, no delete.
   */
  grantArchiveWrite(grantee: iam.IGrantable): iam.Grant {
    return this.grantPutUnder(
      grantee,
      ARCHIVE_PREFIX,
      'PutObject on the archive prefix: every object gets a fresh key (time and a random id), so ' +
        'the keys cannot be named in advance; the grant allows writing only, under events/ only.',
    );
  }

  /**
   * Lets `grantee` quarantine refused deliveries, and nothing else: PutObject under
   * `quarantine/deliveries/` (and the key's data-key call when the bucket uses a customer-managed
   * key). No read, no list, no delete, no other prefix: a compromised receiver can add objects that
   * expire, never read or remove what the bucket holds.
   */
  grantQuarantineWrite(grantee: iam.IGrantable): iam.Grant {
    return this.grantPutUnder(
      grantee,
      QUARANTINE_DELIVERIES_PREFIX,
      'PutObject on the quarantine prefix: every refused delivery gets a fresh key (time, reason and a ' +
        'random id), so the keys cannot be named in advance; the grant allows writing only, under ' +
        `${QUARANTINE_DELIVERIES_PREFIX} only, where objects expire after the quarantine's retention.`,
    );
  }

  private grantPutUnder(grantee: iam.IGrantable, prefix: string, reason: string): iam.Grant {
    // Written out: Bucket.grantPut adds tagging, legal-hold, retention and abort actions the
    // writers never use.
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject'],
      resourceArns: [this.bucket.arnForObjects(`${prefix}*`)],
    });
    // SSE-KMS: S3 asks KMS for a data key with the caller's permissions. A single PutObject needs
    // nothing else of the key (kms:Decrypt only for multipart uploads, which neither writer makes).
    this.bucket.encryptionKey?.grant(grantee, 'kms:GenerateDataKey');
    const role = grantee.grantPrincipal;
    if (role instanceof Construct) {
      const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        reason,
      });
    }
    return grant;
  }

  private createBucket(
    retention: Duration,
    quarantineRetention: Duration,
    props: WebhookArchiveProps,
  ): s3.Bucket {
    const bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      ...(props.encryptionKey === undefined
        ? { encryption: s3.BucketEncryption.S3_MANAGED }
        : {
            encryption: s3.BucketEncryption.KMS,
            encryptionKey: props.encryptionKey,
            bucketKeyEnabled: true,
          }),
      // No versioning: every object is written once under a fresh key and never changed, so
      // versions would only double what a lifecycle expiry leaves behind.
      versioned: false,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'archive-expiry', prefix: ARCHIVE_PREFIX, expiration: retention },
        ...(retention.toDays() > TRANSITION_AFTER.toDays()
          ? [
              {
                id: 'archive-transition',
                prefix: ARCHIVE_PREFIX,
                // Small objects stay in Standard: Glacier IR bills every object as at least 128 KB.
                objectSizeGreaterThan: MIN_TRANSITION_BYTES,
                transitions: [
                  {
                    storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                    transitionAfter: TRANSITION_AFTER,
                  },
                ],
              },
            ]
          : []),
        { id: 'athena-results', prefix: RESULTS_PREFIX, expiration: RESULTS_RETENTION },
        // Never transitioned: quarantined objects are a few KB and live days, where a transition
        // request and a cheaper class's minimums cost more than Standard does.
        { id: 'quarantine-expiry', prefix: QUARANTINE_PREFIX, expiration: quarantineRetention },
        { id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    Validations.of(bucket).acknowledge({
      id: 'CloudFormation-Validate::W9003',
      reason:
        "CDK's lifecycle rule writes ObjectSizeGreaterThan as a number, which CloudFormation reads as the " +
        'string it documents; the rule is applied as written.',
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Server access logs would write an object for every archive write; who touched the archive is ' +
        'better answered by CloudTrail data events, which an organisation trail can enable for this bucket.',
    });
    return bucket;
  }

  private createTable(): glue.S3Table {
    const column = (name: string) => ({ name, type: glue.Schema.STRING });
    return new glue.S3Table(this, 'Table', {
      database: this.database,
      tableName: 'deliveries',
      description: 'One row per archived delivery (a delivery log: dedupe by event_key)',
      storage: glue.S3TableStorage.fromBucket(this.bucket),
      s3Prefix: ARCHIVE_PREFIX,
      dataFormat: glue.DataFormat.JSON,
      compressed: true,
      columns: ARCHIVE_COLUMNS.map(column),
      partitionKeys: [
        column(ARCHIVE_PARTITIONS.date),
        column(ARCHIVE_PARTITIONS.hour),
        { name: ARCHIVE_PARTITIONS.eventType, type: glue.Schema.STRING },
      ],
      partitionProjection: {
        [ARCHIVE_PARTITIONS.date]: glue.PartitionProjectionConfiguration.date({
          min: ARCHIVE_FIRST_DATE,
          max: 'NOW',
          format: 'yyyy-MM-dd',
        }),
        [ARCHIVE_PARTITIONS.hour]: glue.PartitionProjectionConfiguration.integer({
          min: 0,
          max: 23,
          digits: 2,
        }),
        [ARCHIVE_PARTITIONS.eventType]: glue.PartitionProjectionConfiguration.enum({
          values: [...ARCHIVED_EVENT_TYPES],
        }),
      },
    });
  }

  private createWorkgroup(props: WebhookArchiveProps): athena.CfnWorkGroup {
    const workgroup = new athena.CfnWorkGroup(this, 'Workgroup', {
      name: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      description: 'Queries over the Smartcar webhook archive',
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.queryScanLimitBytes ?? 10_000_000_000,
        resultConfiguration: {
          outputLocation: this.bucket.s3UrlForObject(RESULTS_PREFIX),
          encryptionConfiguration:
            props.encryptionKey === undefined
              ? { encryptionOption: 'SSE_S3' }
              : { encryptionOption: 'SSE_KMS', kmsKey: props.encryptionKey.keyArn },
        },
      },
    });
    workgroup.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    return workgroup;
  }
}

/** A lifecycle expiry: S3 expires objects by the day. */
function wholeDays(name: string, duration: Duration): Duration {
  const seconds = duration.toSeconds();
  if (seconds < 86_400 || seconds % 86_400 !== 0) {
    throw new Error(
      `${name} must be whole days, at least 1 (S3 expires objects by the day); got ${duration.toHumanString()}.`,
    );
  }
  return duration;
}
