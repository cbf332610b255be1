import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

/** An SNS topic that only TLS clients and this account's CloudWatch alarms may publish to. */
export function createAlarmTopic(scope: Construct, id: string, displayName: string): sns.Topic {
  const topic = new sns.Topic(scope, id, { displayName, enforceSSL: true });
  // enforceSSL gives the topic a resource policy, which replaces SNS's default one; without this
  // statement CloudWatch is "not authorized to perform: SNS:Publish" and alarms notify nobody.
  const stack = Stack.of(scope);
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ArnLike: {
          'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
        },
      },
    }),
  );
  return topic;
}

/** Subscribes `email` to `topic`; SNS emails a confirmation link first. */
export function subscribeEmail(topic: sns.Topic, email: string): void {
  const subscription = topic.addSubscription(new EmailSubscription(email));
  Validations.of(subscription).acknowledge({
    id: 'Serverless-SNSRedrivePolicy',
    reason:
      'An alarm email that cannot be delivered would wait in a queue nobody reads; the alarm state ' +
      'stays in CloudWatch and the other subscribers of the topic are unaffected.',
  });
}
