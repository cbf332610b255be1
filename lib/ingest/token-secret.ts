import { SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { PLACEHOLDER_TOKEN } from '../../lambdas/contract';

/** `TokenSecret` in `scope`: a secret holding the placeholder, which the operator then overwrites. */
export function createPlaceholderSecret(scope: Construct): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, 'TokenSecret', {
    description:
      'Smartcar Application Management Token (Dashboard > Configuration) used to verify webhook ' +
      'signatures. Replace the placeholder: aws secretsmanager put-secret-value --secret-id <this ' +
      "secret's name> --secret-string <token>",
    // Not a secret: a well-known marker the receiver refuses to run with, so a deploy that skipped
    // storing the real token fails loudly. The real token never passes through CloudFormation.
    secretStringValue: SecretValue.unsafePlainText(PLACEHOLDER_TOKEN),
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The Application Management Token is issued by Smartcar and rotated in its Dashboard, which ' +
      'no rotation Lambda can call; see the rotation procedure in the README.',
  });
  return secret;
}

/**
 * Lets `receiver` read the secret, whose ARN (never its value) it is told: it reads the token at
 * run time and caches it. The same permission covers the AWSPREVIOUS version used during the
 * rotation grace period. `key` is the customer-managed key of an imported secret.
 */
export function grantTokenSecret(
  receiver: lambda.IFunction,
  secret: secretsmanager.ISecret,
  key: kms.IKey | undefined,
): void {
  secret.grantRead(receiver);
  if (key === undefined) return;
  // What Secret.grantRead adds for a secret that knows its key: Decrypt, only through Secrets
  // Manager in this region, so the role cannot use the key for anything else. Written out because
  // key.grantDecrypt() on an imported key with a via-service principal silently adds nothing.
  receiver.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(receiver).region}.amazonaws.com` },
      },
    }),
  );
}
