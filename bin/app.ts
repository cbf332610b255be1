#!/usr/bin/env node
/**
 * The CDK app. Context (`cdk deploy -c key=value`):
 * - `tokenSecretArn`: complete ARN of an existing secret holding the Application Management Token
 * - `tokenSecretKeyArn`: ARN of the customer-managed KMS key that secret is encrypted with, if any
 * - `alarmEmail`: address subscribed to the paging alarm topic (not the informational one)
 * - `stackName`: default 'SmartcarWebhooks'
 * - `webhookPath`: default '/webhooks/smartcar'
 * - `latestState`: 'true' creates the latest-state table (out-of-order protection)
 * - `appEntry`: path of the module exporting your `app` (a WebhookApp), default lambdas/app/index.ts
 */
import { App } from 'aws-cdk-lib';
import { SmartcarWebhooksStack } from '../lib/smartcar-webhooks-stack';

const app = new App();

/** A context value as a string, or undefined when it is absent or empty. */
function context(key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new Error(`Context value "${key}" must be a string; got ${JSON.stringify(value)}.`);
  }
  return value;
}

new SmartcarWebhooksStack(app, context('stackName') ?? 'SmartcarWebhooks', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  tokenSecretArn: context('tokenSecretArn'),
  tokenSecretKeyArn: context('tokenSecretKeyArn'),
  webhooks: {
    alarmEmail: context('alarmEmail'),
    webhookPath: context('webhookPath'),
    latestState: context('latestState') === 'true',
    appEntry: context('appEntry'),
  },
});
