import { Match } from 'aws-cdk-lib/assertions';
import { ROUTES } from '../../lambdas/contract';
import { ref, synthStack } from './synth';

describe('stack outputs', () => {
  const { stack, webhooks, template } = synthStack();

  it('give the full webhook URL: the stage URL joined to the path with one slash', () => {
    template.hasOutput('WebhookUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            ref(webhooks.ingest.api),
            '.execute-api.',
            { Ref: 'AWS::Region' },
            '.',
            { Ref: 'AWS::URLSuffix' },
            ROUTES.webhookPath,
          ],
        ],
      },
    });
  });

  it('expose the same URL as the construct', () => {
    expect(template.toJSON().Outputs.WebhookUrl.Value).toEqual(stack.resolve(webhooks.ingest.webhookUrl));
  });

  it('name the token secret', () => {
    template.hasOutput('TokenSecretName', { Value: stack.resolve(webhooks.ingest.tokenSecret.secretName) });
  });

  it('name the queue', () => {
    template.hasOutput('QueueName', { Value: stack.resolve(webhooks.processing.queue.queueName) });
  });

  it('name the dead-letter queue', () => {
    template.hasOutput('DeadLetterQueueName', {
      Value: stack.resolve(webhooks.processing.deadLetterQueue.queueName),
    });
  });

  it('give the paging topic ARN as the alarm topic', () => {
    template.hasOutput('AlarmTopicArn', { Value: ref(webhooks.monitoring.alarms.pagingTopic) });
  });

  it('give the informational topic ARN', () => {
    template.hasOutput('InformationalTopicArn', {
      Value: ref(webhooks.monitoring.alarms.informationalTopic),
    });
  });

  it('name the dashboard', () => {
    template.hasOutput('DashboardName', { Value: ref(webhooks.monitoring.dashboard) });
  });

  it.each([
    'WebhookUrl',
    'TokenSecretName',
    'QueueName',
    'DeadLetterQueueName',
    'AlarmTopicArn',
    'InformationalTopicArn',
    'DashboardName',
  ])('describe what to do with %s', (name) => {
    template.hasOutput(name, { Description: Match.stringLikeRegexp('.{20,}') });
  });

  it('name an imported secret by the name in its ARN', () => {
    const imported = synthStack({
      tokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:smartcar-token-AbCdEf',
    });
    imported.template.hasOutput('TokenSecretName', { Value: 'smartcar-token' });
  });
});
