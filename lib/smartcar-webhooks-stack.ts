import { CfnOutput, Stack, type StackProps, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { STACK_OUTPUTS } from '../lambdas/contract';
import { DEFAULT_WEBHOOKS_ID, SmartcarWebhooks, type SmartcarWebhooksProps } from './smartcar-webhooks';

/** Properties of {@link SmartcarWebhooksStack}. */
export interface SmartcarWebhooksStackProps extends StackProps {
  /**
   * Settings of the webhook pattern.
   * @default - the construct's defaults
   */
  readonly webhooks?: SmartcarWebhooksProps;
  /**
   * Complete ARN (with the six-character suffix Secrets Manager appends) of an existing secret that
   * holds the Application Management Token. A prop of the stack rather than of `webhooks` because
   * importing a secret needs a scope inside this stack. Cannot be combined with `webhooks.tokenSecret`.
   * @default - use `webhooks.tokenSecret`, or let the construct create a placeholder secret
   */
  readonly tokenSecretArn?: string;
  /**
   * ARN of the customer-managed KMS key the imported token secret is encrypted with; the receiver is
   * granted `kms:Decrypt` on it through Secrets Manager. Only with `tokenSecretArn`.
   * @default - the secret uses the AWS-managed `aws/secretsmanager` key
   */
  readonly tokenSecretKeyArn?: string;
}

/** One stack holding {@link SmartcarWebhooks}, with the outputs needed to finish the setup. */
export class SmartcarWebhooksStack extends Stack {
  /** The webhook pattern this stack deploys. */
  readonly webhooks: SmartcarWebhooks;

  constructor(scope: Construct, id: string, props: SmartcarWebhooksStackProps = {}) {
    super(scope, id, props);
    this.webhooks = new SmartcarWebhooks(this, DEFAULT_WEBHOOKS_ID, {
      ...props.webhooks,
      tokenSecret: this.importTokenSecret(props) ?? props.webhooks?.tokenSecret,
      tokenSecretEncryptionKey: this.importTokenSecretKey(props) ?? props.webhooks?.tokenSecretEncryptionKey,
    });

    const { ingest, processing, monitoring } = this.webhooks;
    new CfnOutput(this, STACK_OUTPUTS.webhookUrl, {
      value: ingest.webhookUrl,
      description: 'Paste into the Smartcar Dashboard as the webhook callback URI.',
    });
    new CfnOutput(this, STACK_OUTPUTS.tokenSecretName, {
      value: ingest.tokenSecret.secretName,
      description:
        'Store your Application Management Token here before verifying the webhook: ' +
        'aws secretsmanager put-secret-value --secret-id <this value> --secret-string <token>',
    });
    new CfnOutput(this, STACK_OUTPUTS.queueName, {
      value: processing.queue.queueName,
      description: 'Queue of verified deliveries; its age metric shows whether processing keeps up.',
    });
    new CfnOutput(this, STACK_OUTPUTS.deadLetterQueueName, {
      value: processing.deadLetterQueue.queueName,
      description:
        'Deliveries that failed processing; inspect them, fix the cause, then "Start DLQ redrive" in the SQS console.',
    });
    new CfnOutput(this, STACK_OUTPUTS.alarmTopicArn, {
      value: monitoring.alarms.pagingTopic.topicArn,
      description:
        'Subscribe to this SNS topic (email, chat, pager) to hear about failing, dead-lettered or stuck deliveries.',
    });
    new CfnOutput(this, STACK_OUTPUTS.informationalTopicArn, {
      value: monitoring.alarms.informationalTopic.topicArn,
      description:
        'Subscribe a channel that does not page to this SNS topic: informational alarms such as an answered VERIFY.',
    });
    new CfnOutput(this, STACK_OUTPUTS.dashboardName, {
      value: monitoring.dashboard.dashboardName,
      description:
        'CloudWatch dashboard of requests, latency, queues and processing: CloudWatch console > Dashboards.',
    });
    const { archive } = this.webhooks;
    if (archive !== undefined) {
      new CfnOutput(this, STACK_OUTPUTS.archiveBucketName, {
        value: archive.bucket.bucketName,
        description:
          'S3 bucket of the delivery archive: events/ holds every delivery (npm run cli -- events / replay).',
      });
      new CfnOutput(this, STACK_OUTPUTS.archiveDatabaseName, {
        value: archive.database.databaseName,
        description: 'Glue database of the archive; its table "deliveries" is what Athena queries.',
      });
      new CfnOutput(this, STACK_OUTPUTS.archiveWorkgroupName, {
        value: archive.workgroup.ref,
        description: 'Athena workgroup for the archive, with its saved queries and a scan limit.',
      });
    }
  }

  private importTokenSecretKey(props: SmartcarWebhooksStackProps): kms.IKey | undefined {
    const arn = props.tokenSecretKeyArn;
    if (arn === undefined) return undefined;
    if (props.tokenSecretArn === undefined) {
      throw new Error(
        'tokenSecretKeyArn is the key of an imported token secret: pass tokenSecretArn too. A secret the ' +
          'stack creates uses the AWS-managed key.',
      );
    }
    if (!Token.isUnresolved(arn) && !/^arn:[^:]+:kms:[^:]+:\d{12}:key\/[0-9a-f-]{36}$/.test(arn)) {
      throw new Error(
        `tokenSecretKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias; ` +
          `got "${arn}". Find it with \`aws secretsmanager describe-secret --secret-id <name> --query KmsKeyId\`.`,
      );
    }
    return kms.Key.fromKeyArn(this, 'ImportedTokenSecretKey', arn);
  }

  private importTokenSecret(props: SmartcarWebhooksStackProps): secretsmanager.ISecret | undefined {
    const arn = props.tokenSecretArn;
    if (arn === undefined) return undefined;
    if (props.webhooks?.tokenSecret !== undefined) {
      throw new Error('Pass either tokenSecretArn or webhooks.tokenSecret, not both.');
    }
    // A partial ARN would force a `-??????` wildcard into the receiver's IAM policy.
    if (
      !Token.isUnresolved(arn) &&
      !/^arn:[^:]+:secretsmanager:[^:]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/.test(arn)
    ) {
      throw new Error(
        `tokenSecretArn must be a secret's complete ARN, ending in the six characters Secrets Manager ` +
          `appends (…:secret:my-token-AbCdEf); got "${arn}". Find it with ` +
          '`aws secretsmanager describe-secret --secret-id <name> --query ARN`.',
      );
    }
    return secretsmanager.Secret.fromSecretCompleteArn(this, 'ImportedTokenSecret', arn);
  }
}
