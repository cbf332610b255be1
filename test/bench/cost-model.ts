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
  /** Lambda START/END/REPORT lines per invocation, bytes. */
  platformLogBytesPerInvocation: 350,
  /** API Gateway access log line per request, bytes (the construct's JSON format). */
  accessLogBytesPerRequest: 250,
  /** Sustained delivery rate, for the Secrets Manager and X-Ray figures (both depend on rate, not volume). */
  deliveriesPerSecond: 10,
  /** Warm receiver execution environments at that rate. */
  receiverEnvironments: 2,
  /** X-Ray default sampling: the first request each second, then 5 % of the rest. */
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
  batchSize: number;
  /** The delivery archive on S3 (the construct's `archive` prop). */
  archive: boolean;
}

/** One line of the bill per million deliveries. */
export interface CostLine {
  item: string;
  quantity: string;
  usd: number;
}

/** The deployed defaults: HTTP API, the memory sizes and batch size of the construct. */
export const DEFAULT_SCENARIO: CostScenario = {
  name: 'as deployed (HTTP API, 512/512 MB, batch 10)',
  api: 'HTTP',
  receiverMemoryMb: RECEIVER_DEFAULTS.memorySizeMb,
  processorMemoryMb: PROCESSOR_DEFAULTS.memorySizeMb,
  batchSize: PROCESSOR_DEFAULTS.batchSize,
  archive: true,
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

/** The itemized bill for one million deliveries (all unique and valid) under `scenario`. */
export function costPerMillion(
  inputs: CostInputs,
  scenario: CostScenario,
): { lines: CostLine[]; total: number } {
  const a = COST_ASSUMPTIONS;
  const chunks = (bytes: number) => Math.max(1, Math.ceil(bytes / 65_536));
  const batches = MILLION / scenario.batchSize;
  const receiverMs = billedMs(inputs.receiverCpuMs, a.sqsSendMs, scenario.receiverMemoryMb);
  const batchMs = billedMs(
    processorCpuMs(inputs, scenario.batchSize),
    processorWaitMs(),
    scenario.processorMemoryMb,
  );
  const gbSeconds = (invocations: number, ms: number, memoryMb: number) =>
    (invocations * ms * memoryMb) / 1000 / 1024;
  const receiverGbS = gbSeconds(MILLION, receiverMs, scenario.receiverMemoryMb);
  const processorGbS = gbSeconds(batches, batchMs, scenario.processorMemoryMb);
  const sqsRequests =
    MILLION * chunks(inputs.bodyBytes) + batches * chunks(scenario.batchSize * inputs.bodyBytes) + batches;
  const wruPerWrite = Math.max(1, Math.ceil(inputs.idempotencyItemBytes / 1024));
  const storageGbMonths =
    (MILLION * (inputs.idempotencyItemBytes + a.dynamoDbItemOverheadBytes) * a.idempotencyRetentionDays) /
    30 /
    1e9;
  const secondsForMillion = MILLION / a.deliveriesPerSecond;
  const secretCalls = a.receiverEnvironments * Math.ceil(secondsForMillion / TOKEN_CACHE.cacheSeconds);
  const logBytes =
    MILLION *
      (inputs.receiverLogBytesPerRequest + inputs.processorLogBytesPerRecord + a.accessLogBytesPerRequest) +
    (MILLION + batches) * a.platformLogBytesPerInvocation;
  const sampledShare =
    (a.xrayReservoirPerSecond +
      a.xrayFixedRate * Math.max(0, a.deliveriesPerSecond - a.xrayReservoirPerSecond)) /
    a.deliveriesPerSecond;
  const traces = sampledShare * (MILLION + batches);
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
      quantity: `${fmt(batches)} invocations (batch ${scenario.batchSize})`,
      usd: (batches / MILLION) * PRICES.lambdaPerMillionRequests,
    },
    {
      item: `Processor Lambda duration (arm64, ${scenario.processorMemoryMb} MB)`,
      quantity: `${batchMs} ms billed × ${fmt(batches)} = ${fmt(processorGbS)} GB-s`,
      usd: processorGbS * PRICES.lambdaArmPerGbSecond,
    },
    {
      item: 'SQS requests (send + receive + delete batch, 64 KB chunks)',
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
      item: 'CloudWatch Logs ingestion (logs, EMF metrics, platform lines, access log)',
      quantity: `${(logBytes / 1e9).toFixed(2)} GB`,
      usd: (logBytes / 1e9) * PRICES.cloudWatchLogsPerGbIngested,
    },
    {
      item: 'X-Ray traces (tracing on by default; default sampling)',
      quantity: `${fmt(traces)} traces`,
      usd: (traces / MILLION) * PRICES.xrayPerMillionTraces,
    },
  ];
  if (scenario.archive) {
    // One object per batch (a batch spanning an hour boundary or several event types writes one per
    // partition: rare at full batches, never at batches of 1).
    const archiveBytes =
      MILLION *
      (scenario.batchSize === 1 ? inputs.archiveGzipBytes.alone : inputs.archiveGzipBytes.inFullBatch);
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
  return { lines, total: lines.reduce((sum, line) => sum + line.usd, 0) };
}

/** The alternatives the issue asks about, each changing one thing from `base` (the deployed settings). */
export function alternativeScenarios(base: CostScenario = DEFAULT_SCENARIO): CostScenario[] {
  return [
    base,
    { ...base, name: 'REST API instead of HTTP API', api: 'REST' },
    ...[256, 1024].map((memory) => ({
      ...base,
      name: `both functions at ${memory} MB`,
      receiverMemoryMb: memory,
      processorMemoryMb: memory,
    })),
    {
      ...base,
      name: 'batch size 1, or low traffic (each poll finds one delivery)',
      batchSize: 1,
    },
    { ...base, name: 'batch size 5', batchSize: 5 },
    { ...base, name: 'archive off', archive: false },
  ];
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
