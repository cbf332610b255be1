import * as path from 'node:path';
import { Duration, Names, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  ENV_VARS,
  IDEMPOTENCY_TABLE,
  LATEST_STATE_TABLE,
  METRICS,
  PLACEHOLDER_TOKEN,
  ROUTES,
  SERVICE_NAMES,
} from '../lambdas/contract';
import { PROCESSOR_DEFAULTS, RECEIVER_DEFAULTS } from './smartcar-webhooks-defaults';
import { resolveSettings, type Settings } from './smartcar-webhooks-settings';
import type { WebhookAlarmThresholds } from './monitoring/alarm-thresholds';
import { WebhookAlarms } from './monitoring/webhook-alarms';
import { WebhookDashboard } from './monitoring/webhook-dashboard';

export type { WebhookAlarmThresholds } from './monitoring/alarm-thresholds';

/** Properties of {@link SmartcarWebhooks}. Every one is optional; the defaults are production-ready. */
export interface SmartcarWebhooksProps {
  /**
   * Path Smartcar posts deliveries to, appended to the API URL. A literal path: no `{param}`.
   * @default ROUTES.webhookPath
   */
  readonly webhookPath?: string;
  /**
   * An existing secret holding the Application Management Token. Import it with
   * `Secret.fromSecretCompleteArn` so the receiver's policy names the exact ARN.
   * @default - a new secret holding PLACEHOLDER_TOKEN, which you then overwrite
   */
  readonly tokenSecret?: secretsmanager.ISecret;
  /**
   * The customer-managed KMS key an imported `tokenSecret` is encrypted with. The receiver is granted
   * `kms:Decrypt` on it, through Secrets Manager only; without it, such a secret cannot be read and
   * every delivery is answered 503. Not needed for the default `aws/secretsmanager` key.
   * @default - the secret uses the AWS-managed key, which needs no grant
   */
  readonly tokenSecretEncryptionKey?: kms.IKey;
  /**
   * Receives before SQS moves a delivery to the dead-letter queue (1-1000).
   * @default PROCESSOR_DEFAULTS.maxReceiveCount
   */
  readonly maxReceiveCount?: number;
  /**
   * Deliveries per processor invocation (1-10).
   * @default PROCESSOR_DEFAULTS.batchSize
   */
  readonly batchSize?: number;
  /**
   * Concurrent processor invocations the queue may drive (2-1000). Bounded so that draining a
   * backlog or a redrive cannot take the account's concurrency from the receiver.
   * @default PROCESSOR_DEFAULTS.maxConcurrency
   */
  readonly maxConcurrency?: number;
  /**
   * Processor timeout; the queue's visibility timeout is this times
   * PROCESSOR_DEFAULTS.visibilityTimeoutMultiplier.
   * @default Duration.seconds(PROCESSOR_DEFAULTS.timeoutSeconds)
   */
  readonly processorTimeout?: Duration;
  /**
   * Receiver timeout. At most 30 s, HTTP API's integration limit; Smartcar itself waits 15 s.
   * @default Duration.seconds(RECEIVER_DEFAULTS.timeoutSeconds)
   */
  readonly receiverTimeout?: Duration;
  /**
   * Largest request body, in bytes, the receiver accepts (1-262144, SQS's message limit).
   * @default RECEIVER_DEFAULTS.maxBodyBytes
   */
  readonly maxBodyBytes?: number;
  /**
   * How long a processed event id is remembered, so a redelivery is skipped.
   * @default Duration.seconds(IDEMPOTENCY_DEFAULTS.expirySeconds)
   */
  readonly idempotencyExpiry?: Duration;
  /**
   * Stage-wide throttling, in requests per second.
   * @default { rateLimit: API_DEFAULTS.throttleRateLimit, burstLimit: API_DEFAULTS.throttleBurstLimit }
   */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Alarm when the oldest delivery waiting in the main queue is older than this.
   * @default Duration.seconds(ALARM_DEFAULTS.queueAgeSeconds)
   * @deprecated Use `alarms.queueAge`; giving both is an error.
   */
  readonly queueAgeAlarmThreshold?: Duration;
  /**
   * Alarm thresholds that override the defaults (queue age, dead-letter queue growth window, 5xx
   * rate, signature failures, receiver p99 duration).
   * @default - every threshold's default, see {@link WebhookAlarmThresholds}
   */
  readonly alarms?: WebhookAlarmThresholds;
  /**
   * Email address subscribed to the alarm topic. SNS emails a confirmation link first.
   * @default - no subscription; subscribe to `alarmTopic` yourself
   */
  readonly alarmEmail?: string;
  /**
   * What happens to the idempotency table and the three log groups when they leave the stack.
   * RETAIN keeps the audit trail and the dedup records after a mistaken `cdk destroy`; the table
   * expires its items by TTL and the log groups their events after a month, so little is left to
   * pay for. Use DESTROY for throwaway environments.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How long the two function log groups and the API access log group keep events.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * X-Ray active tracing on both functions. The HTTP API itself cannot be traced (only REST APIs
   * can), so a trace starts at the receiver.
   * @default true
   */
  readonly tracing?: boolean;
  /**
   * A customer-managed KMS key for both queues and the idempotency table. The receiver and the
   * processor are granted its use; the key's policy must let this account's IAM policies grant it
   * (the default key policy does).
   * @default - SQS-managed encryption (SSE-SQS) for the queues, the AWS-managed key for the table
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Deliveries whose signed `meta.deliveredAt` is older than this are refused (400) as replays;
   * `Duration.seconds(0)` turns the check off. Smartcar retries for about 3 minutes.
   * @default Duration.seconds(RECEIVER_DEFAULTS.replayToleranceSeconds) (1 hour)
   */
  readonly replayTolerance?: Duration;
  /**
   * After the token secret's current version was created, signatures made with the previous
   * version (AWSPREVIOUS) are still accepted this long; `Duration.seconds(0)` never accepts them.
   * @default Duration.seconds(RECEIVER_DEFAULTS.tokenRotationGraceSeconds) (1 hour)
   */
  readonly tokenRotationGracePeriod?: Duration;
  /**
   * Share of invocations (0 to 1) that log at DEBUG level, for a sample of detail without the cost.
   * @default 0.01
   */
  readonly debugLogSampleRate?: number;
  /**
   * Create the latest-state table: each vehicle's newest value per signal, written with conditional
   * updates so that an event arriving late never overwrites newer data (out-of-order protection).
   * @default false
   */
  readonly latestState?: boolean;
}

