import type { IConstruct } from 'constructs';
import { METRICS, SERVICE_NAMES } from '../../lambdas/contract';
import { logicalId, propertiesOf, synthWebhooks } from './synth';

const { webhooks, template } = synthWebhooks();

interface Widget {
  readonly type: string;
  readonly properties: {
    readonly title: string;
    readonly metrics?: unknown[][];
    readonly alarms?: string[];
    readonly annotations?: { horizontal?: { value: number; label: string }[] };
  };
}

/**
 * The dashboard body as JSON. CloudFormation builds it with Fn::Join around references; each
 * reference becomes "<LogicalId>" (Ref) or "<LogicalId.Attribute>" (Fn::GetAtt), so the tests can
 * compare it with `placeholder(construct)`.
 */
function dashboardWidgets(): Widget[] {
  const body = propertiesOf(template, webhooks.monitoring.dashboard).DashboardBody as {
    'Fn::Join': [string, unknown[]];
  };
  const text = body['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const reference = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      if (reference.Ref !== undefined) return `<${reference.Ref}>`;
      if (reference['Fn::GetAtt'] !== undefined) return `<${reference['Fn::GetAtt'].join('.')}>`;
      throw new Error(`Unexpected part of the dashboard body: ${JSON.stringify(part)}`);
    })
    .join('');
  return JSON.parse(text).widgets;
}

const placeholder = (construct: IConstruct) => `<${logicalId(construct)}>`;
const countAlarms = () => Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length;
const widgets = dashboardWidgets();

function widget(title: string): Widget {
  const found = widgets.find((w) => w.properties.title === title);
  if (found === undefined) throw new Error(`No widget titled "${title}"`);
  return found;
}

/** `[namespace, metricName, ...dimensions, options]` lines, options dropped. */
const metricLines = (title: string) =>
  (widget(title).properties.metrics ?? []).map((line) => line.filter((part) => typeof part === 'string'));

