import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { ENV_VARS, METRICS, SERVICE_NAMES } from '../../lambdas/contract';
import { readSelection } from '../../local/archive/archive-reader';
import { diagnoseRecord } from '../../local/quarantine/diagnosis';
import { type QuarantineItem, readQuarantine } from '../../local/quarantine/quarantine-store';
import { releaseQuarantined } from '../../local/quarantine/release';
import { LOCAL_AWS } from '../../local/local-aws';
import { type SecretsManagerStub, startSecretsManagerStub } from '../../local/secrets-manager-stub';
import {
  apiGatewayEvent,
  signedRequest,
  sqsRecord,
  TEST_TOKEN,
  vehicleErrorEvent,
  vehicleStateEvent,
  verifyEvent,
} from '../support/builders';
import {
  type Bundle,
  INVOCATION_DEADLINE_MS,
  type SynthesizedBundles,
  synthBundles,
} from './support/bundles';
import { type LocalDynamoDb, startDynalite } from './support/dynalite';
import { type LocalSqsProcess, startLocalSqsProcess } from './support/local-sqs';

/**
 * The shipped bundles, run through every outcome that has a metric, against real emulators: the
 * EMF documents they print are the metrics CloudWatch would get. Every alarm in the synthesized
 * template must read one of them with exactly its namespace, name and dimensions (a typo there is
 * an alarm that can never fire), or a metric that AWS publishes for a resource of the template.
 */

// Bundling both functions and a Node process per invocation: slow on a loaded 2-core machine.
jest.setTimeout(2 * INVOCATION_DEADLINE_MS);

interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
type Template = { Resources: Record<string, TemplateResource> };

/** `namespace|name|key=value,…` (keys sorted): one metric as CloudWatch stores it. */
type MetricKey = string;

const metricKey = (namespace: string, name: string, dimensions: Record<string, string>): MetricKey =>
  `${namespace}|${name}|${Object.entries(dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(',')}`;

