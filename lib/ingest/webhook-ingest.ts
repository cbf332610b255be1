import { type Duration, Names, Validations } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { RECEIVER_ENVIRONMENT, ROUTES, SERVICE_NAMES } from '../../lambdas/contract';
import type { WebhookArchive } from '../archive/webhook-archive';
import { RECEIVER_DEFAULTS } from '../smartcar-webhooks-defaults';
import { acknowledgeKeyWildcards } from '../shared/encryption';
import { environmentText, powertoolsConfig } from '../shared/function-environment';
import type { SharedSettings } from '../shared/shared-settings';
import { createWebhookFunction, DEFERRED_MODULES } from '../shared/webhook-function';
import { createPlaceholderSecret, grantTokenSecret } from './token-secret';

/** What {@link WebhookIngest} creates, with the construct's defaults already applied. */
export interface WebhookIngestProps {
  /** Log groups, tracing and log sampling. */
  readonly shared: SharedSettings;
  /** Where the receiver puts verified deliveries. */
  readonly queue: sqs.IQueue;
  /**
   * An existing secret holding the Application Management Token.
   * @default - a new secret holding the placeholder, which the operator then overwrites
   */
  readonly tokenSecret?: secretsmanager.ISecret;
  /**
   * The customer-managed key an imported `tokenSecret` is encrypted with.
   * @default - the secret uses the AWS-managed key, which needs no grant
   */
  readonly tokenSecretEncryptionKey?: kms.IKey;
  /** Path of the POST route. */
  readonly webhookPath: string;
  /** Stage-wide throttling, in requests per second. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** The receiver's timeout. */
  readonly timeout: Duration;
  /** Largest request body, in bytes, the receiver accepts. */
  readonly maxBodyBytes: number;
  /** Deliveries signed longer ago than this are refused as replays; 0 turns the check off. */
  readonly replayTolerance: Duration;
  /** How long after a rotation the previous token is still accepted; 0 never. */
  readonly tokenRotationGracePeriod: Duration;
  /**
   * Where and how fast the receiver keeps refused Smartcar-shaped deliveries.
   * @default - no quarantine
   */
  readonly quarantine?: ReceiverQuarantine;
}

/** The quarantine as the receiver uses it: the archive it writes to and its write bound. */
export interface ReceiverQuarantine {
  /** The archive whose bucket holds the quarantine; the receiver may write its deliveries prefix only. */
  readonly archive: WebhookArchive;
  /** Sustained quarantine writes per second per receiver execution environment. */
  readonly writesPerSecond: number;
  /** Quarantine writes at once per receiver execution environment before the rate applies. */
  readonly burst: number;
}

const RECEIVER_ENTRY = path.join(__dirname, '..', '..', 'lambdas', 'receiver', 'index.ts');

/**
 * The ingest stage: the HTTP API that routes `POST <webhookPath>` and `GET /health` to the
 * receiver, its access-logged and throttled stage, and the receiver, which checks each delivery's
 * signature with the token from the secret and enqueues it.
 */
export class WebhookIngest extends Construct {
  /** Secret holding the Application Management Token, created or imported. */
  readonly tokenSecret: secretsmanager.ISecret;
  /** Checks signatures, answers VERIFY challenges and enqueues deliveries. */
  readonly receiver: nodejs.NodejsFunction;
  /** Access log group of {@link stage}. */
  readonly accessLogGroup: logs.LogGroup;
  /** The HTTP API. */
  readonly api: apigwv2.HttpApi;
  /** The API's `$default` stage, throttled and access-logged. */
  readonly stage: apigwv2.HttpStage;
  /** Full URL to paste into the Smartcar Dashboard as the webhook callback URI. */
  readonly webhookUrl: string;