/**
 * esbuild settings for both functions. `externalModules: []` bundles AWS SDK v3 as well, so the
 * SDK version the tests ran against is the one that ships, not whatever the runtime provides.
 */
const BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  format: nodejs.OutputFormat.CJS,
  mainFields: ['module', 'main'],
  externalModules: [],
};

/** The DynamoDB calls Powertools' idempotency persistence layer makes, and nothing more. */
const IDEMPOTENCY_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

/** What CDK's read and write grants on a table add for its customer-managed key. */
const TABLE_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
] as const;

/** The calls of the latest-state store (lambdas/shared/latest-state): conditional writes and reads. */
const LATEST_STATE_TABLE_ACTIONS = ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query'] as const;

const LAMBDAS_DIR = path.join(__dirname, '..', 'lambdas');

/**
 * Receives Smartcar webhooks on AWS: an HTTP API routes `POST <webhookPath>` and `GET /health` to a
 * receiver that checks the signature and enqueues the delivery on SQS; a processor consumes the
 * queue with DynamoDB-backed idempotency; failures land in a dead-letter queue that alarms.
 */
export class SmartcarWebhooks extends Construct {
  /** The HTTP API. */
  readonly api: apigwv2.HttpApi;
  /** The API's `$default` stage, throttled and access-logged. */
  readonly stage: apigwv2.HttpStage;
  /** Access log group of {@link stage}. */
  readonly accessLogGroup: logs.LogGroup;
  /** Full URL to paste into the Smartcar Dashboard as the webhook callback URI. */
  readonly webhookUrl: string;
  /** Secret holding the Application Management Token, created or imported. */
  readonly tokenSecret: secretsmanager.ISecret;
  /** Checks signatures, answers VERIFY challenges and enqueues deliveries. */
  readonly receiver: nodejs.NodejsFunction;
  /** Consumes the queue and runs the event handlers, once per event id. */
  readonly processor: nodejs.NodejsFunction;
  /** Deliveries waiting for the processor. */
  readonly queue: sqs.Queue;
  /** Deliveries that failed `maxReceiveCount` times. */
  readonly deadLetterQueue: sqs.Queue;
  /** Powertools idempotency records, one per processed event id. */
  readonly idempotencyTable: dynamodb.Table;
  /** Each vehicle's newest value per signal, when `latestState` is on. */
  readonly latestStateTable?: dynamodb.Table;
  /** The customer-managed key of the queues and the table, when `encryptionKey` was given. */
  readonly encryptionKey?: kms.IKey;
  /** The alarms, their SNS topic and the access log's metric filter: `alarms.deadLetterQueueAlarm`, `alarms.topic`, … */
  readonly alarms: WebhookAlarms;
  /** Requests, latency, queues, processing and the custom metrics on one CloudWatch dashboard. */
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: SmartcarWebhooksProps = {}) {
    super(scope, id);
    const settings = resolveSettings(props);
    this.encryptionKey = props.encryptionKey;

    this.tokenSecret = props.tokenSecret ?? this.createPlaceholderSecret();
    this.deadLetterQueue = this.createDeadLetterQueue();
    this.queue = this.createQueue(settings);
    this.idempotencyTable = this.createIdempotencyTable(settings.removalPolicy);

    this.receiver = this.createFunction('Receiver', settings, {
      entry: path.join(LAMBDAS_DIR, 'receiver', 'index.ts'),
      description: 'Verifies Smartcar webhook signatures and enqueues deliveries',
      timeout: settings.receiverTimeout,
      memorySize: RECEIVER_DEFAULTS.memorySizeMb,
      serviceName: SERVICE_NAMES.receiver,
    });
    Validations.of(this.receiver).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'API Gateway invokes the receiver synchronously, and a dead-letter target only catches ' +
        'asynchronous invocations. A failed request is answered 5xx, and Smartcar retries it.',
    });
    this.receiver.addEnvironment(ENV_VARS.maxBodyBytes, String(settings.maxBodyBytes));
    this.receiver.addEnvironment(
      ENV_VARS.replayToleranceSeconds,
      String(settings.replayTolerance.toSeconds()),
    );
    this.connectReceiverToQueue();
    this.connectReceiverToSecret(settings.tokenRotationGracePeriod, props.tokenSecretEncryptionKey);

    this.processor = this.createFunction('Processor', settings, {
      entry: path.join(LAMBDAS_DIR, 'processor', 'index.ts'),
      description: 'Processes queued Smartcar webhook deliveries idempotently',
      timeout: settings.processorTimeout,
      memorySize: PROCESSOR_DEFAULTS.memorySizeMb,
      serviceName: SERVICE_NAMES.processor,
    });
    Validations.of(this.processor).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'The processor is invoked only by its SQS event source mapping; a failed delivery returns to ' +
        "the queue and, after maxReceiveCount receives, moves to the queue's dead-letter queue.",
    });
    this.connectProcessorToQueue(settings.batchSize, settings.maxConcurrency);
    this.connectProcessorToTable(settings.idempotencyExpiry);
    this.connectProcessorToDeadLetterQueue();
    if (settings.latestState)
      this.latestStateTable = this.connectProcessorToLatestState(settings.removalPolicy);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      // API Gateway lists every access log group in one account-wide CloudWatch Logs resource policy
      // capped at 5,120 characters, unless the name is under /aws/vendedlogs/, which one wildcard
      // covers; retained groups with generated names fill it until a deploy fails "Cannot enable logging".
      logGroupName: `/aws/vendedlogs/apigateway/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}-access`,
      retention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
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
      throttle: settings.throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: ACCESS_LOG_FORMAT,
      },
    });
    this.addRoutes(settings.webhookPath);
    this.webhookUrl = joinUrl(this.stage.url, settings.webhookPath);

    const monitored = {
      stage: this.stage,
      receiver: this.receiver,
      processor: this.processor,
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
    };
    this.alarms = new WebhookAlarms(this, 'Alarms', {
      ...monitored,
      maxReceiveCount: settings.maxReceiveCount,
      visibilityTimeout: settings.visibilityTimeout,
      accessLogGroup: this.accessLogGroup,
      thresholds: settings.alarms,
      alarmEmail: props.alarmEmail,
    });
    this.dashboard = new WebhookDashboard(this, 'Dashboard', {
      ...monitored,
      alarms: this.alarms.alarms,
    }).dashboard;
  }

  private createPlaceholderSecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'TokenSecret', {
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

  private createDeadLetterQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...this.queueEncryption(),
      enforceSSL: true,
      retentionPeriod: Duration.days(PROCESSOR_DEFAULTS.deadLetterRetentionDays),
      // ALLOW_ALL is what lets the console's "Start DLQ redrive" move messages back. BY_QUEUE naming
      // the main queue would need the main queue's ARN here while the main queue's redrive policy
      // needs this queue's ARN: a circular dependency.
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
    });
    Validations.of(queue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This is the dead-letter queue; its messages wait here for inspection and redrive.',
    });
    return queue;
  }

  private createQueue(settings: Settings): sqs.Queue {
    return new sqs.Queue(this, 'Queue', {
      ...this.queueEncryption(),
      enforceSSL: true,
      visibilityTimeout: settings.visibilityTimeout,
      retentionPeriod: Duration.days(PROCESSOR_DEFAULTS.queueRetentionDays),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
    });
  }

  private queueEncryption(): Pick<sqs.QueueProps, 'encryption' | 'encryptionMasterKey'> {
    return this.encryptionKey === undefined
      ? { encryption: sqs.QueueEncryption.SQS_MANAGED }
      : { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.encryptionKey };
  }

  private createIdempotencyTable(removalPolicy: RemovalPolicy): dynamodb.Table {
    return new dynamodb.Table(this, 'IdempotencyTable', {
      partitionKey: { name: IDEMPOTENCY_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: IDEMPOTENCY_TABLE.expiryAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...this.tableEncryption(),
      removalPolicy,
    });
  }

  private tableEncryption(): Pick<dynamodb.TableProps, 'encryption' | 'encryptionKey'> {
    return this.encryptionKey === undefined
      ? { encryption: dynamodb.TableEncryption.AWS_MANAGED }
      : { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: this.encryptionKey };
  }

  /**
   * A function with its own role and log group. The role gets no managed policy:
   * AWSLambdaBasicExecutionRole allows writing to every log group in the account (`Resource: *`).
   */
  private createFunction(id: string, settings: Settings, options: FunctionOptions): nodejs.NodejsFunction {
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the Smartcar webhook ${id.toLowerCase()}`,
    });
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
    logGroup.grantWrite(role);
    const fn = new nodejs.NodejsFunction(this, id, {
      entry: options.entry,
      handler: 'handler',
      description: options.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: options.memorySize,
      timeout: options.timeout,
      role,
      logGroup,
      tracing: settings.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      bundling: BUNDLING,
      environment: {
        [ENV_VARS.serviceName]: options.serviceName,
        [ENV_VARS.metricsNamespace]: METRICS.namespace,
        [ENV_VARS.logLevel]: 'INFO',
        [ENV_VARS.logSampleRate]: String(settings.debugLogSampleRate),
        // CDK emits source maps but does not turn them on; without this, stack traces point into
        // minified code.
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    if (settings.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only xray:PutTraceSegments and xray:PutTelemetryRecords, which CDK adds for active tracing: ' +
          'X-Ray has no resource to name (its actions support only "*").',
      });
    } else {
      Validations.of(fn).acknowledge({
        id: 'Serverless-LambdaTracing',
        reason: 'X-Ray tracing was turned off with the tracing prop.',
      });
    }
    return fn;
  }

  /**
   * The KMS grants that come with SQS and DynamoDB on a customer-managed key include
   * `kms:GenerateDataKey*` and `kms:ReEncrypt*`; they name only that key.
   */
  private acknowledgeKeyWildcards(fn: lambda.IFunction): void {
    if (this.encryptionKey === undefined || fn.role === undefined) return;
    const reason =
      "CDK's grant for the customer-managed key of the queues and table, on that key only: " +
      'GenerateDataKey* and ReEncrypt* cover the data-key variants SQS and DynamoDB call.';
    Validations.of(fn.role).acknowledge(
      { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason },
      { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason },
    );
  }

  private connectReceiverToQueue(): void {
    this.receiver.addEnvironment(ENV_VARS.queueUrl, this.queue.queueUrl);
    this.queue.grantSendMessages(this.receiver);
    this.acknowledgeKeyWildcards(this.receiver);
  }

  /**
   * The ARN, never the value: the receiver reads the token at run time and caches it. The same
   * read permission covers the AWSPREVIOUS version used during the rotation grace period.
   */
  private connectReceiverToSecret(rotationGracePeriod: Duration, key: kms.IKey | undefined): void {
    this.receiver.addEnvironment(ENV_VARS.tokenSecretId, this.tokenSecret.secretArn);
    this.receiver.addEnvironment(ENV_VARS.tokenRotationGraceSeconds, String(rotationGracePeriod.toSeconds()));
    this.tokenSecret.grantRead(this.receiver);
    if (key === undefined) return;
    // What Secret.grantRead adds for a secret that knows its key: Decrypt, only through Secrets
    // Manager in this region, so the role cannot use the key for anything else. Written out because
    // key.grantDecrypt() on an imported key with a via-service principal silently adds nothing.
    this.receiver.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }

  /** The event source grants the consume permissions itself (and kms:Decrypt on a customer key). */
  private connectProcessorToQueue(batchSize: number, maxConcurrency: number): void {
    this.processor.addEventSource(
      new SqsEventSource(this.queue, { batchSize, maxConcurrency, reportBatchItemFailures: true }),
    );
    Validations.of(this.processor).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS event source mappings take no on-failure destination (only stream and Kafka sources do); ' +
        "failed deliveries go to the queue's dead-letter queue through its redrive policy.",
    });
  }

  private connectProcessorToTable(expiry: Duration): void {
    this.processor.addEnvironment(ENV_VARS.idempotencyTableName, this.idempotencyTable.tableName);
    this.processor.addEnvironment(ENV_VARS.idempotencyExpirySeconds, String(expiry.toSeconds()));
    this.idempotencyTable.grant(this.processor, ...IDEMPOTENCY_TABLE_ACTIONS);
    // Table.grant with explicit actions grants nothing on the table's key; these are the key actions
    // CDK's own read and write grants add for a customer-managed key.
    this.encryptionKey?.grant(this.processor, ...TABLE_KEY_ACTIONS);
    this.acknowledgeKeyWildcards(this.processor);
  }

  /** Unprocessable events (schema-invalid, or marked so by a handler) go to the DLQ at once. */
  private connectProcessorToDeadLetterQueue(): void {
    this.processor.addEnvironment(ENV_VARS.deadLetterQueueUrl, this.deadLetterQueue.queueUrl);
    this.deadLetterQueue.grantSendMessages(this.processor);
  }

  private connectProcessorToLatestState(removalPolicy: RemovalPolicy): dynamodb.Table {
    const table = new dynamodb.Table(this, 'LatestStateTable', {
      partitionKey: { name: LATEST_STATE_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: LATEST_STATE_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...this.tableEncryption(),
      removalPolicy,
    });
    this.processor.addEnvironment(ENV_VARS.latestStateTableName, table.tableName);
    table.grant(this.processor, ...LATEST_STATE_TABLE_ACTIONS);
    this.encryptionKey?.grant(this.processor, ...TABLE_KEY_ACTIONS);
    return table;
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

interface FunctionOptions {
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly serviceName: string;
}

/** Access log line: JSON, so CloudWatch Logs Insights can query each field. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    ip: AccessLogField.contextIdentitySourceIp(),
    requestTime: AccessLogField.contextRequestTime(),
    routeKey: AccessLogField.contextRouteKey(),
    status: AccessLogField.contextStatus(),
    responseLength: AccessLogField.contextResponseLength(),
    integrationLatency: AccessLogField.contextIntegrationLatency(),
    integrationError: AccessLogField.contextIntegrationErrorMessage(),
  }),
);

/** Joins a base URL and a path with exactly one slash between them; works on token strings. */
function joinUrl(base: string, urlPath: string): string {
  return `${base.replace(/\/+$/, '')}/${urlPath.replace(/^\/+/, '')}`;
}
