import { App, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { ENV_VARS, PLACEHOLDER_TOKEN } from '../../lambdas/contract';
import { grantsOf, statementsOfRole } from './iam';
import { propertiesOf, roleOf, synthStack, synthWebhooks } from './synth';

const existingSecretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:smartcar/token-AbCdEf';

describe('token secret created by the construct', () => {
  const { webhooks, template } = synthWebhooks();

  it('holds the placeholder the receiver refuses to run with', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(propertiesOf(template, webhooks.ingest.tokenSecret)).toMatchObject({
      SecretString: PLACEHOLDER_TOKEN,
    });
  });

  it('tells in its description how to store the real token', () => {
    expect(propertiesOf(template, webhooks.ingest.tokenSecret).Description).toMatch(/put-secret-value/);
  });
});

describe('token secret imported with the tokenSecret prop', () => {
  const { webhooks, template } = synthWebhooks((stack) => ({
    tokenSecret: Secret.fromSecretCompleteArn(stack, 'Existing', existingSecretArn),
  }));

  it('creates no secret', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('gives the receiver its ARN', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [ENV_VARS.tokenSecretId]: existingSecretArn } },
    });
  });

  it('lets the receiver read exactly that ARN, without a wildcard suffix', () => {
    const grants = grantsOf(statementsOfRole(template, roleOf(webhooks.ingest.receiver)));
    expect(grants.filter((line) => line.startsWith('secretsmanager:'))).toEqual([
      `secretsmanager:DescribeSecret on "${existingSecretArn}"`,
      `secretsmanager:GetSecretValue on "${existingSecretArn}"`,
    ]);
  });
});

describe('token secret imported with the stack tokenSecretArn prop', () => {
  it('creates no secret and gives the receiver that ARN', () => {
    const { template } = synthStack({ tokenSecretArn: existingSecretArn });
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [ENV_VARS.tokenSecretId]: existingSecretArn } },
    });
  });

  it('rejects a partial ARN, which would need a wildcard in the policy', () => {
    const partialArn = existingSecretArn.replace(/-AbCdEf$/, '');
    expect(() => synthStack({ tokenSecretArn: partialArn })).toThrow(/complete ARN/);
  });

  it('rejects tokenSecretArn together with webhooks.tokenSecret', () => {
    expect(() =>
      synthStack({
        tokenSecretArn: existingSecretArn,
        webhooks: {
          tokenSecret: Secret.fromSecretCompleteArn(
            new Stack(new App(), 'Other'),
            'Other',
            existingSecretArn,
          ),
        },
      }),
    ).toThrow(/either tokenSecretArn or webhooks.tokenSecret/);
  });
});

describe('token secret encrypted with a customer-managed key', () => {
  const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const kmsGrants = (template: ReturnType<typeof synthStack>['template'], fn: IConstruct) =>
    statementsOfRole(template, fn).filter((statement) => JSON.stringify(statement.Action).includes('kms:'));

  it('lets the receiver decrypt it with that key, only through Secrets Manager', () => {
    const { webhooks, template } = synthStack({
      tokenSecretArn: existingSecretArn,
      tokenSecretKeyArn: keyArn,
    });
    expect(kmsGrants(template, roleOf(webhooks.ingest.receiver))).toEqual([
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: keyArn,
        Condition: {
          StringEquals: {
            'kms:ViaService': {
              'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
            },
          },
        },
      },
    ]);
  });

  it('takes the key as the tokenSecretEncryptionKey prop of the construct too', () => {
    const { webhooks, template } = synthWebhooks((stack) => ({
      tokenSecret: Secret.fromSecretCompleteArn(stack, 'Existing', existingSecretArn),
      tokenSecretEncryptionKey: Key.fromKeyArn(stack, 'Key', keyArn),
    }));
    expect(grantsOf(kmsGrants(template, roleOf(webhooks.ingest.receiver)))).toEqual([
      `kms:Decrypt on "${keyArn}"`,
    ]);
  });

  it('grants the processor nothing on it', () => {
    const { webhooks, template } = synthStack({
      tokenSecretArn: existingSecretArn,
      tokenSecretKeyArn: keyArn,
    });
    expect(kmsGrants(template, roleOf(webhooks.processing.processor))).toEqual([]);
  });

  it('grants no KMS use without it', () => {
    const { webhooks, template } = synthStack({ tokenSecretArn: existingSecretArn });
    expect(kmsGrants(template, roleOf(webhooks.ingest.receiver))).toEqual([]);
  });

  it('rejects tokenSecretKeyArn without tokenSecretArn', () => {
    expect(() => synthStack({ tokenSecretKeyArn: keyArn })).toThrow(/pass tokenSecretArn too/);
  });

  it('rejects an alias instead of a key ARN', () => {
    expect(() =>
      synthStack({
        tokenSecretArn: existingSecretArn,
        tokenSecretKeyArn: 'arn:aws:kms:eu-west-1:123456789012:alias/token',
      }),
    ).toThrow(/must be a KMS key ARN/);
  });
});
