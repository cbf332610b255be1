import { LATEST_STATE_TABLE } from '../contract';
import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { type SignalReport, STATE_ATTRIBUTES } from './signal-state';

/**
 * The stored (observedAt, eventId) under `prefix` is absent, older than the report's, or the
 * report's own:
 *
 *   stored.observedAt < report.observedAt                                   → newer report, write
 *   stored.observedAt = report.observedAt, stored.eventId < report.eventId  → tie, greater id wins
 *   stored = report (the same event again, e.g. retried after a handler failed) → rewrite, same values
 *   stored newer                                                            → condition fails: stale
 *
 * The tie-break makes the order total, so the stored pair is the maximum of all reports seen,
 * whatever order they arrived in. The same event rewriting its own values changes nothing, and
 * tells the retried handlers, truthfully, that their signals are the newest. `<=` on strings
 * compares UTF-8 bytes, as `compareVersions` does.
 */
function storedIsOlder(prefix: string): string {
  const observedAt = `${prefix}#observedAt`;
  const eventId = `${prefix}#eventId`;
  return (
    `attribute_not_exists(${observedAt}) OR ${observedAt} < :observedAt ` +
    `OR (${observedAt} = :observedAt AND ${eventId} <= :eventId)`
  );
}

/**
 * The one conditional UpdateItem that records `report` of event `eventId`.
 *
 * A success and an error write disjoint attributes (`value`/`observedAt`/`eventId` versus the
 * `lastError` map), each guarded by its own version. Each is a last-writer-wins register keyed
 * by (observedAt, eventId), so one write per report suffices and the final item does not depend
 * on arrival order; the status is derived on read by comparing the two versions.
 */
export function signalUpdateInput(
  tableName: string,
  vehicleId: string,
  eventId: string,
  report: SignalReport,
  updatedAt: number,
): UpdateCommandInput {
  const key = {
    [LATEST_STATE_TABLE.partitionKey]: vehicleId,
    [LATEST_STATE_TABLE.sortKey]: report.code,
  };
  const version = { ':observedAt': report.observedAt, ':eventId': eventId, ':updatedAt': updatedAt };
  const names = {
    '#observedAt': STATE_ATTRIBUTES.observedAt,
    '#eventId': STATE_ATTRIBUTES.eventId,
    '#updatedAt': STATE_ATTRIBUTES.updatedAt,
  };

  if (report.error !== undefined) {
    return {
      TableName: tableName,
      Key: key,
      UpdateExpression: 'SET #lastError = :lastError, #updatedAt = :updatedAt',
      ConditionExpression: storedIsOlder('#lastError.'),
      ExpressionAttributeNames: { ...names, '#lastError': STATE_ATTRIBUTES.lastError },
      ExpressionAttributeValues: {
        ...version,
        ':lastError': {
          type: report.error.type,
          code: report.error.code,
          observedAt: report.observedAt,
          eventId,
        },
      },
    };
  }
  return {
    TableName: tableName,
    Key: key,
    UpdateExpression:
      'SET #value = :value, #observedAt = :observedAt, #eventId = :eventId, #updatedAt = :updatedAt',
    ConditionExpression: storedIsOlder(''),
    // `value` is a DynamoDB reserved word; the other names are aliased for uniformity.
    ExpressionAttributeNames: { ...names, '#value': STATE_ATTRIBUTES.value },
    ExpressionAttributeValues: { ...version, ':value': report.body ?? {} },
  };
}
