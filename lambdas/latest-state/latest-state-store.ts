import { LATEST_STATE_TABLE } from '../contract';
/**
 * The latest-state store: each vehicle's newest value per signal, safe against Smartcar's
 * unordered, concurrent and repeated deliveries.
 *
 * ## Table
 * One item per (vehicle, signal): partition key `vehicleId` (S), sort key `signalCode` (S)
 * ({@link LATEST_STATE_DEFAULTS}). Attributes:
 * - `value` (M): body of the newest successful report; `observedAt` (N, epoch ms): its timestamp;
 *   `eventId` (S): the event that delivered it.
 * - `lastError` (M): `{ type, code, observedAt, eventId }` of the newest error report.
 * - `updatedAt` (N, epoch ms): wall clock of the last write (informational, never compared).
 *
 * ## Ordering
 * Reports are ordered by (observedAt, eventId): the signal's own timestamp, never arrival time.
 * Every write is one UpdateItem whose condition accepts only a report newer than the stored one.
 * - Equal timestamps from different events: the greater `eventId` wins (UTF-8 byte order). Any
 *   fixed rule would do; this one needs no read and ends in the same item in every order.
 * - A redelivery (same event, same timestamp) rewrites its own values: nothing changes, and a
 *   retried event is told, truthfully, that its signals are the newest.
 * - A failed condition is no error: `{ written: false, reason: 'stale' }`. Anything else DynamoDB
 *   throws is rethrown, so the SQS record fails and is retried; already written signals are then
 *   rewritten with the same values.
 *
 * ## Errors do not erase values
 * An error report goes to `lastError` only; `value` and its `observedAt` stay those of the last
 * success, so a transient error does not lose the last known location. `status` is derived on
 * read: `ERROR` when `lastError` is newer than the value. Storing it would take a second
 * conditional write per report to stay order-independent (a success older than a stored error must
 * still update `value`); deriving it keeps one write per report. `lastError` stays after the signal
 * recovers, so it answers "when did this last fail?".
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConfigurationError } from '../runtime/errors';
import { mapWithConcurrency } from './map-with-concurrency';
import { type RecordResult, type SignalReport, type SignalState, toSignalState } from './signal-state';
import { signalUpdateInput } from './signal-update';
import { validateReports } from './validate-reports';

/**
 * Conditional writes in flight at once per `recordSignals` call. A VEHICLE_STATE carries 10-30
 * signals, so one event needs two or three rounds, far below the SDK's 50 sockets.
 */
const LATEST_STATE_WRITE_CONCURRENCY = 10;

/** Settings of {@link createLatestStateStore}. */
export interface LatestStateStoreOptions {
  /**
   * The client to send with. A plain DynamoDBClient is wrapped in a document client that drops
   * `undefined` values; a document client is used as it is.
   */
  client: DynamoDBDocumentClient | DynamoDBClient;
  /** The latest-state table, keyed as in LATEST_STATE_TABLE. */
  tableName: string;
  /**
   * Conditional writes in flight at once per `recordSignals` call.
   * @default 10
   */
  writeConcurrency?: number;
  /**
   * Source of `updatedAt`. Only for tests.
   * @default Date.now
   */
  now?: () => number;
}

/** Reads and conditional writes of the latest-state table. */
export interface LatestStateStore {
  /**
   * Records the signals of event `eventId` about `vehicleId`, one conditional write per signal.
   * Resolves with one result per distinct code; rejects with InvalidSignalReportError (nothing
   * written) or with DynamoDB's error (retry the whole call).
   */
  recordSignals(
    vehicleId: string,
    eventId: string,
    signals: readonly SignalReport[],
  ): Promise<RecordResult[]>;
  /** Every stored signal of a vehicle, by signal code; `{}` for an unknown vehicle. Strongly consistent. */
  getVehicleState(vehicleId: string): Promise<Record<string, SignalState>>;
  /** One signal's state, or undefined when none was recorded. Strongly consistent. */
  getSignal(vehicleId: string, code: string): Promise<SignalState | undefined>;
}

/** Creates a {@link LatestStateStore}; throws ConfigurationError for a missing table name. */
export function createLatestStateStore(options: LatestStateStoreOptions): LatestStateStore {
  const { tableName, writeConcurrency = LATEST_STATE_WRITE_CONCURRENCY, now = Date.now } = options;
  if (typeof tableName !== 'string' || tableName === '') {
    throw new ConfigurationError('The latest-state store needs the name of its DynamoDB table (tableName).');
  }
  if (!Number.isInteger(writeConcurrency) || writeConcurrency < 1) {
    throw new ConfigurationError(`writeConcurrency must be a positive integer; got ${writeConcurrency}.`);
  }
  const documents =
    options.client instanceof DynamoDBDocumentClient
      ? options.client
      : DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
  const key = (vehicleId: string, code: string) => ({
    [LATEST_STATE_TABLE.partitionKey]: vehicleId,
    [LATEST_STATE_TABLE.sortKey]: code,
  });

  async function recordSignal(
    vehicleId: string,
    eventId: string,
    report: SignalReport,
  ): Promise<RecordResult> {
    try {
      await documents.send(
        new UpdateCommand(signalUpdateInput(tableName, vehicleId, eventId, report, now())),
      );
      return { code: report.code, written: true };
    } catch (error) {
      // Matched by name: a second copy of the SDK in the bundle would defeat instanceof.
      if ((error as Error | undefined)?.name === 'ConditionalCheckFailedException') {
        return { code: report.code, written: false, reason: 'stale' };
      }
      throw error;
    }
  }

  return {
    async recordSignals(vehicleId, eventId, signals) {
      const reports = validateReports(vehicleId, eventId, signals);
      return mapWithConcurrency(reports, writeConcurrency, (report) =>
        recordSignal(vehicleId, eventId, report),
      );
    },

    async getVehicleState(vehicleId) {
      const entries: [string, SignalState][] = [];
      let exclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#vehicleId = :vehicleId',
            ExpressionAttributeNames: { '#vehicleId': LATEST_STATE_TABLE.partitionKey },
            ExpressionAttributeValues: { ':vehicleId': vehicleId },
            ConsistentRead: true,
            ExclusiveStartKey: exclusiveStartKey,
          }),
        );
        for (const item of page.Items ?? []) {
          entries.push([String(item[LATEST_STATE_TABLE.sortKey]), toSignalState(item)]);
        }
        exclusiveStartKey = page.LastEvaluatedKey;
      } while (exclusiveStartKey !== undefined);
      // fromEntries defines own properties, so no signal code can reach the prototype.
      return Object.fromEntries(entries);
    },

    async getSignal(vehicleId, code) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: tableName, Key: key(vehicleId, code), ConsistentRead: true }),
      );
      return Item === undefined ? undefined : toSignalState(Item);
    },
  };
}
