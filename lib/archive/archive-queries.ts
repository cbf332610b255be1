/**
 * The saved Athena queries of the archive: what users ask of their fleet's history. Each reads
 * `<database>.<table>`; the date and kind predicates prune partitions (projection), so a query
 * scans only the days and event types it names. Every query dedupes by `event_key`: the archive is a delivery log, and a
 * retried batch or a Smartcar retry writes an event twice.
 */

import { ARCHIVE_PARTITIONS } from '../../lambdas/contract';

/** Partition pruning by type: the kind partition of `type` (a type of ARCHIVED_EVENT_TYPES). */
const ofKind = (type: 'VEHICLE_STATE' | 'VEHICLE_ERROR') =>
  `${ARCHIVE_PARTITIONS.eventType} = '${type}' AND event_type = '${type}'`;

/** A saved query: its name in the Athena console, what it answers, and its SQL. */
export interface ArchiveQuery {
  readonly name: string;
  readonly description: string;
  readonly sql: (table: string) => string;
}

/** The deliveries of the range, once each (the earliest copy). */
const deduped = (table: string, where: string) => `
  SELECT *
  FROM (
    SELECT d.*, row_number() OVER (PARTITION BY event_key ORDER BY received_at) AS copy
    FROM ${table} d
    WHERE ${where}
  )
  WHERE copy = 1`;

export const ARCHIVE_QUERIES: readonly ArchiveQuery[] = [
  {
    name: 'vehicle-events',
    description:
      'Every event of one vehicle in a time range, oldest first. Edit the vehicle id and the dates.',
    sql: (table) => `-- All events of one vehicle between two times (UTC).
SELECT received_at, event_type, event_id, mode, delivery_id, body
FROM (${deduped(
      table,
      `vehicle_id = '00000000-0000-0000-0000-000000000000'
      AND dt BETWEEN '2026-12-01' AND '2026-12-03'
      AND received_at BETWEEN '2026-12-01T00:00:00Z' AND '2026-12-03T23:59:59Z'`,
    )})
ORDER BY received_at`,
  },
  {
    name: 'latest-signal-value',
    description:
      "Each vehicle's latest value of one signal, by the signal's own timestamp (oemUpdatedAt, else retrievedAt). Edit the code and the dates.",
    sql: (table) => `-- The newest reading of one signal per vehicle, whatever order the deliveries came in.
WITH readings AS (
  SELECT vehicle_id, received_at,
         json_extract_scalar(signal, '$.code') AS code,
         json_format(json_extract(signal, '$.body')) AS value,
         coalesce(
           nullif(try_cast(json_extract_scalar(signal, '$.meta.oemUpdatedAt') AS bigint), 0),
           try_cast(json_extract_scalar(signal, '$.meta.retrievedAt') AS bigint),
           try_cast(json_extract_scalar(signal, '$.meta.fetchedAt') AS bigint)
         ) AS observed_at_ms
  FROM (${deduped(table, `${ofKind('VEHICLE_STATE')} AND dt >= '2026-11-01'`)})
  CROSS JOIN UNNEST(try_cast(json_extract(body, '$.data.signals') AS array(json))) AS s(signal)
)
SELECT vehicle_id, code, value, from_unixtime(observed_at_ms / 1000) AS observed_at
FROM (
  SELECT r.*, row_number() OVER (PARTITION BY vehicle_id ORDER BY observed_at_ms DESC, received_at DESC) AS rank
  FROM readings r
  WHERE code = 'tractionbattery-stateofcharge' AND value IS NOT NULL
)
WHERE rank = 1
ORDER BY vehicle_id`,
  },
  {
    name: 'vehicle-error-history',
    description:
      'VEHICLE_ERROR history: each error as it was opened (ERROR) and resolved (RESOLVED), per vehicle. Edit the dates.',
    sql: (table) => `-- When each vehicle's errors were opened and resolved.
SELECT vehicle_id, received_at,
       json_extract_scalar(error, '$.type') AS type,
       json_extract_scalar(error, '$.code') AS code,
       json_extract_scalar(error, '$.state') AS state,
       json_extract_scalar(error, '$.resolution.type') AS resolution
FROM (${deduped(table, `${ofKind('VEHICLE_ERROR')} AND dt >= '2026-11-01'`)})
CROSS JOIN UNNEST(try_cast(json_extract(body, '$.data.errors') AS array(json))) AS e(error)
ORDER BY vehicle_id, received_at`,
  },
  {
    name: 'events-by-mode',
    description:
      'Events per day by mode (LIVE or TEST) and type: tells Dashboard test deliveries from live traffic. Edit the dates.',
    sql: (table) => `-- Events per day, mode and type (each event once).
SELECT dt, coalesce(mode, '(none)') AS mode, event_type, count(DISTINCT event_key) AS events
FROM ${table}
WHERE dt >= '2026-11-01'
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3`,
  },
];
