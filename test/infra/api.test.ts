import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SmartcarWebhooksStack } from '../../lib/smartcar-webhooks-stack';
import { API_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { ROUTES } from '../../lambdas/contract';
import { arnOf, propertiesOf, ref, synthWebhooks } from './synth';

describe('HTTP API', () => {
  const { webhooks, template } = synthWebhooks();
  const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
  const routeKeys = routes.map((route) => route.Properties.RouteKey);

  it('is an HTTP API without the automatic default stage', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
  });

  it('routes only POST on the webhook path and GET /health', () => {
    expect(routeKeys.sort()).toEqual([`GET ${ROUTES.healthPath}`, `POST ${ROUTES.webhookPath}`]);
  });

  it('has no catch-all route: no ANY, no {proxy+}, no $default', () => {
    for (const key of routeKeys) {
      expect(key).not.toMatch(/^ANY |\{proxy\+\}|^\$default$/);
    }
  });

  it('sends both routes to the receiver with payload format 2.0', () => {
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    expect(Object.values(integrations)).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          ApiId: ref(webhooks.ingest.api),
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: arnOf(webhooks.ingest.receiver),
          PayloadFormatVersion: '2.0',
        }),
      }),
    ]);
    const target = { 'Fn::Join': ['', ['integrations/', { Ref: Object.keys(integrations)[0] }]] };
    for (const route of routes) expect(route.Properties.Target).toEqual(target);
  });

  it.each([ROUTES.webhookPath, ROUTES.healthPath])(
    'lets API Gateway invoke the receiver through %s',
    (path) => {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        FunctionName: arnOf(webhooks.ingest.receiver),
        SourceArn: { 'Fn::Join': ['', Match.arrayWith([ref(webhooks.ingest.api), `/*/*${path}`])] },
      });
    },
  );

  it('grants API Gateway no other way to invoke the receiver', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 2);
  });

  it('deploys one auto-deployed $default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: ref(webhooks.ingest.api),
      StageName: '$default',
      AutoDeploy: true,
    });
  });

  it('throttles the stage with the default rate and burst limits', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: {
        ThrottlingRateLimit: API_DEFAULTS.throttleRateLimit,
        ThrottlingBurstLimit: API_DEFAULTS.throttleBurstLimit,
      },
    });
  });

  it('writes JSON access logs with the fields needed to trace a delivery', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: {
        DestinationArn: arnOf(webhooks.ingest.accessLogGroup),
        // Exactly these: each field is paid on every request.
        Format: Match.serializedJson({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          routeKey: '$context.routeKey',
          status: '$context.status',
          integrationLatency: '$context.integrationLatency',
          integrationError: '$context.integrationErrorMessage',
        }),
      },
    });
  });

  it('names the access log group under /aws/vendedlogs/, outside the size-capped logs resource policy', () => {
    const name = propertiesOf(template, webhooks.ingest.accessLogGroup).LogGroupName;
    expect(name).toMatch(/^\/aws\/vendedlogs\/apigateway\/[A-Za-z0-9-]+-access$/);
  });

  it('gives two stacks in one account different access log group names', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stacks = ['Staging', 'Production'].map((id) => new SmartcarWebhooksStack(app, id));
    const names = stacks.map(
      (stack) => propertiesOf(Template.fromStack(stack), stack.webhooks.ingest.accessLogGroup).LogGroupName,
    );
    expect(new Set(names).size).toBe(2);
  });

  it('keeps access logs for 30 days', () => {
    expect(propertiesOf(template, webhooks.ingest.accessLogGroup)).toMatchObject({
      RetentionInDays: 30,
    });
  });
});
