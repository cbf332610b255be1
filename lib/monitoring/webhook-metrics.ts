import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { METRIC_BREAKDOWNS, METRICS, SERVICE_NAMES } from '../../lambdas/contract';

/** The resources whose metrics the alarms and the dashboard read. */
export interface MonitoredResources {
  /** The HTTP API's stage: its metrics carry the ApiId and Stage dimensions. */
  readonly stage: apigwv2.IHttpStage;
  /** The function that answers Smartcar. */
  readonly receiver: lambda.IFunction;
  /** The function that consumes the queue. */
  readonly processor: lambda.IFunction;
  /** The queue of verified deliveries. */
  readonly queue: sqs.IQueue;
  /** Where deliveries land after `maxReceiveCount` failed receives. */
  readonly deadLetterQueue: sqs.IQueue;
}

/** Custom metric names the Lambdas emit (everything in METRICS but the namespace). */
export type CustomMetricName = Exclude<(typeof METRICS)[keyof typeof METRICS], typeof METRICS.namespace>;

const ONE_MINUTE = Duration.minutes(1);

/**
 * Every metric the alarms and the dashboard use, built in one place so that an alarm and the graph
 * an on-call engineer opens next to it always show the same series. No labels here: a labelled
 * metric turns an alarm into a metric-math alarm; the dashboard labels its own copies.
 */
export class WebhookMetrics {
  constructor(private readonly resources: MonitoredResources) {}

  /** Requests the API received. */
  apiRequests(period = ONE_MINUTE): cloudwatch.Metric {
    return this.resources.stage.metricCount({ statistic: cloudwatch.Stats.SUM, period });
  }

  /** Requests the API answered 4xx: refused signatures, oversized bodies, unknown routes. */
  apiClientErrors(period = ONE_MINUTE): cloudwatch.Metric {
    return this.resources.stage.metricClientError({ statistic: cloudwatch.Stats.SUM, period });
  }

  /** Requests the API answered 5xx, whether the receiver answered them or API Gateway did. */
  apiServerErrors(period = ONE_MINUTE): cloudwatch.Metric {
    return this.resources.stage.metricServerError({ statistic: cloudwatch.Stats.SUM, period });
  }

