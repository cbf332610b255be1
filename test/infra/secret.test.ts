import { App, Stack } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { ENV_VARS, PLACEHOLDER_TOKEN } from '../../lib/smartcar-webhooks-defaults';
import { grantsOf, statementsOfRole } from './iam';
import { propertiesOf, roleOf, synthStack, synthWebhooks } from './synth';

const existingSecretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:smartcar/token-AbCdEf';

describe('token secret created by the construct', () => {
  const { webhooks, template } = synthWebhooks();

  it('holds the placeholder the receiver refuses to run with', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(propertiesOf(template, webhooks.tokenSecret)).toMatchObject({ SecretString: PLACEHOLDER_TOKEN });
  });

  it('tells in its description how to store the real token', () => {
    expect(propertiesOf(template, webhooks.tokenSecret).Description).toMatch(/put-secret-value/);
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
    const grants = grantsOf(statementsOfRole(template, roleOf(webhooks.receiver)));
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
