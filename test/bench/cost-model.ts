import { TOKEN_CACHE } from '../../lambdas/receiver/tuning';
import { PROCESSOR_DEFAULTS, RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { PRICES } from './prices';

/** Stated assumptions of the model; each one is printed in BENCHMARKS.md. */
export const COST_ASSUMPTIONS = {
  /** Lambda memory at which a function gets one full vCPU; below it CPU time stretches in proportion. */
  fullVcpuMemoryMb: 1769,
  /** Wall time the receiver waits on one SQS SendMessage in region. */
  sqsSendMs: 10,
  /** Wall time of one DynamoDB call in region (PutItem or UpdateItem of a small item). */
  dynamoDbCallMs: 5,
  /**
   * DynamoDB calls per record, one after the other (idempotency PutItem, then UpdateItem once the
   * handlers are done; the latest-state store is off). Powertools' BatchProcessor runs the records of
   * a batch in parallel (its default, which lambdas/processor/index.ts keeps), so an invocation waits
   * on DynamoDB about dynamoDbCallsPerRecord × dynamoDbCallMs whatever the batch size.
   */
  dynamoDbCallsPerRecord: 2,
  /** Lambda START/END/REPORT lines per invocation, bytes, when the log-level filter does not drop them. */
  platformLogBytesPerInvocation: 350,
  /**
   * API Gateway access log line per request, bytes: the construct's six-field JSON line is 153 B
   * for an IPv4 caller (a sample rendered by hand; an IPv6 address adds up to 24).
   */
  accessLogBytesPerRequest: 160,
  /** Sustained delivery rates the bill is shown for; the first figure of the summary is at the middle one. */
  deliveriesPerSecond: [1, 10, 100],
  /** The rate of the headline figure and of the one-change-at-a-time scenarios. */
  headlineDeliveriesPerSecond: 10,
  /**
   * Batches the SQS event source gathers at once: Lambda starts with five pollers and adds more only
   * for a backlog, which a sustained rate it keeps up with never builds. A batching window fills a
   * batch with what reaches its poller in the window: rate × window / pollers, up to the batch size.
   * Without a window a poller invokes with what one receive returns: about one delivery at these rates.
   */
  pollers: 5,
  /** SQS ReceiveMessage and DeleteMessageBatch take at most 10 messages each. */
  messagesPerSqsCall: 10,
  /** Warm receiver execution environments (each reads the token once per cache period). */
  receiverEnvironments: 2,
  /** X-Ray sampling of Lambda's active tracing: the first request each second, then 5 % of the rest (not configurable). */
  xrayReservoirPerSecond: 1,
  xrayFixedRate: 0.05,
  /** Idempotency records live this long (IDEMPOTENCY_DEFAULTS.expirySeconds) plus DynamoDB's per-item overhead. */
  idempotencyRetentionDays: 7,
  dynamoDbItemOverheadBytes: 100,
} as const;

/** Measured inputs of the model. */
export interface CostInputs {
  bodyBytes: number;
  /** Receiver CPU ms per request, in process on a full core (benchmark 1, p50). */
  receiverCpuMs: number;
  /**
   * Processor CPU ms per warm invocation by batch size, in process on a full core with DynamoDB
   * mocked at the client (benchmark 1b, p50). The dynalite timings of benchmark 2 are not used: they
   * include the emulator's own work on the same machine.
   */
  processorCpuMsPerBatch: Record<number, number>;
  receiverLogBytesPerRequest: number;
  /** Processor log + EMF bytes per record. */
  processorLogBytesPerRecord: number;
  idempotencyItemBytes: number;
  /** Gzip bytes per archived delivery: alone in its object (batch of 1), and in a full batch. */
  archiveGzipBytes: { alone: number; inFullBatch: number };
}

/** One configuration to price. */
export interface CostScenario {
  name: string;
  api: 'HTTP' | 'REST';
  receiverMemoryMb: number;
  processorMemoryMb: number;
  /** The event source's most records per batch. */
  batchSize: number;
  /** Its MaximumBatchingWindowInSeconds (0: none). */
  maxBatchingWindowSeconds: number;
  /** The delivery archive on S3 (the construct's `archive` prop). */
  archive: boolean;
  /** X-Ray active tracing on both functions. */
  tracing: boolean;
  /** Lambda writes its START/END/REPORT lines (no system log-level filter). */
  platformLogLines: boolean;
}

/** One line of the bill per million deliveries. */
export interface CostLine {
  item: string;
  quantity: string;
  usd: number;
}

/** The construct's defaults, for tests; the bench prices what `cdk synth` writes (deployed-settings.ts). */
export const DEFAULT_SCENARIO: CostScenario = {
  name: 'construct defaults',
  api: 'HTTP',
  receiverMemoryMb: RECEIVER_DEFAULTS.memorySizeMb,
  processorMemoryMb: PROCESSOR_DEFAULTS.memorySizeMb,
  batchSize: PROCESSOR_DEFAULTS.batchSize,
  maxBatchingWindowSeconds: PROCESSOR_DEFAULTS.maxBatchingWindowSeconds,
  archive: true,
  tracing: false,
  platformLogLines: false,
};

/** What the stack synthesized before issue 14, priced by this model for comparison. */
export const BEFORE_SCENARIO: Omit<CostScenario, 'receiverMemoryMb' | 'processorMemoryMb'> = {
  name: 'the settings before (batch 10, no batching window, tracing on, platform lines)',
  api: 'HTTP',
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  archive: true,
  tracing: true,
  platformLogLines: true,
};

const MILLION = 1_000_000;

/** CPU time measured on a full core, stretched for a smaller function, plus I/O wait. */
function billedMs(cpuMs: number, waitMs: number, memoryMb: number): number {
  const stretch = Math.max(1, COST_ASSUMPTIONS.fullVcpuMemoryMb / memoryMb);
  return Math.ceil(cpuMs * stretch + waitMs);
}

/** Wall time a processor invocation waits on DynamoDB: records in parallel, calls in a record in sequence. */
export function processorWaitMs(): number {
  return COST_ASSUMPTIONS.dynamoDbCallsPerRecord * COST_ASSUMPTIONS.dynamoDbCallMs;
}

/** Processor CPU ms for `batchSize` records: measured sizes, linear in between. */
function processorCpuMs(inputs: CostInputs, batchSize: number): number {
  const perBatch = inputs.processorCpuMsPerBatch;
  const sizes = Object.keys(perBatch)
    .map(Number)
    .sort((a, b) => a - b);
  const exact = perBatch[batchSize];
  if (exact !== undefined) return exact;
  const lower = [...sizes].reverse().find((s) => s < batchSize) ?? (sizes[0] as number);
  const upper = sizes.find((s) => s > batchSize) ?? (sizes[sizes.length - 1] as number);
  const a = perBatch[lower] as number;
  const b = perBatch[upper] as number;
  return upper === lower ? a : a + ((b - a) * (batchSize - lower)) / (upper - lower);
}

/** Records per processor invocation at `deliveriesPerSecond` (see COST_ASSUMPTIONS.pollers). */
export function batchFill(scenario: CostScenario, deliveriesPerSecond: number): number {
  const gathered = (deliveriesPerSecond * scenario.maxBatchingWindowSeconds) / COST_ASSUMPTIONS.pollers;
  return Math.min(scenario.batchSize, Math.max(1, Math.floor(gathered)));
}

/** The itemized bill for one million deliveries (all unique and valid) under `scenario`. */
export function costPerMillion(
  inputs: CostInputs,
  scenario: CostScenario,
  deliveriesPerSecond: number = COST_ASSUMPTIONS.headlineDeliveriesPerSecond,
): { lines: CostLine[]; total: number; batchFill: number } {
  const a = COST_ASSUMPTIONS;
  const chunks = (bytes: number) => Math.max(1, Math.ceil(bytes / 65_536));
  const fill = batchFill(scenario, deliveriesPerSecond);
  const batches = MILLION / fill;
  const sqsCallsPerBatch = Math.ceil(fill / a.messagesPerSqsCall);
  const receiverMs = billedMs(inputs.receiverCpuMs, a.sqsSendMs, scenario.receiverMemoryMb);
  const batchMs = billedMs(processorCpuMs(inputs, fill), processorWaitMs(), scenario.processorMemoryMb);
  const gbSeconds = (invocations: number, ms: number, memoryMb: number) =>
    (invocations * ms * memoryMb) / 1000 / 1024;
  const receiverGbS = gbSeconds(MILLION, receiverMs, scenario.receiverMemoryMb);
  const processorGbS = gbSeconds(batches, batchMs, scenario.processorMemoryMb);
  // Each receive of a batch counted in 64 KB chunks of what it carries; one DeleteMessageBatch per 10.
  const sqsRequests =
    MILLION * chunks(inputs.bodyBytes) +
    batches * sqsCallsPerBatch * chunks(Math.min(fill, a.messagesPerSqsCall) * inputs.bodyBytes) +
    batches * sqsCallsPerBatch;
  const wruPerWrite = Math.max(1, Math.ceil(inputs.idempotencyItemBytes / 1024));
  const storageGbMonths =
    (MILLION * (inputs.idempotencyItemBytes + a.dynamoDbItemOverheadBytes) * a.idempotencyRetentionDays) /
    30 /
    1e9;
  const secondsForMillion = MILLION / deliveriesPerSecond;
  const secretCalls = a.receiverEnvironments * Math.ceil(secondsForMillion / TOKEN_CACHE.cacheSeconds);
  const logBytes =
    MILLION *
      (inputs.receiverLogBytesPerRequest + inputs.processorLogBytesPerRecord + a.accessLogBytesPerRequest) +
    (scenario.platformLogLines ? (MILLION + batches) * a.platformLogBytesPerInvocation : 0);
  const sampledShare = Math.min(
    1,
    (a.xrayReservoirPerSecond +
      a.xrayFixedRate * Math.max(0, deliveriesPerSecond - a.xrayReservoirPerSecond)) /
      deliveriesPerSecond,
  );
  const traces = scenario.tracing ? sampledShare * (MILLION + batches) : 0;
  const apiPrice =
    scenario.api === 'HTTP' ? PRICES.httpApiPerMillionRequests : PRICES.restApiPerMillionRequests;
  const lines: CostLine[] = [
    { item: `API Gateway ${scenario.api} API requests`, quantity: '1,000,000 requests', usd: apiPrice },
    {
      item: 'Receiver Lambda requests',
      quantity: '1,000,000 invocations',
      usd: PRICES.lambdaPerMillionRequests,
    },
    {
      item: `Receiver Lambda duration (arm64, ${scenario.receiverMemoryMb} MB)`,
      quantity: `${receiverMs} ms billed × 1 M = ${fmt(receiverGbS)} GB-s`,
      usd: receiverGbS * PRICES.lambdaArmPerGbSecond,
    },
    {
      item: 'Processor Lambda requests',
      quantity: `${fmt(batches)} invocations (${fill} per batch)`,
      usd: (batches / MILLION) * PRICES.lambdaPerMillionRequests,
    },
    {
      item: `Processor Lambda duration (arm64, ${scenario.processorMemoryMb} MB)`,
      quantity: `${batchMs} ms billed × ${fmt(batches)} = ${fmt(processorGbS)} GB-s`,
      usd: processorGbS * PRICES.lambdaArmPerGbSecond,
    },
    {
      item: 'SQS requests (send; receive and delete batch per 10 records; 64 KB chunks)',
      quantity: `${fmt(sqsRequests)} requests`,
      usd: (sqsRequests / MILLION) * PRICES.sqsPerMillionRequests,
    },
    {
      item: 'DynamoDB idempotency writes (PutItem + UpdateItem)',
      quantity: `${fmt(2 * wruPerWrite * MILLION)} WRU (${inputs.idempotencyItemBytes} B items)`,
      usd: ((2 * wruPerWrite * MILLION) / MILLION) * PRICES.dynamoDbPerMillionWru,
    },
    {
      item: 'DynamoDB idempotency storage (7-day TTL)',
      quantity: `${storageGbMonths.toFixed(4)} GB-months`,
      usd: storageGbMonths * PRICES.dynamoDbPerGbMonth,
    },
    {
      item: 'Secrets Manager GetSecretValue (cached 5 min per environment)',
      quantity: `${fmt(secretCalls)} calls`,
      usd: (secretCalls / 10_000) * PRICES.secretsManagerPer10kCalls,
    },
    {
      item: `CloudWatch Logs ingestion (logs, EMF metrics, access log${scenario.platformLogLines ? ', platform lines' : ''})`,
      quantity: `${(logBytes / 1e9).toFixed(2)} GB`,
      usd: (logBytes / 1e9) * PRICES.cloudWatchLogsPerGbIngested,
    },
    {
      item: `X-Ray traces (${scenario.tracing ? "tracing on; Lambda's fixed sampling" : 'tracing off'})`,
      quantity: `${fmt(traces)} traces`,
      usd: (traces / MILLION) * PRICES.xrayPerMillionTraces,
    },
  ];
  if (scenario.archive) {
    // One object per batch (a batch spanning an hour boundary or several event types writes one per
    // partition: rare at full batches, never at batches of 1).
    const archiveBytes =
      MILLION * (fill === 1 ? inputs.archiveGzipBytes.alone : inputs.archiveGzipBytes.inFullBatch);
    lines.push(
      {
        item: 'S3 archive PutObject (one object per batch)',
        quantity: `${fmt(batches)} PUTs`,
        usd: (batches / 1000) * PRICES.s3PutPer1000Requests,
      },
      {
        item: 'S3 archive storage (gzip JSON Lines), per month it is kept',
        quantity: `${(archiveBytes / 1e9).toFixed(2)} GB-months`,
        usd: (archiveBytes / 1e9) * PRICES.s3StandardPerGbMonth,
      },
    );
  }
  return { lines, total: lines.reduce((sum, line) => sum + line.usd, 0), batchFill: fill };
}

/** The alternatives the issue asks about, each changing one thing from `base` (the deployed settings). */
export function alternativeScenarios(base: CostScenario = DEFAULT_SCENARIO): CostScenario[] {
  return [
    base,
    {
      ...base,
      ...BEFORE_SCENARIO,
    },
    { ...base, name: 'REST API instead of HTTP API', api: 'REST' },
    ...[256, 1024].map((memory) => ({
      ...base,
      name: `both functions at ${memory} MB`,
      receiverMemoryMb: memory,
      processorMemoryMb: memory,
    })),
    { ...base, name: 'no batching window (batch size 10)', maxBatchingWindowSeconds: 0, batchSize: 10 },
    { ...base, name: 'a 5 s batching window', maxBatchingWindowSeconds: 5 },
    { ...base, name: 'a 60 s batching window', maxBatchingWindowSeconds: 60 },
    { ...base, name: 'tracing on', tracing: true },
    { ...base, name: 'platform lines kept (debugLogSampleRate above 0)', platformLogLines: true },
    { ...base, name: 'archive off', archive: false },
  ];
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
