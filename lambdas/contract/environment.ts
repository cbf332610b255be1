/**
 * The environment of each function, defined once: the construct writes it, the local emulator
 * writes it, and the function reads it at cold start, all through the definitions below. Names,
 * types and bounds can therefore not drift apart between the three.
 */

/** Environment variable names. */
export const ENV_VARS = {
  /** URL of the SQS queue the receiver writes deliveries to. */
  queueUrl: 'WEBHOOK_QUEUE_URL',
  /** Name or ARN of the Secrets Manager secret that holds the Application Management Token. */
  tokenSecretId: 'SMARTCAR_TOKEN_SECRET_ID',
  /** Largest request body, in bytes, the receiver accepts. */
  maxBodyBytes: 'MAX_BODY_BYTES',
  /** Oldest signed `meta.deliveredAt`, in seconds, the receiver accepts; 0 turns the check off. */
  replayToleranceSeconds: 'REPLAY_TOLERANCE_SECONDS',
  /** Seconds after a token rotation during which the previous token is still accepted; 0: never. */
  tokenRotationGraceSeconds: 'TOKEN_ROTATION_GRACE_SECONDS',
  /** DynamoDB table that holds the processor's idempotency records. */
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  /** Seconds an idempotency record for a completed event is kept. */
  idempotencyExpirySeconds: 'IDEMPOTENCY_EXPIRY_SECONDS',
  /** URL of the dead-letter queue, where the processor parks unprocessable events at once. */
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  /** DynamoDB table of the optional latest-state store. */
  latestStateTableName: 'LATEST_STATE_TABLE_NAME',
  /** S3 bucket of the delivery archive: the processor archives each batch there before it runs it. */
  archiveBucketName: 'ARCHIVE_BUCKET_NAME',
  /** S3 bucket the receiver quarantines refused Smartcar-shaped deliveries in; unset: no quarantine. */
  quarantineBucketName: 'QUARANTINE_BUCKET_NAME',
  /** Quarantine writes per second one receiver environment may make, sustained (the cost bound). */
  quarantineWritesPerSecond: 'QUARANTINE_WRITES_PER_SECOND',
  /** Quarantine writes one receiver environment may make at once before the rate applies. */
  quarantineBurst: 'QUARANTINE_BURST',
  /** Powertools service name (logger and metrics `service` dimension). */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** CloudWatch namespace of the custom metrics (Powertools metrics). */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** Powertools log level. */
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  /** Share of invocations Powertools logs at DEBUG level. */
  logSampleRate: 'POWERTOOLS_LOGGER_SAMPLE_RATE',
  /** `true` when X-Ray tracing is on: the functions then trace their AWS SDK calls. */
  traceEnabled: 'POWERTOOLS_TRACE_ENABLED',
} as const;

/** One variable: its name, whether it may be absent, and how its text becomes a value and back. */
export interface Variable<T> {
  readonly name: string;
  readonly optional: boolean;
  /** The value, or a sentence saying what is wrong (never the text itself: it may be an ARN). */
  parse(text: string): { value: T } | { problem: string };
}

type Settings<D> = {
  [K in keyof D as D[K] extends Variable<unknown> & { optional: false } ? K : never]: D[K] extends Variable<
    infer T
  >
    ? T
    : never;
} & {
  [K in keyof D as D[K] extends Variable<unknown> & { optional: true } ? K : never]?: D[K] extends Variable<
    infer T
  >
    ? T
    : never;
};

/** What a function's configuration looks like, from its definition. */
export type ConfigOf<E> = E extends Environment<infer D> ? Settings<D> : never;

/** A function's environment: read it at cold start, write it in the construct or the emulator. */
export interface Environment<D extends Record<string, Variable<unknown>>> {
  readonly variables: D;
  /** The configuration, or every problem found (a missing variable, a number out of range). */
  read(env: Readonly<Record<string, string | undefined>>): { config: Settings<D> } | { problems: string[] };
  /**
   * The variables for this configuration. `text` turns each value into its text; the construct
   * passes CDK's `Token.asString`, so values that are tokens until deploy time stay tokens.
   */
  write(config: Settings<D>, text?: (value: unknown) => string): Record<string, string>;
}

