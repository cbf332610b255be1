import {
  QUARANTINED_REASONS,
  type QuarantinedReason,
  type QuarantineRecord,
} from '../../lambdas/contract/quarantine';

/**
 * The quarantine at a glance, from its records: counts by reason, user agent and envelope version,
 * and when the first and last were refused. Pure; `quarantine ls` and `doctor` print it.
 */

/** A value and how many records have it. */
export interface Counted {
  /** Undefined: the records that do not have one. */
  value: string | undefined;
  count: number;
}

/** The quarantine at a glance. */
export interface QuarantineSummary {
  total: number;
  /** Every reason, 0 included. */
  byReason: Record<QuarantinedReason, number>;
  /** The earliest and latest `quarantined_at`, as stored; undefined when there are no records. */
  first?: string;
  last?: string;
  /** By `headers['user-agent']`, most frequent first. */
  userAgents: Counted[];
  /** By `envelope_version`, most frequent first. */
  envelopeVersions: Counted[];
  /** How many verified when they arrived (refused for age or size). */
  signed: number;
}

/** Counts by reason, user agent and envelope version, and the time span, of some records. */
export function summarizeQuarantine(records: readonly QuarantineRecord[]): QuarantineSummary {
  const byReason = Object.fromEntries(QUARANTINED_REASONS.map((reason) => [reason, 0])) as Record<
    QuarantinedReason,
    number
  >;
  for (const record of records) byReason[record.reason] += 1;
  const times = records
    .map((record) => record.quarantined_at)
    .filter((at) => !Number.isNaN(Date.parse(at)))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return {
    total: records.length,
    byReason,
    first: times[0],
    last: times.at(-1),
    userAgents: countBy(records, (record) => record.headers['user-agent']),
    envelopeVersions: countBy(records, (record) => record.envelope_version),
    signed: records.filter((record) => record.signed).length,
  };
}

function countBy<T>(items: readonly T[], valueOf: (item: T) => string | undefined): Counted[] {
  const counts = new Map<string | undefined, number>();
  for (const item of items) counts.set(valueOf(item), (counts.get(valueOf(item)) ?? 0) + 1);
  return (
    [...counts]
      .map(([value, count]) => ({ value, count }))
      // Ties: by value, records without one last.
      .sort(
        (a, b) =>
          b.count - a.count ||
          Number(a.value === undefined) - Number(b.value === undefined) ||
          (a.value ?? '').localeCompare(b.value ?? ''),
      )
  );
}