describe('dashboard', () => {
  it('is one CloudWatch dashboard, exposed by the construct', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(propertiesOf(template, webhooks.monitoring.dashboard).DashboardBody).toBeDefined();
  });

  it('shows every alarm in a status row at the top', () => {
    const alarmWidget = widgets[0];
    expect(alarmWidget?.type).toBe('alarm');
    expect(alarmWidget?.properties.alarms).toEqual(
      webhooks.monitoring.alarms.alarms.map((alarm) => `<${logicalId(alarm)}.Arn>`),
    );
    expect(alarmWidget?.properties.alarms).toHaveLength(countAlarms());
  });

  it("graphs the stage's requests, 4xx and 5xx", () => {
    const stage = ['ApiId', placeholder(webhooks.ingest.api), 'Stage', '$default'];
    expect(metricLines('API requests by status')).toEqual([
      ['AWS/ApiGateway', 'Count', ...stage],
      ['AWS/ApiGateway', '4xx', ...stage],
      ['AWS/ApiGateway', '5xx', ...stage],
    ]);
  });

  it("graphs the receiver's p50 and p99 duration against Smartcar's 15 s timeout", () => {
    const receiverDuration = widget('Receiver duration (ms)');
    expect(receiverDuration.properties.metrics).toEqual([
      [
        'AWS/Lambda',
        'Duration',
        'FunctionName',
        placeholder(webhooks.ingest.receiver),
        expect.objectContaining({ stat: 'p50' }),
      ],
      [
        'AWS/Lambda',
        'Duration',
        'FunctionName',
        placeholder(webhooks.ingest.receiver),
        expect.objectContaining({ stat: 'p99' }),
      ],
    ]);
    expect(receiverDuration.properties.annotations?.horizontal).toEqual([
      expect.objectContaining({ value: 15_000, label: "Smartcar's timeout" }),
    ]);
  });

  const search = (service: string, name: string, dimension: string) =>
    expect.objectContaining({
      expression:
        `SEARCH('{${METRICS.namespace},${dimension},service} MetricName="${name}" ` +
        `service="${service}"', 'Sum', 60)`,
      label: `\${PROP('Dim.${dimension}')}`,
    });

  it.each([
    ['Deliveries accepted, by eventType', SERVICE_NAMES.receiver, METRICS.deliveries, 'eventType'],
    ['Refused requests, by reason', SERVICE_NAMES.receiver, METRICS.requestsRefused, 'reason'],
    ['Events parked in the DLQ, by reason', SERVICE_NAMES.processor, METRICS.eventsParked, 'reason'],
    ['Schema drift tolerated, by kind', SERVICE_NAMES.processor, METRICS.schemaDrift, 'drift'],
  ])('graphs "%s" with a SEARCH, so new values appear by themselves', (title, service, name, dimension) => {
    const [first] = widget(title).properties.metrics ?? [];
    expect(first).toEqual([search(service, name, dimension)]);
  });

  it("graphs the receiver's VERIFY challenges next to the deliveries", () => {
    expect(metricLines('Deliveries accepted, by eventType').slice(1)).toEqual([
      [METRICS.namespace, METRICS.verifyChallenges, 'service', SERVICE_NAMES.receiver],
    ]);
  });

  it('graphs the refusals that lose events: signed refused, Smartcar-shaped signature failures, 429s, 503s', () => {
    const receiver = ['service', SERVICE_NAMES.receiver];
    expect(metricLines('Refusals that lose events')).toEqual([
      [METRICS.namespace, METRICS.signedDeliveriesRefused, ...receiver],
      [METRICS.namespace, METRICS.smartcarSignatureFailures, ...receiver],
      [METRICS.namespace, METRICS.throttledRequests],
      [METRICS.namespace, METRICS.enqueueFailures, ...receiver],
    ]);
  });

  it("graphs the receiver's errors and throttles, which leave nothing in its log group", () => {
    const receiver = ['FunctionName', placeholder(webhooks.ingest.receiver)];
    expect(metricLines('Receiver errors and throttles')).toEqual([
      ['AWS/Lambda', 'Errors', ...receiver],
      ['AWS/Lambda', 'Throttles', ...receiver],
      [METRICS.namespace, METRICS.signatureFailures, 'service', SERVICE_NAMES.receiver],
    ]);
  });

  it("graphs the age of the dead-letter queue's oldest event", () => {
    expect(metricLines('Dead-letter queue: age of oldest (s)')).toEqual([
      [
        'AWS/SQS',
        'ApproximateAgeOfOldestMessage',
        'QueueName',
        `<${logicalId(webhooks.processing.deadLetterQueue)}.QueueName>`,
      ],
    ]);
  });

  it.each([
    ['Queue', () => webhooks.processing.queue],
    ['Dead-letter queue', () => webhooks.processing.deadLetterQueue],
  ])('graphs the depth of the %s: visible and in flight', (title, queue) => {
    const name = `<${logicalId(queue())}.QueueName>`;
    expect(metricLines(title).slice(0, 2)).toEqual([
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', name],
      ['AWS/SQS', 'ApproximateNumberOfMessagesNotVisible', 'QueueName', name],
    ]);
  });

  it("graphs the age of the queue's oldest delivery", () => {
    expect(metricLines('Queue')).toContainEqual([
      'AWS/SQS',
      'ApproximateAgeOfOldestMessage',
      'QueueName',
      `<${logicalId(webhooks.processing.queue)}.QueueName>`,
    ]);
  });

  it('graphs the end-to-end lag at p50 and p99', () => {
    expect(widget('End-to-end lag (ms, deliveredAt to processed)').properties.metrics).toEqual(
      ['p50', 'p99'].map((stat) => [
        METRICS.namespace,
        METRICS.endToEndLag,
        'service',
        SERVICE_NAMES.processor,
        expect.objectContaining({ stat }),
      ]),
    );
  });

  it("graphs the processor's duration, errors and throttles", () => {
    const processor = ['FunctionName', placeholder(webhooks.processing.processor)];
    expect(metricLines('Processor duration (ms)')).toEqual([
      ['AWS/Lambda', 'Duration', ...processor],
      ['AWS/Lambda', 'Duration', ...processor],
    ]);
    expect(metricLines('Processor errors and throttles')).toEqual([
      ['AWS/Lambda', 'Errors', ...processor],
      ['AWS/Lambda', 'Throttles', ...processor],
    ]);
  });

  it('graphs events processed, duplicates skipped and processing failures', () => {
    const processor = ['service', SERVICE_NAMES.processor];
    expect(metricLines('Processed events')).toEqual([
      [METRICS.namespace, METRICS.processed, ...processor],
      [METRICS.namespace, METRICS.duplicates, ...processor],
      [METRICS.namespace, METRICS.processingFailures, ...processor],
    ]);
  });
});
