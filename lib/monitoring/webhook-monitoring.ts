import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { WebhookAlarms, type WebhookAlarmsProps } from './webhook-alarms';
import { WebhookDashboard } from './webhook-dashboard';

/** What {@link WebhookMonitoring} watches, whom it tells and how it names its alarms. */
export type WebhookMonitoringProps = WebhookAlarmsProps;

/**
 * The monitoring stage: the alarms with their paging and informational topics, and the dashboard
 * that shows them in a status row above the pipeline's metrics.
 */
export class WebhookMonitoring extends Construct {
  /**
   * The alarms (`alarms.deadLetterQueueAlarm`, …, and `alarms.alarms`, all of them), the paging and
   * the informational topic, and the access log's metric filter for the stage's 429 answers.
   */
  readonly alarms: WebhookAlarms;
  /** Requests, latency, queues, processing and the custom metrics on one CloudWatch dashboard. */
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: WebhookMonitoringProps) {
    super(scope, id);
    this.alarms = new WebhookAlarms(this, 'Alarms', props);
    this.dashboard = new WebhookDashboard(this, 'Dashboard', {
      stage: props.stage,
      receiver: props.receiver,
      processor: props.processor,
      queue: props.queue,
      deadLetterQueue: props.deadLetterQueue,
      alarms: this.alarms.alarms,
    }).dashboard;
  }
}