  /** Share of requests answered 5xx, in percent. */
  apiServerErrorRate(period: Duration): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      // FILL: a period with requests but no 5xx datapoint is 0 %, not missing.
      expression: '100 * FILL(serverErrors, 0) / requests',
      usingMetrics: { serverErrors: this.apiServerErrors(period), requests: this.apiRequests(period) },
      period,
      label: '5xx rate (%)',
    });
  }

  /** A function's duration in milliseconds, at `statistic` (e.g. `p99`). */
  functionDuration(fn: lambda.IFunction, statistic: string, period = ONE_MINUTE): cloudwatch.Metric {
    return fn.metricDuration({ statistic, period });
  }

  /** Invocations of a function that failed as a whole (threw, timed out, crashed). */
  functionErrors(fn: lambda.IFunction, period = ONE_MINUTE): cloudwatch.Metric {
    return fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period });
  }

  /** Invocations of a function that Lambda refused for lack of concurrency. */
  functionThrottles(fn: lambda.IFunction, period = ONE_MINUTE): cloudwatch.Metric {
    return fn.metricThrottles({ statistic: cloudwatch.Stats.SUM, period });
  }

  /** Messages waiting to be received. */
  queueVisibleMessages(queue: sqs.IQueue, period = ONE_MINUTE): cloudwatch.Metric {
    return queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period });
  }

  /** Messages received and not yet deleted or returned. */
  queueInFlightMessages(queue: sqs.IQueue, period = ONE_MINUTE): cloudwatch.Metric {
    return queue.metricApproximateNumberOfMessagesNotVisible({ statistic: cloudwatch.Stats.MAXIMUM, period });
  }

  /** Age, in seconds, of the oldest delivery in the main queue. */
  queueOldestMessageAge(period = ONE_MINUTE): cloudwatch.Metric {
    return this.resources.queue.metricApproximateAgeOfOldestMessage({
      statistic: cloudwatch.Stats.MAXIMUM,
      period,
    });
  }

  /**
   * Messages the dead-letter queue gained since the previous minute. Visible plus in flight, so that
   * someone polling the DLQ in the console (which hides what it shows for the visibility timeout)
   * does not look like growth when the messages reappear.
   */
  deadLetterQueueGrowth(): cloudwatch.MathExpression {
    const dlq = this.resources.deadLetterQueue;
    return new cloudwatch.MathExpression({
      expression: 'DIFF(visible + inFlight)',
      usingMetrics: { visible: this.queueVisibleMessages(dlq), inFlight: this.queueInFlightMessages(dlq) },
      period: ONE_MINUTE,
      label: 'Messages added to the dead-letter queue',
    });
  }

  /** A custom metric the receiver emits, e.g. METRICS.signatureFailures. */
  receiverMetric(
    name: CustomMetricName,
    statistic = cloudwatch.Stats.SUM,
    period = ONE_MINUTE,
  ): cloudwatch.Metric {
    return customMetric(SERVICE_NAMES.receiver, name, statistic, period);
  }

  /** A custom metric the processor emits, e.g. METRICS.processed. */
  processorMetric(
    name: CustomMetricName,
    statistic = cloudwatch.Stats.SUM,
    period = ONE_MINUTE,
  ): cloudwatch.Metric {
    return customMetric(SERVICE_NAMES.processor, name, statistic, period);
  }

  /** Accepted deliveries, one series per eventType, including types added after this was deployed. */
  deliveriesByEventType(period = ONE_MINUTE): cloudwatch.SearchExpression {
    return breakdown(SERVICE_NAMES.receiver, METRICS.deliveries, period);
  }

  /**
   * One series per value of a metric's breakdown dimension (METRIC_BREAKDOWNS), e.g. refusals by
   * reason, including values that first appear after this was deployed.
   */
  breakdown(
    service: (typeof SERVICE_NAMES)[keyof typeof SERVICE_NAMES],
    name: keyof typeof METRIC_BREAKDOWNS,
    period = ONE_MINUTE,
  ): cloudwatch.SearchExpression {
    return breakdown(service, name, period);
  }

  /** Requests the API's stage throttle answered 429: from the access log's metric filter. */
  throttledRequests(period = ONE_MINUTE): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS.namespace,
      metricName: METRICS.throttledRequests,
      statistic: cloudwatch.Stats.SUM,
      period,
    });
  }

  /**
   * Seconds since the oldest message entered the dead-letter queue. It expires 14 days after it first
   * entered the main queue, which for a message that went straight through is about the same time.
   */
  deadLetterQueueOldestMessageAge(period = Duration.hours(1)): cloudwatch.Metric {
    return this.resources.deadLetterQueue.metricApproximateAgeOfOldestMessage({
      statistic: cloudwatch.Stats.MAXIMUM,
      period,
    });
  }
}

function breakdown(service: string, name: keyof typeof METRIC_BREAKDOWNS, period: Duration) {
  const dimension = METRIC_BREAKDOWNS[name];
  return new cloudwatch.SearchExpression({
    expression:
      `SEARCH('{${METRICS.namespace},${dimension},service} MetricName="${name}" ` +
      `service="${service}"', 'Sum', ${period.toSeconds()})`,
    // A dynamic label: each series is named by its breakdown value alone.
    label: `\${PROP('Dim.${dimension}')}`,
    period,
  });
}

function customMetric(service: string, name: string, statistic: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS.namespace,
    metricName: name,
    // Powertools metrics adds `service` (POWERTOOLS_SERVICE_NAME) to every metric it emits.
    dimensionsMap: { service },
    statistic,
    period,
  });
}
