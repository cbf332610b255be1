#!/usr/bin/env node
/**
 * The CDK app. Context (`cdk deploy -c key=value`), read and checked by lib/context-settings.ts
 * (which the local emulator's `npm start -- -c key=value` shares):
 * - `tokenSecretArn`: complete ARN of an existing secret holding the Application Management Token
 * - `tokenSecretKeyArn`: ARN of the customer-managed KMS key that secret is encrypted with, if any
 * - `alarmEmail`: address subscribed to the paging alarm topic (not the informational one)
 * - `stackName`: default 'SmartcarWebhooks'
 * - `webhookPath`: default '/webhooks/smartcar'
 * - `latestState`: `true` creates the latest-state table (out-of-order protection); `true` or `false`
 * - `appEntry`: path of the module exporting your `app` (a WebhookApp), default lambdas/app/index.ts
 * Any other key is refused, unless it is the CDK's own (feature flags, `aws:cdk:…`, cached lookups).
 */
import { App } from 'aws-cdk-lib';
import { type AppContext, ContextError, readAppContext } from '../lib/context-settings';
import { SmartcarWebhooksStack } from '../lib/smartcar-webhooks-stack';

const app = new App();

let context: AppContext;
try {
  context = readAppContext(app.node.getAllContext());
} catch (error) {
  if (!(error instanceof ContextError)) throw error;
  // The message alone, without a stack trace: it says which key is wrong and what it takes.
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

new SmartcarWebhooksStack(app, context.stackName ?? 'SmartcarWebhooks', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  tokenSecretArn: context.tokenSecretArn,
  tokenSecretKeyArn: context.tokenSecretKeyArn,
  webhooks: {
    alarmEmail: context.alarmEmail,
    webhookPath: context.webhookPath,
    latestState: context.latestState,
    appEntry: context.appEntry,
  },
});
