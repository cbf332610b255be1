import { archiveOptions, fleetMonth, measureArchiveSizes } from '../bench/archive-cost';
import { costPerMillion, DEFAULT_SCENARIO } from '../bench/cost-model';
import { PRICES } from '../bench/prices';

/** The archive's cost model runs the shipped writer; these check what it derives from it. */
describe('archive cost model', () => {
  let sizes: Awaited<ReturnType<typeof measureArchiveSizes>>;

  beforeAll(async () => {
    sizes = await measureArchiveSizes(1_000, 10);
  });

  it('weighs the objects the writer produces: gzip shrinks a line, and more so in a full batch', () => {
    expect(sizes.lineBytes).toBeGreaterThan(sizes.bodyBytes);
    expect(sizes.gzipBytesAlone).toBeLessThan(sizes.lineBytes);
    expect(sizes.gzipBytesInBatch).toBeLessThan(sizes.gzipBytesAlone);
  });

  it('prices one PUT per delivery at low traffic and one per batch at high traffic', () => {
    const [direct] = archiveOptions(sizes);
    expect(direct?.lowTraffic).toBeCloseTo(1000 * PRICES.s3PutPer1000Requests);
    expect(direct?.highTraffic).toBeCloseTo(100 * PRICES.s3PutPer1000Requests);
  });

  it('bills Firehose in 5 KB steps, and its type partitioning by the JQ hour', () => {
    const [, firehose, partitioned] = archiveOptions(sizes);
    expect(firehose?.lowTraffic).toBeCloseTo((5_120 * 1_000_000 * PRICES.firehosePerGbIngested) / 1e9);
    expect(partitioned?.fixedPerMonth).toBeCloseTo(730 * PRICES.firehoseJqPerHour);
  });

  it("adds the archive's PUTs and storage to the bill, and nothing when it is off", () => {
    const inputs = {
      bodyBytes: 1_000,
      receiverCpuMs: 0.2,
      processorCpuMsPerBatch: { 1: 1, 10: 5 },
      receiverLogBytesPerRequest: 300,
      processorLogBytesPerRecord: 300,
      idempotencyItemBytes: 200,
      archiveGzipBytes: { alone: sizes.gzipBytesAlone, inFullBatch: sizes.gzipBytesInBatch },
    };
    const on = costPerMillion(inputs, DEFAULT_SCENARIO);
    const off = costPerMillion(inputs, { ...DEFAULT_SCENARIO, archive: false });
    const archiveLines = on.lines.filter((line) => line.item.startsWith('S3 archive'));
    expect(archiveLines.map((line) => line.item)).toHaveLength(2);
    expect(on.total - off.total).toBeCloseTo(archiveLines.reduce((sum, line) => sum + line.usd, 0));
  });

  it('prices the named queries on a month of the fleet, the type queries reading only their partitions', () => {
    const month = fleetMonth(sizes);
    const [vehicle, , errors] = month.queries;
    expect(vehicle?.scannedBytes).toBeCloseTo(month.gzipBytesLow);
    expect(errors?.scannedBytes).toBeLessThan(vehicle?.scannedBytes ?? 0);
    for (const query of month.queries)
      expect(query.usd).toBeGreaterThanOrEqual((10 * 1024 * 1024 * PRICES.athenaPerTbScanned) / 1e12 - 1e-12);
  });
});