/** Every metric the EMF documents in `output` define: one per metric and dimension set. */
function emittedMetrics(output: string): MetricKey[] {
  const keys: MetricKey[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{"_aws"')) continue;
    const document = JSON.parse(line) as Record<string, unknown> & {
      _aws: {
        CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
      };
    };
    for (const directive of document._aws.CloudWatchMetrics) {
      for (const dimensionSet of directive.Dimensions) {
        const dimensions = Object.fromEntries(dimensionSet.map((key) => [key, String(document[key])]));
        for (const metric of directive.Metrics)
          keys.push(metricKey(directive.Namespace, metric.Name, dimensions));
      }
    }
  }
  return keys;
}

interface AlarmMetric {
  alarm: string;
  namespace: string;
  name: string;
  dimensions: { Name: string; Value: unknown }[];
}

/** The metrics an alarm reads: its own, or each one of its metric-math expression. */
function alarmMetrics(template: Template): AlarmMetric[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
    .flatMap(([alarm, { Properties: p = {} }]) => {
      if (typeof p.MetricName === 'string') {
        return [
          { alarm, namespace: String(p.Namespace), name: p.MetricName, dimensions: dims(p.Dimensions) },
        ];
      }
      return (p.Metrics as { MetricStat?: { Metric: Record<string, unknown> } }[])
        .filter((query) => query.MetricStat !== undefined)
        .map(({ MetricStat }) => ({
          alarm,
          namespace: String(MetricStat?.Metric.Namespace),
          name: String(MetricStat?.Metric.MetricName),
          dimensions: dims(MetricStat?.Metric.Dimensions),
        }));
    });
}

const dims = (value: unknown) => (value ?? []) as { Name: string; Value: unknown }[];

/** Metrics the template's log metric filters write (no dimensions, a fixed value). */
function filterMetrics(template: Template): MetricKey[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Logs::MetricFilter')
    .flatMap((resource) =>
      (resource.Properties?.MetricTransformations as { MetricNamespace: string; MetricName: string }[]).map(
        (transformation) => metricKey(transformation.MetricNamespace, transformation.MetricName, {}),
      ),
    );
}

/**
 * What AWS publishes, by namespace: the metric names this stack alarms on and the dimension that
 * names the resource, with the resource type it must name.
 */
const AWS_METRICS: Record<string, { names: string[]; dimensions: Record<string, string | undefined> }> = {
  'AWS/Lambda': {
    names: ['Errors', 'Throttles', 'Duration'],
    dimensions: { FunctionName: 'AWS::Lambda::Function' },
  },
  'AWS/SQS': {
    names: [
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateAgeOfOldestMessage',
    ],
    dimensions: { QueueName: 'AWS::SQS::Queue' },
  },
  // Stage names no resource: it is the literal "$default" of the stage.
  'AWS/ApiGateway': {
    names: ['Count', '4xx', '5xx'],
    dimensions: { ApiId: 'AWS::ApiGatewayV2::Api', Stage: undefined },
  },
};

/** The logical id a dimension value refers to (`Ref` or `Fn::GetAtt`), if it is a reference. */
function referencedId(value: unknown): string | undefined {
  const reference = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  return reference?.Ref ?? reference?.['Fn::GetAtt']?.[0];
}

describe('alarms and the metrics the shipped bundles emit', () => {
  let bundles: SynthesizedBundles;
  let template: Template;
  let secrets: SecretsManagerStub;
  let dynamo: LocalDynamoDb;
  let sqs: LocalSqsProcess;
  let sqsClient: SQSClient;
  const emitted = new Set<MetricKey>();
  const secretId = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:smartcar-amt-AbCdEf';
  const tableName = 'contract-idempotency';
  const archiveBucket = 'contract-archive';
  let s3: S3Client;

  const receiverEnv = (overrides: Record<string, string> = {}) =>
    bundles.environment('receiver', {
      [ENV_VARS.tokenSecretId]: secretId,
      [ENV_VARS.queueUrl]: sqs.queue.url,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      ...overrides,
    });
  const processorEnv = (overrides: Record<string, string> = {}) =>
    bundles.environment('processor', {
      [ENV_VARS.idempotencyTableName]: tableName,
      [ENV_VARS.deadLetterQueueUrl]: sqs.deadLetterQueue.url,
      [ENV_VARS.archiveBucketName]: archiveBucket,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_S3: sqs.endpoint,
      ...overrides,
    });

  /** Invokes a bundle and keeps the metrics it emitted. */
  async function invoke(bundle: Bundle, event: unknown, env: Record<string, string>) {
    const outcome = await bundle.invoke(event, env);
    for (const key of emittedMetrics(outcome.output)) emitted.add(key);
    return outcome;
  }

  /** The messages on a queue now, as the event source would hand them to the processor. */
  async function takeMessages(queueUrl: string): Promise<SQSRecord[]> {
    const { Messages = [] } = await sqsClient.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    return Messages.map((message) => {
      const record = sqsRecord(message.Body ?? '', { messageId: message.MessageId });
      for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
        record.messageAttributes[name] = {
          dataType: value.DataType ?? 'String',
          stringValue: value.StringValue,
        };
      }
      return record;
    });
  }

  beforeAll(async () => {
    bundles = synthBundles();
    template = bundles.template as unknown as Template;
    secrets = await startSecretsManagerStub({ [secretId]: TEST_TOKEN });
    dynamo = await startDynalite();
    await dynamo.createIdempotencyTable(tableName);
    sqs = await startLocalSqsProcess();
    sqsClient = new SQSClient({
      region: LOCAL_AWS.region,
      endpoint: sqs.endpoint,
      credentials: LOCAL_AWS.credentials,
    });
    s3 = new S3Client({
      region: LOCAL_AWS.region,
      endpoint: sqs.endpoint,
      credentials: LOCAL_AWS.credentials,
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: archiveBucket }));
  }, 4 * INVOCATION_DEADLINE_MS);

  afterAll(async () => {
    bundles?.cleanup();
    await secrets?.close();
    await dynamo?.stop();
    sqsClient?.destroy();
    s3?.destroy();
    await sqs?.stop();
  });

  describe('end to end through the shipped bundles', () => {
    const dashboardTest = () =>
      vehicleStateEvent({
        meta: { mode: 'TEST', deliveryId: 'd-test', deliveredAt: Date.now(), deliveryTime: Date.now() },
      });
    const withoutMeta = () => {
      const { meta: _removed, ...event } = vehicleErrorEvent();
      return event;
    };

    it.each([
      ['a Dashboard test delivery (meta without version or webhookId)', dashboardTest],
      ['a VEHICLE_ERROR without meta', withoutMeta],
    ])('accepts and processes %s, counting its drift', async (_label, build) => {
      const event = build();
      const { result } = await invoke(bundles.receiver, signedRequest(event), receiverEnv());
      const records = await takeMessages(sqs.queue.url);
      const { result: batch, output } = await invoke(bundles.processor, { Records: records }, processorEnv());

      expect(result.statusCode).toBe(200);
      expect(records.map((record) => JSON.parse(record.body).eventId)).toEqual([event.eventId]);
      expect(batch).toEqual({ batchItemFailures: [] });
      expect(output).toContain('Event processed');
      expect(emittedMetrics(output).some((key) => key.includes(`|${METRICS.schemaDrift}|`))).toBe(true);
      const archived = await readSelection(
        { client: s3, bucket: archiveBucket },
        { sinceMs: Date.now() - 3_600_000, untilMs: Date.now() + 60_000, eventId: String(event.eventId) },
      );
      expect(archived.map((line) => [line.body, line.verified_with])).toEqual([
        [records[0]?.body, 'current'],
      ]);
    });

    it('accepts an event type it does not know and parks it in the dead-letter queue with its reason', async () => {
      const event = vehicleStateEvent({ eventType: 'TRIP_COMPLETED' });
      const { result } = await invoke(bundles.receiver, signedRequest(event), receiverEnv());
      const records = await takeMessages(sqs.queue.url);
      const { result: batch } = await invoke(bundles.processor, { Records: records }, processorEnv());
      const parked = await takeMessages(sqs.deadLetterQueue.url);

      expect(result.statusCode).toBe(200);
      expect(batch).toEqual({ batchItemFailures: [] });
      expect(parked.map((record) => record.body)).toEqual([JSON.stringify(event)]);
      expect(parked[0]?.messageAttributes.unprocessableReason?.stringValue).toBe('UNKNOWN_EVENT_TYPE');
    });
  });

  describe('the quarantine, through the shipped bundles', () => {
    const anotherAppsToken = 'the-token-of-another-smartcar-application-42';
    const quarantine = () => ({ client: s3, bucket: archiveBucket });
    const quarantiningReceiverEnv = () =>
      receiverEnv({ [ENV_VARS.quarantineBucketName]: archiveBucket, AWS_ENDPOINT_URL_S3: sqs.endpoint });
    const kept = (eventId: string) =>
      readQuarantine(quarantine(), {
        sinceMs: Date.now() - 3_600_000,
        untilMs: Date.now() + 60_000,
        id: eventId,
      });

    it('keeps a delivery signed with another token, and once the token is fixed a release processes it once', async () => {
      const event = vehicleStateEvent();
      const request = signedRequest(event, { token: anotherAppsToken });
      const { result, output } = await invoke(bundles.receiver, request, quarantiningReceiverEnv());
      const items = await kept(String(event.eventId));

      expect(result.statusCode).toBe(401);
      expect(emittedMetrics(output)).toContain(
        metricKey(METRICS.namespace, METRICS.deliveriesQuarantined, {
          service: SERVICE_NAMES.receiver,
          reason: 'SIGNATURE_MISMATCH',
        }),
      );
      expect(items).toHaveLength(1);
      const [item] = items as [QuarantineItem];
      expect(Buffer.from(item.record.body_base64, 'base64').toString('utf8')).toBe(request.body);
      expect(
        diagnoseRecord(item.record, [
          { label: 'current', token: TEST_TOKEN },
          { label: 'given', token: anotherAppsToken },
        ]).verdict,
      ).toBe('given-token');

      // Still the wrong token stored: nothing is enqueued, the item stays.
      const before = await releaseQuarantined(items, {
        archive: quarantine(),
        sqs: sqsClient,
        queueUrl: sqs.queue.url,
        tokens: { current: TEST_TOKEN },
        releaseId: 'release-before-fix',
        acceptUnverified: false,
        releasedBy: 'contract-test',
      });
      expect([before.released, before.kept]).toEqual([0, 1]);
      expect(await takeMessages(sqs.queue.url)).toEqual([]);

      // The token fixed: the stored current token is the one Smartcar signs with.
      const after = await releaseQuarantined(items, {
        archive: quarantine(),
        sqs: sqsClient,
        queueUrl: sqs.queue.url,
        tokens: { current: anotherAppsToken, previous: TEST_TOKEN },
        releaseId: 'release-after-fix',
        acceptUnverified: false,
        releasedBy: 'contract-test',
      });
      const records = await takeMessages(sqs.queue.url);
      const first = await invoke(bundles.processor, { Records: records }, processorEnv());
      const again = await invoke(bundles.processor, { Records: records }, processorEnv());

      expect(after.released).toBe(1);
      expect(records.map((record) => record.body)).toEqual([request.body]);
      expect(records[0]?.messageAttributes.releaseId?.stringValue).toBe('release-after-fix');
      expect(first.result).toEqual({ batchItemFailures: [] });
      expect(first.output).toContain('Event processed');
      expect(emittedMetrics(first.output)).toContain(
        metricKey(METRICS.namespace, METRICS.released, {
          service: SERVICE_NAMES.processor,
          verifiedWith: 'current',
        }),
      );
      expect(again.output).toContain('Duplicate event skipped');
      expect(await kept(String(event.eventId))).toEqual([]);
      const archived = await readSelection(
        { client: s3, bucket: archiveBucket },
        { sinceMs: Date.now() - 3_600_000, untilMs: Date.now() + 60_000, eventId: String(event.eventId) },
      );
      expect(archived.map((line) => [line.body, line.verified_with, line.release_id])).toEqual([
        [request.body, 'current', 'release-after-fix'],
      ]);
    });

    it('releases what does not verify only with --accept-unverified, marked unverified', async () => {
      const event = vehicleErrorEvent();
      await invoke(
        bundles.receiver,
        signedRequest(event, { token: anotherAppsToken }),
        quarantiningReceiverEnv(),
      );
      const items = await kept(String(event.eventId));
      const result = await releaseQuarantined(items, {
        archive: quarantine(),
        sqs: sqsClient,
        queueUrl: sqs.queue.url,
        tokens: { current: TEST_TOKEN },
        releaseId: 'release-unverified',
        acceptUnverified: true,
        releasedBy: 'contract-test',
        note: 'sent by our own staging app',
      });
      const records = await takeMessages(sqs.queue.url);
      const { output } = await invoke(bundles.processor, { Records: records }, processorEnv());

      expect(result.released).toBe(1);
      expect(result.log).toMatchObject({ accept_unverified: true, note: 'sent by our own staging app' });
      expect(records[0]?.messageAttributes.verifiedWith?.stringValue).toBe('unverified');
      expect(emittedMetrics(output)).toContain(
        metricKey(METRICS.namespace, METRICS.released, {
          service: SERVICE_NAMES.processor,
          verifiedWith: 'unverified',
        }),
      );
    });

    it('answers 401 all the same when the quarantine cannot be written (no such bucket)', async () => {
      const { result, output } = await invoke(
        bundles.receiver,
        signedRequest(vehicleStateEvent(), { token: anotherAppsToken }),
        receiverEnv({ [ENV_VARS.quarantineBucketName]: 'no-such-bucket', AWS_ENDPOINT_URL_S3: sqs.endpoint }),
      );

      expect(result.statusCode).toBe(401);
      expect(emittedMetrics(output)).toContain(
        metricKey(METRICS.namespace, METRICS.quarantineMisses, {
          service: SERVICE_NAMES.receiver,
          cause: 'WRITE_FAILED',
        }),
      );
    });
  });

  describe('every alarm', () => {
    /** Every outcome that has a metric, once: the EMF they print is what CloudWatch would get. */
    beforeAll(async () => {
      const old = vehicleStateEvent({ meta: { deliveryId: 'd-old', deliveredAt: Date.now() - 7_200_000 } });
      const sqsDown = {
        [ENV_VARS.queueUrl]: 'http://127.0.0.1:1/0/q',
        AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:1',
      };
      const receiverCases: [unknown, Record<string, string>, number][] = [
        [apiGatewayEvent({ body: JSON.stringify(verifyEvent()) }), receiverEnv(), 200],
        [signedRequest(vehicleStateEvent()), receiverEnv(), 200],
        [signedRequest(vehicleStateEvent(), { token: 'wrong' }), receiverEnv(), 401],
        [signedRequest(old), receiverEnv(), 400],
        // Port 1 on loopback refuses connections: SQS is down.
        [signedRequest(vehicleStateEvent()), receiverEnv(sqsDown), 503],
      ];
      for (const [event, env, status] of receiverCases) {
        const { result } = await invoke(bundles.receiver, event, env);
        if (result.statusCode !== status)
          throw new Error(`expected ${status}, got ${JSON.stringify(result)}`);
      }
      await takeMessages(sqs.queue.url);
      const { meta: _removed, ...withoutMeta } = vehicleStateEvent();
      const record = sqsRecord(JSON.stringify(vehicleStateEvent()));
      const processorCases: [SQSRecord, Record<string, string>, number][] = [
        [record, processorEnv(), 0],
        [record, processorEnv(), 0],
        [sqsRecord(JSON.stringify(withoutMeta)), processorEnv(), 0],
        [sqsRecord(JSON.stringify(vehicleStateEvent({ eventType: 'TRIP_COMPLETED' }))), processorEnv(), 0],
        [
          sqsRecord(JSON.stringify(vehicleStateEvent())),
          processorEnv({ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1' }),
          1,
        ],
        // The archive bucket is gone: the batch is not processed.
        [
          sqsRecord(JSON.stringify(vehicleStateEvent())),
          processorEnv({ [ENV_VARS.archiveBucketName]: 'contract-archive-deleted' }),
          1,
        ],
      ];
      for (const [queued, env, failures] of processorCases) {
        const { result } = await invoke(bundles.processor, { Records: [queued] }, env);
        const failed = (result.batchItemFailures as unknown[]).length;
        if (failed !== failures)
          throw new Error(`expected ${failures} failed, got ${JSON.stringify(result)}`);
      }
      await takeMessages(sqs.deadLetterQueue.url);
    }, 5 * INVOCATION_DEADLINE_MS);

    it('reads a metric of the shipped code, of a metric filter, or of a resource AWS publishes for', () => {
      const written = new Set([...emitted, ...filterMetrics(template)]);
      const problems: string[] = [];
      for (const metric of alarmMetrics(template)) {
        const aws = AWS_METRICS[metric.namespace];
        if (aws !== undefined) {
          if (!aws.names.includes(metric.name))
            problems.push(`${metric.alarm}: AWS publishes no ${metric.name}`);
          const names = metric.dimensions.map((d) => d.Name).sort();
          if (JSON.stringify(names) !== JSON.stringify(Object.keys(aws.dimensions).sort())) {
            problems.push(
              `${metric.alarm}: ${metric.namespace} has dimensions ${Object.keys(aws.dimensions)}, got ${names}`,
            );
          }
          for (const { Name, Value } of metric.dimensions) {
            const type = aws.dimensions[Name];
            const id = referencedId(Value);
            if (type !== undefined && (id === undefined || template.Resources[id]?.Type !== type)) {
              problems.push(`${metric.alarm}: ${Name} does not name a ${type} of this stack`);
            }
          }
          continue;
        }
        const dimensions = Object.fromEntries(metric.dimensions.map((d) => [d.Name, String(d.Value)]));
        const key = metricKey(metric.namespace, metric.name, dimensions);
        if (!written.has(key)) problems.push(`${metric.alarm}: nothing emits ${key}`);
      }

      expect(alarmMetrics(template).length).toBeGreaterThanOrEqual(18);
      expect(problems).toEqual([]);
    });

    it('would catch a misspelt metric or a dimension set the code does not emit', () => {
      const written = new Set([...emitted, ...filterMetrics(template)]);
      const receiver = { service: 'smartcar-webhook-receiver' };

      expect(written.has(metricKey(METRICS.namespace, METRICS.deliveries, receiver))).toBe(true);
      expect(written.has(metricKey(METRICS.namespace, 'Delivery', receiver))).toBe(false);
      expect(
        written.has(metricKey(METRICS.namespace, METRICS.deliveries, { ...receiver, stage: 'prod' })),
      ).toBe(false);
      expect(
        written.has(metricKey(METRICS.namespace, METRICS.deliveries, { service: 'smartcar-webhooks' })),
      ).toBe(false);
    });
  });
});