function defineEnvironment<D extends Record<string, Variable<unknown>>>(variables: D): Environment<D> {
  return {
    variables,
    read(env) {
      const config: Record<string, unknown> = {};
      const problems: string[] = [];
      for (const [key, variable] of Object.entries(variables)) {
        const raw = env[variable.name]?.trim();
        if (raw === undefined || raw === '') {
          if (!variable.optional) problems.push(`${variable.name} is not set; the CDK construct sets it.`);
          continue;
        }
        const parsed = variable.parse(raw);
        if ('problem' in parsed) problems.push(`${variable.name} ${parsed.problem}`);
        else config[key] = parsed.value;
      }
      return problems.length > 0 ? { problems } : { config: config as Settings<D> };
    },
    write(config, text = String) {
      const env: Record<string, string> = {};
      for (const [key, variable] of Object.entries(variables)) {
        const value = (config as Record<string, unknown>)[key];
        if (value !== undefined) env[variable.name] = text(value);
      }
      return env;
    },
  };
}

function text(name: string): Variable<string> & { optional: false } {
  return { name, optional: false, parse: (value) => ({ value }) };
}

function optionalText(name: string): Variable<string> & { optional: true } {
  return { name, optional: true, parse: (value) => ({ value }) };
}

function integer(name: string, min: 0 | 1): Variable<number> & { optional: false } {
  return {
    name,
    optional: false,
    parse(raw) {
      const value = Number(raw);
      return Number.isSafeInteger(value) && value >= min
        ? { value }
        : {
            problem: `must be ${min === 0 ? '0 or a positive integer' : 'a positive integer'}, got "${raw}".`,
          };
    },
  };
}

function optionalInteger(name: string, min: 0 | 1): Variable<number> & { optional: true } {
  return { ...integer(name, min), optional: true };
}

function flag(name: string): Variable<boolean> & { optional: true } {
  return {
    name,
    optional: true,
    parse(raw) {
      if (raw === 'true' || raw === 'false') return { value: raw === 'true' };
      return { problem: `must be true or false, got "${raw}".` };
    },
  };
}

function fraction(name: string): Variable<number> & { optional: true } {
  return {
    name,
    optional: true,
    parse(raw) {
      const value = Number(raw);
      return value >= 0 && value <= 1
        ? { value }
        : { problem: `must be a number from 0 to 1, got "${raw}".` };
    },
  };
}

/** What Powertools reads itself; written by the construct, optional when read. */
const powertools = {
  serviceName: optionalText(ENV_VARS.serviceName),
  metricsNamespace: optionalText(ENV_VARS.metricsNamespace),
  logLevel: optionalText(ENV_VARS.logLevel),
  logSampleRate: fraction(ENV_VARS.logSampleRate),
  traceEnabled: flag(ENV_VARS.traceEnabled),
};

/** The receiver's environment. */
export const RECEIVER_ENVIRONMENT = defineEnvironment({
  ...powertools,
  queueUrl: text(ENV_VARS.queueUrl),
  tokenSecretId: text(ENV_VARS.tokenSecretId),
  maxBodyBytes: integer(ENV_VARS.maxBodyBytes, 1),
  replayToleranceSeconds: integer(ENV_VARS.replayToleranceSeconds, 0),
  tokenRotationGraceSeconds: integer(ENV_VARS.tokenRotationGraceSeconds, 0),
  /** Set when the construct's quarantine is on (with the archive); the two below come with it. */
  quarantineBucketName: optionalText(ENV_VARS.quarantineBucketName),
  quarantineWritesPerSecond: optionalInteger(ENV_VARS.quarantineWritesPerSecond, 1),
  quarantineBurst: optionalInteger(ENV_VARS.quarantineBurst, 1),
});

/** The processor's environment. */
export const PROCESSOR_ENVIRONMENT = defineEnvironment({
  ...powertools,
  idempotencyTableName: text(ENV_VARS.idempotencyTableName),
  idempotencyExpirySeconds: integer(ENV_VARS.idempotencyExpirySeconds, 1),
  /** Set when the construct's latestState option is on. */
  latestStateTableName: optionalText(ENV_VARS.latestStateTableName),
  /** Set by the construct; without it unprocessable events take the retry path to the DLQ. */
  deadLetterQueueUrl: optionalText(ENV_VARS.deadLetterQueueUrl),
  /** Set when the construct's archive is on. */
  archiveBucketName: optionalText(ENV_VARS.archiveBucketName),
});

/** The receiver's configuration. */
export type ReceiverConfig = ConfigOf<typeof RECEIVER_ENVIRONMENT>;
/** The processor's configuration. */
export type ProcessorConfig = ConfigOf<typeof PROCESSOR_ENVIRONMENT>;