  constructor(scope: Construct, id: string, props: WebhookIngestProps) {
    super(scope, id);
    this.tokenSecret = props.tokenSecret ?? createPlaceholderSecret(this);
    this.receiver = createWebhookFunction(this, 'Receiver', props.shared, {
      entry: RECEIVER_ENTRY,
      description: 'Verifies Smartcar webhook signatures and enqueues deliveries',
      timeout: props.timeout,
      memorySize: RECEIVER_DEFAULTS.memorySizeMb,
      deferredModules: DEFERRED_MODULES.receiver,
      environment: RECEIVER_ENVIRONMENT.write(
        {
          ...powertoolsConfig(SERVICE_NAMES.receiver, props.shared),
          queueUrl: props.queue.queueUrl,
          tokenSecretId: this.tokenSecret.secretArn,
          maxBodyBytes: props.maxBodyBytes,
          replayToleranceSeconds: props.replayTolerance.toSeconds(),
          tokenRotationGraceSeconds: props.tokenRotationGracePeriod.toSeconds(),
          quarantineBucketName: props.quarantine?.archive.bucket.bucketName,
          quarantineWritesPerSecond: props.quarantine?.writesPerSecond,
          quarantineBurst: props.quarantine?.burst,
        },
        environmentText,
      ),
    });
    Validations.of(this.receiver).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'API Gateway invokes the receiver synchronously, and a dead-letter target only catches ' +
        'asynchronous invocations. A failed request is answered 5xx, and Smartcar retries it.',
    });
    props.queue.grantSendMessages(this.receiver);
    acknowledgeKeyWildcards(this.receiver, props.queue.encryptionMasterKey);
    grantTokenSecret(this.receiver, this.tokenSecret, props.tokenSecretEncryptionKey);
    props.quarantine?.archive.grantQuarantineWrite(this.receiver);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      // API Gateway lists every access log group in one account-wide CloudWatch Logs resource policy
      // capped at 5,120 characters, unless the name is under /aws/vendedlogs/, which one wildcard
      // covers; retained groups with generated names fill it until a deploy fails "Cannot enable logging".
      logGroupName: `/aws/vendedlogs/apigateway/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}-access`,
      retention: props.shared.logRetention,
      removalPolicy: props.shared.removalPolicy,
    });
    // HTTP API rather than REST API: about $1.00 instead of $3.50 per million requests and lower
    // latency. REST's extras (WAF, API keys, request validation) add little here, because the
    // receiver HMAC-authenticates every delivery before anything is enqueued. HTTP APIs have no
    // X-Ray tracing either (only REST APIs do), so traces start at the receiver.
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Smartcar webhook endpoint',
      createDefaultStage: false,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: ACCESS_LOG_FORMAT,
      },
    });
    this.addRoutes(props.webhookPath);
    this.webhookUrl = joinUrl(this.stage.url, props.webhookPath);
  }

  /** Only these two routes: anything else gets API Gateway's 404 without invoking the receiver. */
  private addRoutes(webhookPath: string): void {
    const integration = new HttpLambdaIntegration('ReceiverIntegration', this.receiver, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    const routes = [
      ...this.api.addRoutes({ path: webhookPath, methods: [apigwv2.HttpMethod.POST], integration }),
      ...this.api.addRoutes({ path: ROUTES.healthPath, methods: [apigwv2.HttpMethod.GET], integration }),
    ];
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Smartcar cannot send credentials; every delivery is authenticated by its HMAC SC-Signature ' +
          'in the receiver, and /health reveals nothing.',
      });
    }
  }
}

/**
 * Access log line: JSON, so CloudWatch Logs Insights can query each field. Every request writes
 * one and is billed by the byte, so it holds only what the runbook reads: the request id, the
 * caller, the route, the answer, the integration's latency and error. Its time is the @timestamp.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    ip: AccessLogField.contextIdentitySourceIp(),
    routeKey: AccessLogField.contextRouteKey(),
    status: AccessLogField.contextStatus(),
    integrationLatency: AccessLogField.contextIntegrationLatency(),
    integrationError: AccessLogField.contextIntegrationErrorMessage(),
  }),
);

/** Joins a base URL and a path with exactly one slash between them; works on token strings. */
function joinUrl(base: string, urlPath: string): string {
  return `${base.replace(/\/+$/, '')}/${urlPath.replace(/^\/+/, '')}`;
}
