import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BODY_SIZES } from './bodies';
import { measureColdStart } from './cold-start';
import { alternativeScenarios, costPerMillion, DEFAULT_SCENARIO } from './cost-model';
import { measurePipeline } from './pipeline-load';
import { renderReport } from './report';
import { progress } from './stats';
import { measureReceiverCpu } from './receiver-cpu';

const ROOT = path.join(__dirname, '..', '..');

/** `npm run bench`: runs every benchmark, writes bench-results.json and BENCHMARKS.md. */
async function main(): Promise<void> {
  const deliveries = Number(process.env.BENCH_DELIVERIES ?? 10_000);
  if (!Number.isInteger(deliveries) || deliveries < 100)
    throw new Error('BENCH_DELIVERIES must be a whole number ≥ 100.');
  const startedAt = new Date();

  const receiver = [];
  for (const [label, bytes] of Object.entries(BODY_SIZES)) {
    progress(`receiver CPU: ${label}`);
    receiver.push({
      label,
      ...(await measureReceiverCpu({ bodyBytes: bytes, runs: 5, iterations: 2000, warmup: 1000 })),
    });
  }
  const coldStart = await measureColdStart(7);
  const pipeline = await measurePipeline({
    deliveries,
    concurrency: 20,
    duplicateShare: 0.05,
    poisonShare: 0.01,
  });

  const oneKb = receiver[0];
  const batch = (records: number) => coldStart.warm.find((w) => w.records === records);
  const batchOf10 = batch(10);
  if (oneKb === undefined || batchOf10 === undefined)
    throw new Error('missing measurements for the cost model');
  const costInputs = {
    bodyBytes: oneKb.bodyBytes,
    receiverCpuMs: oneKb.receiverP50Ms,
    processorBatchMs: Object.fromEntries(coldStart.warm.map((w) => [w.records, w.invokeP50Ms])),
    receiverLogBytesPerRequest: oneKb.logBytesPerRequest,
    processorLogBytesPerRecord: Math.round(batchOf10.logBytesPerInvoke / batchOf10.records),
    idempotencyItemBytes: coldStart.idempotencyItemBytes,
  };
  const cost = {
    inputs: costInputs,
    deployed: costPerMillion(costInputs, DEFAULT_SCENARIO),
    alternatives: alternativeScenarios().map((scenario) => ({
      scenario,
      total: costPerMillion(costInputs, scenario).total,
    })),
  };
  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      node: process.version,
      platform: process.platform,
    },
    receiver,
    coldStart,
    pipeline,
    cost,
  };
  writeFileSync(path.join(ROOT, 'bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
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
  finishedAt: string;
  machine: { cpus: number; cpuModel?: string; node: string; platform: string };
  receiver: ({ label: string } & Awaited<ReturnType<typeof measureReceiverCpu>>)[];
  coldStart: Awaited<ReturnType<typeof measureColdStart>>;
  pipeline: Awaited<ReturnType<typeof measurePipeline>>;
  cost: {
    inputs: Parameters<typeof costPerMillion>[0];
    deployed: ReturnType<typeof costPerMillion>;
    alternatives: { scenario: ReturnType<typeof alternativeScenarios>[number]; total: number }[];
  };
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
