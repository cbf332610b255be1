import type { PutObjectCommand } from '@aws-sdk/client-s3';
import { createArchiveWriter, toArchiveRecord } from '../../lambdas/processor/archive';
import { sqsRecord, vehicleStateOfSize } from '../../local/kit';
import { PRICES } from './prices';

/**
 * The archive's part of the bill, and the choice between writing objects from the processor and a
 * Kinesis Data Firehose stream, priced from the archive objects the shipped writer really produces.
 */

/** Stated assumptions; each one is printed in BENCHMARKS.md. */
export const ARCHIVE_ASSUMPTIONS = {
  /** The fleet the README's query costs are for. */
  fleetVehicles: 1_000,
  /**
   * Deliveries per vehicle per day: a VEHICLE_STATE on each subscribed trigger (ignition, charging,
   * location changes) and the periodic ones; busy fleets send more, parked ones far less.
   */
  deliveriesPerVehiclePerDay: 50,
  daysPerMonth: 30,
  /** Firehose bills each record rounded up to the next 5 KB. */
  firehoseRecordIncrementBytes: 5_120,
  /** Athena's minimum billed scan per query. */
  athenaMinimumScanBytes: 10 * 1024 * 1024,
  /** Share of a month's deliveries that are VEHICLE_ERROR (the error-history query reads only those). */
  vehicleErrorShare: 0.01,
} as const;

/** What one archived delivery weighs, measured on the writer's own output. */
export interface ArchiveSizes {
  bodyBytes: number;
  /** Uncompressed JSON line (the body escaped in a string, plus the receipt). */
  lineBytes: number;
  /** Gzip bytes per delivery when a batch holds one delivery (low traffic). */
  gzipBytesAlone: number;
  /** Gzip bytes per delivery in a full batch of `batchSize` of them (high traffic). */
  gzipBytesInBatch: number;
  batchSize: number;
}

/** Runs the shipped archive writer over `batchSize` deliveries of ~`bodyBytes` and weighs its objects. */
export async function measureArchiveSizes(bodyBytes: number, batchSize: number): Promise<ArchiveSizes> {
  const weigh = async (count: number) => {
    const bodies: Uint8Array[] = [];
    const client = {
      send: async (command: PutObjectCommand) => {
        bodies.push(command.input.Body as Uint8Array);
        return {};
      },
    } as unknown as Parameters<typeof createArchiveWriter>[0]['client'];
    const writer = createArchiveWriter({ client, bucket: 'bench' });
    // Fresh ids per delivery, as real ones have: identical lines would flatter gzip.
    const records = Array.from({ length: count }, () => sqsRecord(vehicleStateOfSize(bodyBytes)));
    await writer.archive(records);
    return bodies.reduce((sum, body) => sum + body.byteLength, 0) / count;
  };
  const line = toArchiveRecord(sqsRecord(vehicleStateOfSize(bodyBytes)));
  return {
    bodyBytes,
    lineBytes: Buffer.byteLength(`${JSON.stringify(line)}\n`),
    gzipBytesAlone: Math.round(await weigh(1)),
    gzipBytesInBatch: Math.round(await weigh(batchSize)),
    batchSize,
  };
}

/** One way to archive, priced per million deliveries at both ends of the traffic range. */
export interface ArchiveOption {
  name: string;
  /** USD per million deliveries when each batch holds one delivery. */
  lowTraffic: number;
  /** USD per million deliveries in full batches. */
  highTraffic: number;
  /** USD per month whatever the volume. */
  fixedPerMonth: number;
  /** Seconds before an archived delivery can be listed and replayed. */
  visibleAfter: string;
  note: string;
}

const MILLION = 1_000_000;
const GB = 1e9;
const HOURS_PER_MONTH = 730;

/** The chosen design and the Firehose alternatives, per million deliveries. */
export function archiveOptions(sizes: ArchiveSizes): ArchiveOption[] {
  const putPerMillion = (deliveriesPerPut: number) =>
    (MILLION / deliveriesPerPut / 1000) * PRICES.s3PutPer1000Requests;
  const firehoseIngest =
    ((MILLION *
      Math.ceil(sizes.lineBytes / ARCHIVE_ASSUMPTIONS.firehoseRecordIncrementBytes) *
      ARCHIVE_ASSUMPTIONS.firehoseRecordIncrementBytes) /
      GB) *
    PRICES.firehosePerGbIngested;
  const partitioning = ((MILLION * sizes.lineBytes) / GB) * PRICES.firehoseDynamicPartitioningPerGb;
  return [
    {
      name: 'S3 PutObject from the processor, one object per batch and partition (chosen)',
      lowTraffic: putPerMillion(1),
      highTraffic: putPerMillion(sizes.batchSize),
      fixedPerMonth: 0,
      visibleAfter: '0 s (written before the batch is processed)',
      note: 'same layout locally (fauxqs S3); type partition free',
    },
    {
      name: 'Firehose DirectPut, time prefix only',
      lowTraffic: firehoseIngest,
      highTraffic: firehoseIngest,
      fixedPerMonth: 0,
      visibleAfter: 'up to the buffer interval (60-900 s; 0 s buffers write an object per flush)',
      note: 'no event-type partition; no local emulator',
    },
    {
      name: 'Firehose with dynamic partitioning by event type (JQ)',
      lowTraffic: firehoseIngest + partitioning,
      highTraffic: firehoseIngest + partitioning,
      fixedPerMonth: HOURS_PER_MONTH * PRICES.firehoseJqPerHour,
      visibleAfter: 'as above',
      note: 'the same layout as the chosen design; no local emulator',
    },
  ];
}

/** The archive of one month of the README's fleet, and what its named queries cost to run on it. */
export function fleetMonth(sizes: ArchiveSizes): {
  deliveries: number;
  gzipBytesLow: number;
  gzipBytesHigh: number;
  storagePerMonthUsd: number;
  queries: { name: string; scannedBytes: number; usd: number }[];
} {
  const a = ARCHIVE_ASSUMPTIONS;
  const deliveries = a.fleetVehicles * a.deliveriesPerVehiclePerDay * a.daysPerMonth;
  const gzipBytesLow = deliveries * sizes.gzipBytesAlone;
  const gzipBytesHigh = deliveries * sizes.gzipBytesInBatch;
  // Athena reads whole gzip objects of the partitions a query selects (gzip is not splittable).
  const query = (name: string, scannedBytes: number) => ({
    name,
    scannedBytes,
    usd: (Math.max(scannedBytes, a.athenaMinimumScanBytes) / 1e12) * PRICES.athenaPerTbScanned,
  });
  return {
    deliveries,
    gzipBytesLow,
    gzipBytesHigh,
    storagePerMonthUsd: (gzipBytesLow / GB) * PRICES.s3StandardPerGbMonth,
    queries: [
      query('events of one vehicle in a time range (a month)', gzipBytesLow),
      query("each vehicle's latest value of a signal (a month)", gzipBytesLow),
      query('VEHICLE_ERROR opened/resolved history (a month)', gzipBytesLow * a.vehicleErrorShare),
      query('events by mode (LIVE/TEST), per day and type (a month)', gzipBytesLow),
    ],
  };
}
