import { Duration } from 'aws-cdk-lib';
import { ALARM_DEFAULTS, PROCESSOR_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { METRICS, SERVICE_NAMES } from '../../lambdas/contract';
import { propertiesOf, ref, synthWebhooks } from './synth';

const { webhooks, template } = synthWebhooks();
const customMetric = (service: string, metricName: string) => ({
  Namespace: METRICS.namespace,
  MetricName: metricName,
  Dimensions: [{ Name: 'service', Value: service }],
});
/** "Fires on the first one": a one-minute sum of at least 1 in one datapoint. */
const onFirstOccurrence = {
  Statistic: 'Sum',
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
};

describe('Smartcar signature failures alarm', () => {
  const alarm = () => propertiesOf(template, webhooks.monitoring.alarms.smartcarSignatureFailuresAlarm);

  it('fires on the first signature failure of a Smartcar-shaped delivery, within a minute', () => {
    expect(alarm()).toMatchObject({
      ...customMetric(SERVICE_NAMES.receiver, METRICS.smartcarSignatureFailures),
      ...onFirstOccurrence,
    });
  });

  it('names the likely cause, a wrong token, and where to compare it', () => {
    expect(alarm().AlarmDescription).toMatch(/wrong token.*Application Management Token/s);
  });
});

describe('signed deliveries refused alarm', () => {
  const alarm = () => propertiesOf(template, webhooks.monitoring.alarms.signedDeliveriesRefusedAlarm);

  it('fires on the first delivery refused although its signature was valid', () => {
    expect(alarm()).toMatchObject({
      ...customMetric(SERVICE_NAMES.receiver, METRICS.signedDeliveriesRefused),
      ...onFirstOccurrence,
    });
  });

  it('names the refusal reasons and what to change for each', () => {
    expect(alarm().AlarmDescription).toMatch(/OUTSIDE_REPLAY_WINDOW.*replayTolerance.*maxBodyBytes/s);
  });
});

describe('throttled requests alarm', () => {
  it("counts the stage's 429 answers with a metric filter on the access log, whose status is a string", () => {
    expect(propertiesOf(template, webhooks.monitoring.alarms.throttledRequestsFilter)).toMatchObject({
      LogGroupName: ref(webhooks.ingest.accessLogGroup),
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [
        { MetricNamespace: METRICS.namespace, MetricName: METRICS.throttledRequests, MetricValue: '1' },
      ],
    });
  });

  it('fires on the first 429, reading exactly the metric the filter writes (no dimensions)', () => {
    const alarm = propertiesOf(template, webhooks.monitoring.alarms.throttledRequestsAlarm);
    expect(alarm).toMatchObject({
      Namespace: METRICS.namespace,
      MetricName: METRICS.throttledRequests,
      ...onFirstOccurrence,
    });
    expect(alarm.Dimensions).toBeUndefined();
  });
});

describe('processing failures alarm', () => {
  const alarm = () => propertiesOf(template, webhooks.monitoring.alarms.processingFailuresAlarm);
  // The visibility timeout, 6 × 30 s + the 30 s batching window = 210 s, in whole minutes: 4.
  const visibilityMinutes = Math.ceil(
    (PROCESSOR_DEFAULTS.timeoutSeconds * PROCESSOR_DEFAULTS.visibilityTimeoutMultiplier +
      PROCESSOR_DEFAULTS.maxBatchingWindowSeconds) /
      60,
  );

  it('fires when failures are counted in 2 one-minute datapoints within one retry interval plus two minutes', () => {
    expect(alarm()).toMatchObject({
      ...customMetric(SERVICE_NAMES.processor, METRICS.processingFailures),
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: visibilityMinutes + 2,
      DatapointsToAlarm: ALARM_DEFAULTS.processingFailureDatapoints,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('widens its window with the visibility timeout, so a slower retry still counts twice', () => {
    const slow = synthWebhooks({ processorTimeout: Duration.seconds(90) });
    expect(
      propertiesOf(slow.template, slow.webhooks.monitoring.alarms.processingFailuresAlarm),
    ).toMatchObject({
      EvaluationPeriods: Math.ceil((90 * 6 + PROCESSOR_DEFAULTS.maxBatchingWindowSeconds) / 60) + 2,
    });
  });

  it('widens its window with the batching window, which delays the retry too', () => {
    const gathered = synthWebhooks({ maxBatchingWindow: Duration.minutes(5) });
    expect(
      propertiesOf(gathered.template, gathered.webhooks.monitoring.alarms.processingFailuresAlarm),
    ).toMatchObject({
      EvaluationPeriods: (PROCESSOR_DEFAULTS.timeoutSeconds * 6 + 300) / 60 + 2,
    });
  });
});

describe('processor errors alarm', () => {
  it('no longer promises to fire when every record of a batch fails, which it cannot see', () => {
    const description = String(
      propertiesOf(template, webhooks.monitoring.alarms.processorErrorsAlarm).AlarmDescription,
    );
    expect(description).toMatch(/do not count here: ProcessingFailuresAlarm/);
  });
});

describe('events parked alarm', () => {
  it('fires on the first event the processor parks in the dead-letter queue', () => {
    expect(propertiesOf(template, webhooks.monitoring.alarms.eventsParkedAlarm)).toMatchObject({
      ...customMetric(SERVICE_NAMES.processor, METRICS.eventsParked),
      ...onFirstOccurrence,
    });
  });

  it('lists the reasons an event is parked', () => {
    expect(propertiesOf(template, webhooks.monitoring.alarms.eventsParkedAlarm).AlarmDescription).toMatch(
      /UNKNOWN_EVENT_TYPE.*UNKNOWN_ENVELOPE_VERSION.*SCHEMA_INVALID.*NOT_A_SMARTCAR_EVENT.*HANDLER_REFUSED/s,
    );
  });
});

describe('archive write failures alarm', () => {
  const alarm = () => {
    const archiveAlarm = webhooks.monitoring.alarms.archiveWriteFailuresAlarm;
    if (archiveAlarm === undefined)
      throw new Error('expected the archive alarm: the archive is on by default');
    return propertiesOf(template, archiveAlarm);
  };

  it('fires on the first batch the processor could not archive', () => {
    expect(alarm()).toMatchObject({
      ...customMetric(SERVICE_NAMES.processor, METRICS.archiveWriteFailures),
      ...onFirstOccurrence,
    });
  });

  it('says that nothing is lost but nothing is processed, and what to check', () => {
    expect(alarm().AlarmDescription).toMatch(/Nothing is lost, but nothing is processed.*AccessDenied/s);
  });

  it('is absent with the archive off, which emits no such metric', () => {
    const off = synthWebhooks({ archive: false });
    expect(off.webhooks.monitoring.alarms.archiveWriteFailuresAlarm).toBeUndefined();
    off.template.resourceCountIs('AWS::CloudWatch::Alarm', webhooks.monitoring.alarms.alarms.length - 1);
  });
});

describe('dead-letter queue expiry alarm', () => {
  const retentionSeconds = PROCESSOR_DEFAULTS.deadLetterRetentionDays * 24 * 3600;

  it('fires when the oldest dead-lettered event has 4 days of its 14 left', () => {
    expect(propertiesOf(template, webhooks.monitoring.alarms.deadLetterQueueExpiryAlarm)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [ref(webhooks.processing.deadLetterQueue).Ref, 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      Period: 3600,
      Threshold: retentionSeconds - ALARM_DEFAULTS.deadLetterExpiryWarningDays * 24 * 3600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('takes the warning from alarms.deadLetterExpiryWarning', () => {
    const custom = synthWebhooks({ alarms: { deadLetterExpiryWarning: Duration.days(7) } });
    expect(
      propertiesOf(custom.template, custom.webhooks.monitoring.alarms.deadLetterQueueExpiryAlarm),
    ).toMatchObject({
      Threshold: retentionSeconds - 7 * 24 * 3600,
    });
  });

  it.each([Duration.minutes(30), Duration.days(14), Duration.days(20)])(
    'rejects a warning of %s, not whole hours below the retention',
    (warning) => {
      expect(() => synthWebhooks({ alarms: { deadLetterExpiryWarning: warning } })).toThrow(
        /deadLetterExpiryWarning must be whole hours/,
      );
    },
  );

  it('says what an OK after expiry means', () => {
    expect(
      propertiesOf(template, webhooks.monitoring.alarms.deadLetterQueueExpiryAlarm).AlarmDescription,
    ).toMatch(/go back to OK as if the problem were fixed/);
  });
});

describe('delivery silence alarm', () => {
  it('fires after 24 hourly datapoints without an accepted delivery, missing data counting as silence', () => {
    const { deliverySilenceAlarm } = webhooks.monitoring.alarms;
    if (deliverySilenceAlarm === undefined) throw new Error('expected the silence alarm');
    expect(propertiesOf(template, deliverySilenceAlarm)).toMatchObject({
      ...customMetric(SERVICE_NAMES.receiver, METRICS.deliveries),
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: ALARM_DEFAULTS.deliverySilenceHours,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('uses one datapoint for a silence of up to an hour', () => {
    const short = synthWebhooks({ alarms: { deliverySilence: Duration.minutes(30) } });
    const alarm = short.webhooks.monitoring.alarms.deliverySilenceAlarm;
    if (alarm === undefined) throw new Error('expected the silence alarm');
    expect(propertiesOf(short.template, alarm)).toMatchObject({ Period: 1800, EvaluationPeriods: 1 });
  });

  it('is off when alarms.deliverySilence is 0', () => {
    const off = synthWebhooks({ alarms: { deliverySilence: Duration.seconds(0) } });
    expect(off.webhooks.monitoring.alarms.deliverySilenceAlarm).toBeUndefined();
    off.template.resourceCountIs('AWS::CloudWatch::Alarm', webhooks.monitoring.alarms.alarms.length - 1);
  });

  it.each([Duration.seconds(90), Duration.minutes(90), Duration.days(8)])(
    'rejects a silence of %s, which CloudWatch cannot evaluate',
    (silence) => {
      expect(() => synthWebhooks({ alarms: { deliverySilence: silence } })).toThrow(
        /deliverySilence must be whole minutes up to 1 hour, or whole hours up to 7 days/,
      );
    },
  );

  it('names the causes to check: the webhook in the Dashboard, a changed URL, refusals', () => {
    const { deliverySilenceAlarm } = webhooks.monitoring.alarms;
    expect(deliverySilenceAlarm && propertiesOf(template, deliverySilenceAlarm).AlarmDescription).toMatch(
      /disabled or deleted in the Smartcar Dashboard.*callback URL.*refused/s,
    );
  });
});
