import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { SmartcarWebhooksProps } from '../../lib/smartcar-webhooks';
import { QUARANTINE_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import {
  ARCHIVE_PREFIX,
  ENV_VARS,
  METRICS,
  QUARANTINE_DELIVERIES_PREFIX,
  QUARANTINE_PREFIX,
  SERVICE_NAMES,
} from '../../lambdas/contract';
import { grantLines, grantsOf, statementsOfRole } from './iam';
import { arnOf, logicalId, propertiesOf, ref, roleOf, synthWebhooks } from './synth';

type Synthesized = ReturnType<typeof synthWebhooks>;

interface LifecycleRule {
  readonly Id: string;
  readonly Prefix?: string;
  readonly Transitions?: unknown[];
  readonly [property: string]: unknown;
}

const defaults = synthWebhooks();

function archiveBucketOf({ webhooks }: Synthesized) {
  if (webhooks.archive === undefined) throw new Error('the archive is on by default');
  return webhooks.archive.bucket;
}

const lifecycleRules = (synthesized: Synthesized) =>
  (
    propertiesOf(synthesized.template, archiveBucketOf(synthesized)).LifecycleConfiguration as {
      Rules: LifecycleRule[];
    }
  ).Rules;

const receiverVariables = ({ template, webhooks }: Synthesized) =>
  (propertiesOf(template, webhooks.ingest.receiver).Environment as { Variables: Record<string, unknown> })
    .Variables;

const receiverGrants = ({ template, webhooks }: Synthesized) =>
  grantsOf(statementsOfRole(template, roleOf(webhooks.ingest.receiver)));

const QUARANTINE_VARIABLES = [
  ENV_VARS.quarantineBucketName,
  ENV_VARS.quarantineWritesPerSecond,
  ENV_VARS.quarantineBurst,
];

describe('quarantine switch', () => {
  it('is on by default with the archive: the receiver is told the archive bucket and the default bound', () => {
    expect(receiverVariables(defaults)).toMatchObject({
      [ENV_VARS.quarantineBucketName]: ref(archiveBucketOf(defaults)),
      [ENV_VARS.quarantineWritesPerSecond]: String(QUARANTINE_DEFAULTS.writesPerSecond),
      [ENV_VARS.quarantineBurst]: String(QUARANTINE_DEFAULTS.burst),
    });
  });

  it('passes writesPerSecond and burst to the receiver', () => {
    const custom = synthWebhooks({ quarantine: { writesPerSecond: 5, burst: 100 } });
    expect(receiverVariables(custom)).toMatchObject({
      [ENV_VARS.quarantineWritesPerSecond]: '5',
      [ENV_VARS.quarantineBurst]: '100',
    });
  });

  it('is off with archive: false: no quarantine variable and no S3 grant for the receiver', () => {
    const withoutArchive = synthWebhooks({ archive: false });
    expect(Object.keys(receiverVariables(withoutArchive))).toEqual(
      expect.not.arrayContaining(QUARANTINE_VARIABLES),
    );
    expect(receiverGrants(withoutArchive).filter((line) => line.startsWith('s3:'))).toEqual([]);
  });

  it('is off with quarantine: false: no quarantine variable and no S3 grant, the archive stays', () => {
    const off = synthWebhooks({ quarantine: false });
    expect(off.webhooks.archive).toBeDefined();
    expect(Object.keys(receiverVariables(off))).toEqual(expect.not.arrayContaining(QUARANTINE_VARIABLES));
    expect(receiverGrants(off).filter((line) => line.startsWith('s3:'))).toEqual([]);
  });

  it.each<[string, SmartcarWebhooksProps['quarantine']]>([
    ['true', true],
    ['options', { retention: Duration.days(7) }],
  ])('refuses quarantine: %s with archive: false, naming the archive it needs', (_name, quarantine) => {
    expect(() => synthWebhooks({ archive: false, quarantine })).toThrow(
      /quarantine needs the archive.*set archive: true/,
    );
  });
});

describe('quarantine validation', () => {
  it.each([Duration.hours(2), Duration.hours(36), Duration.days(0)])(
    'refuses a retention of %s, not whole days of at least 1',
    (retention) => {
      expect(() => synthWebhooks({ quarantine: { retention } })).toThrow(
        /quarantine.retention must be whole days, at least 1/,
      );
    },
  );

  it.each([0, -1, 2.5])('refuses writesPerSecond %s, not a positive integer', (writesPerSecond) => {
    expect(() => synthWebhooks({ quarantine: { writesPerSecond } })).toThrow(
      /quarantine.writesPerSecond must be a positive integer/,
    );
  });

  it.each([0, -1, 2.5])('refuses burst %s, not a positive integer', (burst) => {
    expect(() => synthWebhooks({ quarantine: { burst } })).toThrow(
      /quarantine.burst must be a positive integer/,
    );
  });
});

describe('quarantine lifecycle', () => {
  it('expires everything under quarantine/ after 14 days by default', () => {
    expect(lifecycleRules(defaults)).toContainEqual({
      Id: 'quarantine-expiry',
      Prefix: QUARANTINE_PREFIX,
      ExpirationInDays: QUARANTINE_DEFAULTS.retentionDays,
      Status: 'Enabled',
    });
  });

  it('expires it after the given retention', () => {
    const custom = synthWebhooks({ quarantine: { retention: Duration.days(3) } });
    expect(lifecycleRules(custom)).toContainEqual({
      Id: 'quarantine-expiry',
      Prefix: QUARANTINE_PREFIX,
      ExpirationInDays: 3,
      Status: 'Enabled',
    });
  });

  it('still expires what was kept after the quarantine is turned off', () => {
    expect(lifecycleRules(synthWebhooks({ quarantine: false }))).toContainEqual(
      expect.objectContaining({ Id: 'quarantine-expiry', Prefix: QUARANTINE_PREFIX }),
    );
  });

  it("never transitions quarantined objects: every transition is scoped to the archive's events/", () => {
    const transitions = lifecycleRules(defaults).filter((rule) => rule.Transitions !== undefined);
    expect(transitions.length).toBeGreaterThan(0);
    for (const rule of transitions) expect(rule.Prefix).toBe(ARCHIVE_PREFIX);
  });

  it('is the only rule but the bucket-wide abort of unfinished uploads that reaches quarantine/', () => {
    const reaching = lifecycleRules(defaults).filter(
      (rule) =>
        rule.Prefix === undefined ||
        rule.Prefix.startsWith(QUARANTINE_PREFIX) ||
        QUARANTINE_PREFIX.startsWith(rule.Prefix),
    );
    expect(reaching).toEqual([
      expect.objectContaining({ Id: 'quarantine-expiry' }),
      {
        Id: 'incomplete-uploads',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      },
    ]);
  });
});

describe('quarantine grants', () => {
  const bucketId = () => logicalId(archiveBucketOf(defaults));
  const deliveriesArn = () => ({
    'Fn::Join': ['', [arnOf(archiveBucketOf(defaults)), `/${QUARANTINE_DELIVERIES_PREFIX}*`]],
  });

  it('lets the receiver put objects under quarantine/deliveries/, in one statement of its own', () => {
    const statements = statementsOfRole(defaults.template, roleOf(defaults.webhooks.ingest.receiver));
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 's3:PutObject', Resource: deliveriesArn() });
  });

  it('grants the receiver nothing else on the archive bucket: no read, no list, no delete, no other prefix', () => {
    const onTheBucket = receiverGrants(defaults).filter((line) => line.includes(bucketId()));
    expect(onTheBucket).toEqual(grantLines(deliveriesArn(), ['s3:PutObject']));
    expect(receiverGrants(defaults).filter((line) => line.startsWith('s3:'))).toEqual(onTheBucket);
  });

  it("lets the receiver ask the bucket's customer-managed key for data keys, which a PutObject needs", () => {
    let key: kms.Key | undefined;
    const keyed = (props: SmartcarWebhooksProps) =>
      synthWebhooks((stack) => ({
        ...props,
        encryptionKey: (key = new kms.Key(stack, 'Key', { enableKeyRotation: true })),
      }));
    const kmsGrants = (synthesized: Synthesized) =>
      receiverGrants(synthesized).filter((line) => line.startsWith('kms:GenerateDataKey on'));

    const on = keyed({});
    expect(kmsGrants(on)).toEqual(grantLines(arnOf(key as kms.Key), ['kms:GenerateDataKey']));
    // Without the quarantine the receiver only has what sending to the queue needs (GenerateDataKey*).
    expect(kmsGrants(keyed({ quarantine: false }))).toEqual([]);
  });
});

