import * as path from 'node:path';
import { Duration, RemovalPolicy, SecretValue, Token } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  ALARM_DEFAULTS,
  API_DEFAULTS,
  ENV_VARS,
  IDEMPOTENCY_DEFAULTS,
  PLACEHOLDER_TOKEN,
  PROCESSOR_DEFAULTS,
  RECEIVER_DEFAULTS,
  SERVICE_NAMES,
  ROUTES,
} from './smartcar-webhooks-defaults';
import { WebhookAlarms } from './monitoring/webhook-alarms';

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
   */
  readonly queueAgeAlarmThreshold?: Duration;
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

/** HTTP API's hard limit on how long an integration may run. */
const MAX_INTEGRATION_TIMEOUT = Duration.seconds(30);

/** The DynamoDB calls Powertools' idempotency persistence layer makes, and nothing more. */
const IDEMPOTENCY_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

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
  /** Receives alarm and OK notifications from both alarms. */
  readonly alarmTopic: sns.Topic;
  /** Fires as soon as one delivery reaches the dead-letter queue. */
  readonly deadLetterQueueAlarm: cloudwatch.Alarm;
  /** Fires when the main queue's oldest delivery is older than `queueAgeAlarmThreshold`. */
  readonly queueAgeAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SmartcarWebhooksProps = {}) {
    super(scope, id);
    const settings = resolveSettings(props);

    this.tokenSecret = props.tokenSecret ?? this.createPlaceholderSecret();
    this.deadLetterQueue = this.createDeadLetterQueue();
    this.queue = this.createQueue(settings);
    this.idempotencyTable = this.createIdempotencyTable(settings.removalPolicy);

    this.receiver = this.createFunction('Receiver', {
      entry: path.join(LAMBDAS_DIR, 'receiver', 'index.ts'),
      description: 'Verifies Smartcar webhook signatures and enqueues deliveries',
      timeout: settings.receiverTimeout,
      memorySize: RECEIVER_DEFAULTS.memorySizeMb,
      serviceName: SERVICE_NAMES.receiver,
      removalPolicy: settings.removalPolicy,
    });
    this.receiver.addEnvironment(ENV_VARS.maxBodyBytes, String(settings.maxBodyBytes));
    this.connectReceiverToQueue();
    this.connectReceiverToSecret();

    this.processor = this.createFunction('Processor', {
      entry: path.join(LAMBDAS_DIR, 'processor', 'index.ts'),
      description: 'Processes queued Smartcar webhook deliveries idempotently',
      timeout: settings.processorTimeout,
      memorySize: PROCESSOR_DEFAULTS.memorySizeMb,
      serviceName: SERVICE_NAMES.processor,
      removalPolicy: settings.removalPolicy,
    });
    this.connectProcessorToQueue(settings.batchSize);
    this.connectProcessorToTable(settings.idempotencyExpiry);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: settings.removalPolicy,
    });
    // HTTP API rather than REST API: about $1.00 instead of $3.50 per million requests and lower
    // latency. REST's extras (WAF, API keys, request validation) add little here, because the
    // receiver HMAC-authenticates every delivery before anything is enqueued.
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

    const alarms = new WebhookAlarms(this, 'Alarms', {
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      maxReceiveCount: settings.maxReceiveCount,
      queueAgeThreshold: settings.queueAgeAlarmThreshold,
      alarmEmail: props.alarmEmail,
    });
    this.alarmTopic = alarms.topic;
    this.deadLetterQueueAlarm = alarms.deadLetterQueueAlarm;
    this.queueAgeAlarm = alarms.queueAgeAlarm;
  }

  private createPlaceholderSecret(): secretsmanager.Secret {
    return new secretsmanager.Secret(this, 'TokenSecret', {
      description:
        'Smartcar Application Management Token (Dashboard > Configuration) used to verify webhook ' +
        'signatures. Replace the placeholder: aws secretsmanager put-secret-value --secret-id <this ' +
        "secret's name> --secret-string <token>",
      // Not a secret: a well-known marker the receiver refuses to run with, so a deploy that skipped
      // storing the real token fails loudly. The real token never passes through CloudFormation.
      secretStringValue: SecretValue.unsafePlainText(PLACEHOLDER_TOKEN),
    });
  }

  private createDeadLetterQueue(): sqs.Queue {
    return new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(PROCESSOR_DEFAULTS.deadLetterRetentionDays),
      // ALLOW_ALL is what lets the console's "Start DLQ redrive" move messages back. BY_QUEUE naming
      // the main queue would need the main queue's ARN here while the main queue's redrive policy
      // needs this queue's ARN: a circular dependency.
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
    });
  }

  private createQueue(settings: Settings): sqs.Queue {
    return new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(
        settings.processorTimeout.toSeconds() * PROCESSOR_DEFAULTS.visibilityTimeoutMultiplier,
      ),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
    });
  }

  private createIdempotencyTable(removalPolicy: RemovalPolicy): dynamodb.Table {
    return new dynamodb.Table(this, 'IdempotencyTable', {
      partitionKey: { name: IDEMPOTENCY_DEFAULTS.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: IDEMPOTENCY_DEFAULTS.expiryAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy,
    });
  }

  /**
   * A function with its own role and log group. The role gets no managed policy:
   * AWSLambdaBasicExecutionRole allows writing to every log group in the account (`Resource: *`).
   */
  private createFunction(id: string, options: FunctionOptions): nodejs.NodejsFunction {
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the Smartcar webhook ${id.toLowerCase()}`,
    });
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: options.removalPolicy,
    });
    logGroup.grantWrite(role);
    return new nodejs.NodejsFunction(this, id, {
      entry: options.entry,
      handler: 'handler',
      description: options.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: options.memorySize,
      timeout: options.timeout,
      role,
      logGroup,
      bundling: BUNDLING,
      environment: {
        [ENV_VARS.serviceName]: options.serviceName,
        // CDK emits source maps but does not turn them on; without this, stack traces point into
        // minified code.
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
  }

  private connectReceiverToQueue(): void {
    this.receiver.addEnvironment(ENV_VARS.queueUrl, this.queue.queueUrl);
    this.queue.grantSendMessages(this.receiver);
  }

  /** The ARN, never the value: the receiver reads the token at run time and caches it. */
  private connectReceiverToSecret(): void {
    this.receiver.addEnvironment(ENV_VARS.tokenSecretId, this.tokenSecret.secretArn);
    this.tokenSecret.grantRead(this.receiver);
  }

  /** The event source grants the consume permissions itself. */
  private connectProcessorToQueue(batchSize: number): void {
    this.processor.addEventSource(
      new SqsEventSource(this.queue, { batchSize, reportBatchItemFailures: true }),
    );
  }

  private connectProcessorToTable(expiry: Duration): void {
    this.processor.addEnvironment(ENV_VARS.idempotencyTableName, this.idempotencyTable.tableName);
    this.processor.addEnvironment(ENV_VARS.idempotencyExpirySeconds, String(expiry.toSeconds()));
    this.idempotencyTable.grant(this.processor, ...IDEMPOTENCY_TABLE_ACTIONS);
  }

  /** Only these two routes: anything else gets API Gateway's 404 without invoking the receiver. */
  private addRoutes(webhookPath: string): void {
    const integration = new HttpLambdaIntegration('ReceiverIntegration', this.receiver, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    this.api.addRoutes({ path: webhookPath, methods: [apigwv2.HttpMethod.POST], integration });
    this.api.addRoutes({ path: ROUTES.healthPath, methods: [apigwv2.HttpMethod.GET], integration });
  }
}

interface FunctionOptions {
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly serviceName: string;
  readonly removalPolicy: RemovalPolicy;
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

type Settings = ReturnType<typeof resolveSettings>;

/** Merges defaults under the props and rejects values that would only fail at deploy or run time. */
function resolveSettings(props: SmartcarWebhooksProps) {
  const settings = {
    webhookPath: props.webhookPath ?? ROUTES.webhookPath,
    maxReceiveCount: props.maxReceiveCount ?? PROCESSOR_DEFAULTS.maxReceiveCount,
    batchSize: props.batchSize ?? PROCESSOR_DEFAULTS.batchSize,
    processorTimeout: props.processorTimeout ?? Duration.seconds(PROCESSOR_DEFAULTS.timeoutSeconds),
    receiverTimeout: props.receiverTimeout ?? Duration.seconds(RECEIVER_DEFAULTS.timeoutSeconds),
    maxBodyBytes: props.maxBodyBytes ?? RECEIVER_DEFAULTS.maxBodyBytes,
    idempotencyExpiry: props.idempotencyExpiry ?? Duration.seconds(IDEMPOTENCY_DEFAULTS.expirySeconds),
    throttle: props.throttle ?? {
      rateLimit: API_DEFAULTS.throttleRateLimit,
      burstLimit: API_DEFAULTS.throttleBurstLimit,
    },
    queueAgeAlarmThreshold: props.queueAgeAlarmThreshold ?? Duration.seconds(ALARM_DEFAULTS.queueAgeSeconds),
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  };
  validateWebhookPath(settings.webhookPath);
  validateInteger('maxReceiveCount', settings.maxReceiveCount, 1, 1000, 'the range SQS accepts');
  validateInteger('batchSize', settings.batchSize, 1, 10, "Lambda's SQS limit without a batching window");
  validateInteger(
    'maxBodyBytes',
    settings.maxBodyBytes,
    1,
    RECEIVER_DEFAULTS.maxBodyBytes,
    'the most that fits one SQS message together with its attributes',
  );
  if (settings.receiverTimeout.toMilliseconds() > MAX_INTEGRATION_TIMEOUT.toMilliseconds()) {
    throw new Error(
      `receiverTimeout must be at most ${MAX_INTEGRATION_TIMEOUT.toHumanString()}, HTTP API's integration ` +
        `limit; got ${settings.receiverTimeout.toHumanString()}.`,
    );
  }
  return settings;
}

function validateWebhookPath(webhookPath: string): void {
  if (!webhookPath.startsWith('/') || /[{}]/.test(webhookPath)) {
    throw new Error(
      `webhookPath must be a literal path starting with "/" and without "{...}" parameters, ` +
        `such as "${ROUTES.webhookPath}"; got "${webhookPath}".`,
    );
  }
}

/** Unresolved tokens (CloudFormation parameters) are checked by CloudFormation at deploy time. */
function validateInteger(name: string, value: number, min: number, max: number, why: string): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max} (${why}); got ${value}.`);
  }
}

/** Joins a base URL and a path with exactly one slash between them; works on token strings. */
function joinUrl(base: string, urlPath: string): string {
  return `${base.replace(/\/+$/, '')}/${urlPath.replace(/^\/+/, '')}`;
}
