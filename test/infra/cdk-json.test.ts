import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { SmartcarWebhooksStack, type SmartcarWebhooksStackProps } from '../../lib/smartcar-webhooks-stack';
import { testApp } from './synth';

const ROOT = path.join(__dirname, '..', '..');
const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'),
).context;

/**
 * The feature flags cdk.json carried before it took the recommended ones: the baseline the
 * template must not move from (the last three are no-ops in aws-cdk-lib 2: one always on, two
 * names it never reads).
 */
const FLAGS_BEFORE: Record<string, unknown> = {
  '@aws-cdk/aws-lambda:recognizeLayerVersion': true,
  '@aws-cdk/core:checkSecretUsage': true,
  '@aws-cdk/core:target-partitions': ['aws', 'aws-cn'],
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/core:validateSnapshotRemovalPolicy': true,
  '@aws-cdk/core:enablePartitionLiterals': true,
  '@aws-cdk/aws-lambda-nodejs:useLatestRuntimeVersion': true,
  '@aws-cdk/aws-lambda:recognizeVersionProps': true,
  '@aws-cdk/aws-iam:standardizedServicePrincipals': true,
  '@aws-cdk/aws-sns:restrictSqsDescryption': true,
};

// What the CDK CLI leaves out of its "feature flags are not configured" count
// (aws-cdk, lib/commands/flags/operations.ts: OBSOLETE_FLAGS).
const OBSOLETE_FLAGS = [
  '@aws-cdk/core:enableStackNameDuplicates',
  '@aws-cdk/aws-s3:grantWriteWithoutAcl',
  '@aws-cdk/aws-kms:defaultKeyPolicies',
];

interface FlagReport {
  userValue?: unknown;
  recommendedValue?: unknown;
  unconfiguredBehavesLike?: { v2?: unknown };
}

const TOKEN_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:smartcar-amt-AbCdEf';
const TOKEN_KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';

/** Deployments that exercise every optional part of the stack. */
const DEPLOYMENTS: Record<string, SmartcarWebhooksStackProps> = {
  default: {},
  'latest state, alarm email, tracing': {
    webhooks: { latestState: true, alarmEmail: 'oncall@example.com', tracing: true },
  },
  'imported secret with its key': { tokenSecretArn: TOKEN_SECRET_ARN, tokenSecretKeyArn: TOKEN_KEY_ARN },
  'no archive, no quarantine, other limits': {
    webhooks: { archive: false, quarantine: false, replayTolerance: Duration.minutes(5), maxReceiveCount: 3 },
  },
};

function template(
  context: Record<string, unknown>,
  props: SmartcarWebhooksStackProps,
  analyticsReporting = false,
) {
  const app = new App({ analyticsReporting, context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new SmartcarWebhooksStack(app, 'SmartcarWebhooks', props)).toJSON() as {
    Resources: Record<string, { Type: string }>;
  };
}

describe('cdk.json', () => {
  it('carries every feature flag the pinned aws-cdk-lib recommends, with the recommended value', () => {
    const carried = Object.fromEntries(
      Object.keys(CURRENTLY_RECOMMENDED_FLAGS).map((flag) => [flag, CDK_JSON_CONTEXT[flag]]),
    );

    expect(carried).toEqual(CURRENTLY_RECOMMENDED_FLAGS);
  });

  it('carries no feature flag the pinned aws-cdk-lib does not recommend', () => {
    const others = Object.keys(CDK_JSON_CONTEXT).filter(
      (key) => key.startsWith('@aws-cdk') && !(key in CURRENTLY_RECOMMENDED_FLAGS),
    );

    expect(others).toEqual([]);
  });

  it('leaves no flag unconfigured that cdk synth would warn about', () => {
    const app = testApp();
    new SmartcarWebhooksStack(app, 'SmartcarWebhooks');
    const report = app.synth().manifest.artifacts?.['aws-cdk-lib/feature-flag-report']?.properties as
      { flags: Record<string, FlagReport> } | undefined;

    // The CLI's count: no user value, and what the flag does unset is not what is recommended.
    const unconfigured = Object.entries(report?.flags ?? {})
      .filter(([name]) => !OBSOLETE_FLAGS.includes(name))
      .filter(([, flag]) => flag.userValue === undefined)
      .filter(([, flag]) => (flag.unconfiguredBehavesLike?.v2 ?? false) !== flag.recommendedValue)
      .map(([name]) => name);
    expect(report).toBeDefined();
    expect(unconfigured).toEqual([]);
  });

  it.each(Object.entries(DEPLOYMENTS))(
    'synthesizes the template it synthesized with the flags it had before (%s)',
    (_name, props) => {
      expect(template(CDK_JSON_CONTEXT, props)).toEqual(template(FLAGS_BEFORE, props));
    },
  );
});

describe('the CDK usage report (AWS::CDK::Metadata, which cdk synth adds)', () => {
  const metadataIds = (resources: Record<string, { Type: string }>) =>
    Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::CDK::Metadata');

  it('is the only resource the recommended flags change', () => {
    const after = template(CDK_JSON_CONTEXT, {}, true);
    const before = template(FLAGS_BEFORE, {}, true);
    const withoutMetadata = (resources: Record<string, { Type: string }>) =>
      Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type !== 'AWS::CDK::Metadata'));

    expect(metadataIds(after.Resources)).toHaveLength(1);
    expect({ ...after, Resources: withoutMetadata(after.Resources) }).toEqual({
      ...before,
      Resources: withoutMetadata(before.Resources),
    });
  });

  it('changes through enableAdditionalMetadataCollection alone', () => {
    const withoutAdditional = {
      ...CDK_JSON_CONTEXT,
      '@aws-cdk/core:enableAdditionalMetadataCollection': false,
    };

    expect(template(withoutAdditional, {}, true)).toEqual(template(FLAGS_BEFORE, {}, true));
  });
});

describe('npx cdk synth', () => {
  it(
    'prints no feature-flag warning and accepts the context the CLI adds',
    () => {
      const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-synth-'));
      try {
        const result = spawnSync(
          process.execPath,
          [
            path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'),
            'synth',
            '--quiet',
            '--no-notices',
            '--output',
            outdir,
          ],
          { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } },
        );

        expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
        expect(`${result.stdout}${result.stderr}`).not.toMatch(/feature flags? (is|are) not configured/);
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    },
    // Bundles both functions and starts the app through tsx: a minute on a loaded 2-core machine.
    300_000,
  );
});
