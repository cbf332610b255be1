import { QUARANTINED_REASONS, type QuarantinedReason } from '../../lambdas/contract';
import { QUARANTINE_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import type { QuarantineSelection } from '../quarantine/quarantine-store';
import { nonBlankOption } from './args';
import { type ArchiveOptionValues, parseSelection } from './archive-args';
import { UsageError } from './errors';

/** The options `quarantine` and `doctor` share: which items, and where the quarantine is. */
export const QUARANTINE_OPTIONS = {
  since: { type: 'string' },
  until: { type: 'string' },
  id: { type: 'string' },
  reason: { type: 'string' },
  json: { type: 'boolean' },
  local: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
} as const;

/** The quarantine keeps items this long by default, so by default every one is selected. */
export const QUARANTINE_DEFAULT_SINCE = `${QUARANTINE_DEFAULTS.retentionDays}d`;

/**
 * The items the options select: the whole retention period unless `--since` narrows it.
 * @throws UsageError for a bad time or an unknown reason
 */
export function parseQuarantineSelection(
  command: string,
  values: { since?: string; until?: string; id?: string; reason?: string },
  nowMs: number,
): QuarantineSelection {
  const { sinceMs, untilMs } = parseSelection(
    command,
    { since: values.since, until: values.until } satisfies ArchiveOptionValues,
    nowMs,
    QUARANTINE_DEFAULT_SINCE,
  );
  const reason = nonBlankOption(command, 'reason', values.reason);
  if (reason !== undefined && !(QUARANTINED_REASONS as readonly string[]).includes(reason.toUpperCase())) {
    throw new UsageError(
      `--reason must be one of ${QUARANTINED_REASONS.join(', ')}, got "${reason}".`,
      command,
    );
  }
  return {
    sinceMs,
    untilMs,
    id: nonBlankOption(command, 'id', values.id),
    reason: reason?.toUpperCase() as QuarantinedReason | undefined,
  };
}
