import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BODY_SIZES } from './bodies';
import { measureColdStart } from './cold-start';
import { archiveOptions, fleetMonth, measureArchiveSizes } from './archive-cost';
import { alternativeScenarios, BEFORE_SCENARIO, COST_ASSUMPTIONS, costPerMillion } from './cost-model';
import { deployedScenario } from './deployed-settings';
import { measurePipeline } from './pipeline-load';
import { measureProcessorCpu } from './processor-cpu';
import { renderReport } from './report';
import { progress } from './stats';
import { PROCESSOR_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { measureReceiverCpu } from './receiver-cpu';

const ROOT = path.join(__dirname, '..', '..');
const RESULTS_FILE = path.join(ROOT, 'bench-results.json');

/** The parts BENCH_ONLY can pick; the cost model is always recomputed. */
const PARTS = ['cpu', 'cold', 'pipeline'] as const;
type Part = (typeof PARTS)[number];

/**
 * `npm run bench`: runs every benchmark, writes bench-results.json and BENCHMARKS.md.
 * BENCH_ONLY=cpu,cold,pipeline (any of them, comma-separated; `cost` is accepted and always runs)
 * re-measures only those parts and keeps the others' figures from the previous bench-results.json.
 */
async function main(): Promise<void> {
  const deliveries = Number(process.env.BENCH_DELIVERIES ?? 10_000);
  if (!Number.isInteger(deliveries) || deliveries < 100)
    throw new Error('BENCH_DELIVERIES must be a whole number ≥ 100.');
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '' && p !== 'cost');
  const unknown = only.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown part(s) ${unknown.join(', ')}`);
  const runs = (part: Part) => only.length === 0 || only.includes(part);
  const reused = PARTS.filter((part) => !runs(part));
  const previous =
    reused.length > 0 && existsSync(RESULTS_FILE)
      ? (JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Partial<BenchResults>)
      : {};
  const keep = <K extends keyof BenchResults>(key: K): BenchResults[K] => {
    const value = previous[key];
    if (value === undefined) throw new Error(`BENCH_ONLY skips ${key} but bench-results.json has none`);
    return value as BenchResults[K];
  };
  const startedAt = new Date();

  let receiver: BenchResults['receiver'];
  let processor: BenchResults['processor'];
  if (runs('cpu')) {
    receiver = [];
    for (const [label, bytes] of Object.entries(BODY_SIZES)) {
      progress(`receiver CPU: ${label}`);
      receiver.push({
        label,
        ...(await measureReceiverCpu({ bodyBytes: bytes, runs: 5, iterations: 2000, warmup: 1000 })),
      });
    }
    processor = [];
    for (const batchSize of [1, 5, PROCESSOR_DEFAULTS.batchSize]) {
      progress(`processor CPU: batch of ${batchSize}`);
      processor.push(
        await measureProcessorCpu({
          bodyBytes: BODY_SIZES['1 KB'],
          batchSize,
          runs: 5,
          iterations: Math.max(200, Math.round(2000 / batchSize)),
          warmup: Math.max(100, Math.round(1000 / batchSize)),
        }),
      );
    }
  } else {
    receiver = keep('receiver');
    processor = keep('processor');
  }
  const coldStart = runs('cold') ? await measureColdStart(7) : keep('coldStart');
  const pipeline = runs('pipeline')
    ? await measurePipeline({
        deliveries,
        concurrency: 20,
        duplicateShare: 0.05,
        poisonShare: 0.01,
      })
    : keep('pipeline');

  const oneKb = receiver[0];
  const batch = (records: number) => coldStart.warm.find((w) => w.records === records);
  const fullBatch = batch(PROCESSOR_DEFAULTS.batchSize);
  if (oneKb === undefined || fullBatch === undefined)
    throw new Error('missing measurements for the cost model');
  progress('archive: weighing the objects the writer produces');
  const archiveSizes = await measureArchiveSizes(oneKb.bodyBytes, PROCESSOR_DEFAULTS.batchSize);
  const costInputs = {
    bodyBytes: oneKb.bodyBytes,
    receiverCpuMs: oneKb.receiverP50Ms,
    processorCpuMsPerBatch: Object.fromEntries(processor.map((p) => [p.batchSize, p.processorP50Ms])),
    receiverLogBytesPerRequest: oneKb.logBytesPerRequest,
    processorLogBytesPerRecord: Math.round(fullBatch.logBytesPerInvoke / fullBatch.records),
    idempotencyItemBytes: coldStart.idempotencyItemBytes,
    archiveGzipBytes: { alone: archiveSizes.gzipBytesAlone, inFullBatch: archiveSizes.gzipBytesInBatch },
  };
  const deployed = deployedScenario();
  const cost = {
    inputs: costInputs,
    deployed: { scenario: deployed, ...costPerMillion(costInputs, deployed) },
    byRate: COST_ASSUMPTIONS.deliveriesPerSecond.map((deliveriesPerSecond) => ({
      deliveriesPerSecond,
      deployed: costPerMillion(costInputs, deployed, deliveriesPerSecond),
      before: costPerMillion(costInputs, { ...deployed, ...BEFORE_SCENARIO }, deliveriesPerSecond),
    })),
    alternatives: alternativeScenarios(deployed).map((scenario) => ({
      scenario,
      total: costPerMillion(costInputs, scenario).total,
    })),
    archive: {
      sizes: archiveSizes,
      options: archiveOptions(archiveSizes),
      fleetMonth: fleetMonth(archiveSizes),
    },
  };
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    // A part the previous run had kept too still comes from the run that measured it.
    reused: reused.map((part) => ({
      part,
      from: previous.reused?.find((x) => x.part === part)?.from ?? previous.startedAt ?? 'unknown',
    })),
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      node: process.version,
      platform: process.platform,
    },
    receiver,
    processor,
    coldStart,
    pipeline,
    cost,
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), renderReport(results));
  progress('wrote BENCHMARKS.md and bench-results.json');
  const failed = pipeline.checks.filter((check) => !check.ok);
  if (failed.length > 0) {
    progress(
      `pipeline checks failed: ${failed.map((c) => `${c.name} (expected ${c.expected}, got ${c.actual})`).join('; ')}`,
    );
    process.exitCode = 1;
  }
}

/** The shape of bench-results.json. */
export type BenchResults = {
  startedAt: string;
  /** Parts not re-measured in this run (BENCH_ONLY), with the run their figures come from. */
  reused: { part: Part; from: string }[];
  finishedAt: string;
  machine: { cpus: number; cpuModel?: string; node: string; platform: string };
  receiver: ({ label: string } & Awaited<ReturnType<typeof measureReceiverCpu>>)[];
  processor: Awaited<ReturnType<typeof measureProcessorCpu>>[];
  coldStart: Awaited<ReturnType<typeof measureColdStart>>;
  pipeline: Awaited<ReturnType<typeof measurePipeline>>;
  cost: {
    inputs: Parameters<typeof costPerMillion>[0];
    deployed: { scenario: ReturnType<typeof deployedScenario> } & ReturnType<typeof costPerMillion>;
    /** The deployed settings and the settings before issue 14 at each rate of COST_ASSUMPTIONS. */
    byRate: {
      deliveriesPerSecond: number;
      deployed: ReturnType<typeof costPerMillion>;
      before: ReturnType<typeof costPerMillion>;
    }[];
    alternatives: { scenario: ReturnType<typeof alternativeScenarios>[number]; total: number }[];
    archive: {
      sizes: Awaited<ReturnType<typeof measureArchiveSizes>>;
      options: ReturnType<typeof archiveOptions>;
      fleetMonth: ReturnType<typeof fleetMonth>;
    };
  };
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