describe('quarantine dashboard', () => {
  interface Widget {
    readonly properties: { readonly title: string; readonly metrics?: unknown[][] };
  }

  /** The dashboard's widgets; each reference (inside a JSON string) becomes a placeholder. */
  function widgets(): Widget[] {
    const body = propertiesOf(defaults.template, defaults.webhooks.monitoring.dashboard).DashboardBody as {
      'Fn::Join': [string, unknown[]];
    };
    const text = body['Fn::Join'][1]
      .map((part) => (typeof part === 'string' ? part : '<reference>'))
      .join('');
    return (JSON.parse(text) as { widgets: Widget[] }).widgets;
  }

  it('graphs quarantined deliveries and misses (receiver) and released events (processor) by [service]', () => {
    const quarantine = widgets().find((widget) => widget.properties.title.startsWith('Quarantine'));
    const lines = (quarantine?.properties.metrics ?? []).map((line) =>
      line.filter((part) => typeof part === 'string'),
    );
    expect(lines).toEqual([
      [METRICS.namespace, METRICS.deliveriesQuarantined, 'service', SERVICE_NAMES.receiver],
      [METRICS.namespace, METRICS.quarantineMisses, 'service', SERVICE_NAMES.receiver],
      [METRICS.namespace, METRICS.released, 'service', SERVICE_NAMES.processor],
    ]);
  });
});
