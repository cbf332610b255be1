import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SMARTCAR_DELIVERY } from '../smartcar-webhooks-defaults';
import { METRICS, SERVICE_NAMES } from '../../lambdas/contract';
import { type MonitoredResources, WebhookMetrics } from './webhook-metrics';

/** What {@link WebhookDashboard} shows. */
export interface WebhookDashboardProps extends MonitoredResources {
  /**
   * Alarms shown in a status row at the top.
   * @default - no alarm row
   */
  readonly alarms?: cloudwatch.IAlarm[];
}

const WIDTH = 8;
const HEIGHT = 6;

/**
 * One CloudWatch dashboard that follows a delivery through the pipeline, a row per stage: the API
 * and receiver, the queues, then the processor and what it did. Read left to right, top to bottom,
 * it answers "are deliveries arriving, are they accepted, are they processed, and how late?".
 */
export class WebhookDashboard extends Construct {
  /** The dashboard. */
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: WebhookDashboardProps) {
    super(scope, id);
    const metrics = new WebhookMetrics(props);
    const smartcarTimeout: cloudwatch.HorizontalAnnotation = {
      value: Duration.seconds(SMARTCAR_DELIVERY.responseTimeoutSeconds).toMilliseconds(),
      label: "Smartcar's timeout",
      color: cloudwatch.Color.RED,
    };

    const rows: cloudwatch.IWidget[][] = [];
    if (props.alarms !== undefined && props.alarms.length > 0) {
      rows.push([
        new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24, height: 4 }),
      ]);
    }
    rows.push(
      [
        graph('API requests by status', [
          label(metrics.apiRequests(), 'Requests'),
          label(metrics.apiClientErrors(), '4xx'),
          label(metrics.apiServerErrors(), '5xx'),
        ]),
        graph(
          'Receiver duration (ms)',
          percentiles((stat) => metrics.functionDuration(props.receiver, stat)),
          {
            leftAnnotations: [smartcarTimeout],
          },
        ),
        graph('Deliveries accepted, by eventType', [
          metrics.deliveriesByEventType(),
          label(metrics.receiverMetric(METRICS.verifyChallenges), 'VERIFY challenges'),
        ]),
      ],
      [
        graph('Refused requests, by reason', [
          metrics.breakdown(SERVICE_NAMES.receiver, METRICS.requestsRefused),
        ]),
        graph('Refusals that lose events', [
          label(metrics.receiverMetric(METRICS.signedDeliveriesRefused), 'Signed deliveries refused'),
          label(
            metrics.receiverMetric(METRICS.smartcarSignatureFailures),
            'Smartcar-shaped signature failures',
          ),
          label(metrics.throttledRequests(), 'Throttled by the stage (429)'),
          label(metrics.receiverMetric(METRICS.enqueueFailures), 'Enqueue failures (503)'),
        ]),
        // A throttled receiver invocation never runs, so it leaves nothing in the receiver's log group.
        graph('Receiver errors and throttles', [
          label(metrics.functionErrors(props.receiver), 'Errors'),
          label(metrics.functionThrottles(props.receiver), 'Throttles'),
          label(metrics.receiverMetric(METRICS.signatureFailures), 'Signature failures (all)'),
        ]),
      ],
      [
        graph('Queue', queueDepth(metrics, props.queue), {
          right: [label(metrics.queueOldestMessageAge(), 'Age of oldest (s)')],
        }),
        graph('Dead-letter queue', queueDepth(metrics, props.deadLetterQueue)),
        graph(
          'End-to-end lag (ms, deliveredAt to processed)',
          percentiles((stat) => metrics.processorMetric(METRICS.endToEndLag, stat)),
        ),
      ],
      [
        graph(
          'Processor duration (ms)',
          percentiles((stat) => metrics.functionDuration(props.processor, stat)),
        ),
        graph('Processor errors and throttles', [
          label(metrics.functionErrors(props.processor), 'Errors'),
          label(metrics.functionThrottles(props.processor), 'Throttles'),
        ]),
        graph('Processed events', [
          label(metrics.processorMetric(METRICS.processed), 'Processed'),
          label(metrics.processorMetric(METRICS.duplicates), 'Duplicates skipped'),
          label(metrics.processorMetric(METRICS.processingFailures), 'Failed'),
        ]),
      ],
      [
        graph('Events parked in the DLQ, by reason', [
          metrics.breakdown(SERVICE_NAMES.processor, METRICS.eventsParked),
        ]),
        graph('Schema drift tolerated, by kind', [
          metrics.breakdown(SERVICE_NAMES.processor, METRICS.schemaDrift),
        ]),
        graph('Dead-letter queue: age of oldest (s)', [
          metrics.deadLetterQueueOldestMessageAge(Duration.minutes(5)),
        ]),
      ],
      [
        // Kept, missed (lost unless Smartcar retries) and released: an incident's whole story. Always
        // shown, empty while the quarantine is off: the dashboard is not told whether it is on.
        graph('Quarantine: refused deliveries kept, missed and released', [
          label(metrics.receiverMetric(METRICS.deliveriesQuarantined), 'Quarantined'),
          label(metrics.receiverMetric(METRICS.quarantineMisses), 'Missed (lost unless Smartcar retries)'),
          label(metrics.processorMetric(METRICS.released), 'Released and processed'),
        ]),
      ],
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: rows,
    });
  }
}

const label = (metric: cloudwatch.Metric, text: string) => metric.with({ label: text });

/** p50 and p99 of a latency metric. */
function percentiles(metricOf: (statistic: string) => cloudwatch.Metric): cloudwatch.IMetric[] {
  return [50, 99].map((p) => label(metricOf(cloudwatch.Stats.p(p)), `p${p}`));
}

function queueDepth(metrics: WebhookMetrics, queue: sqs.IQueue): cloudwatch.IMetric[] {
  return [
    label(metrics.queueVisibleMessages(queue), 'Visible'),
    label(metrics.queueInFlightMessages(queue), 'In flight'),
  ];
}

function graph(
  title: string,
  left: cloudwatch.IMetric[],
  extra: Omit<cloudwatch.GraphWidgetProps, 'title' | 'left'> = {},
): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left, width: WIDTH, height: HEIGHT, ...extra });
}
