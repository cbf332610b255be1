import { type ArchiveSelection, parseTimeArgument } from '../archive/selection';
import { nonBlankOption, urlOption } from './args';
import { type ArchiveTarget, localArchiveTarget, stackArchiveTarget } from './archive-targets';
import { CLI_DEFAULTS, localBaseUrl } from './config';
import { UsageError } from './errors';
import type { CliIo } from './io';

/** The options `replay` and `events` share: what to select, and where the archive is. */
export const ARCHIVE_OPTIONS = {
  since: { type: 'string' },
  until: { type: 'string' },
  type: { type: 'string' },
  vehicle: { type: 'string' },
  'event-id': { type: 'string' },
  json: { type: 'boolean' },
  local: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
} as const;

/** The values of {@link ARCHIVE_OPTIONS} as parseArgs returns them. */
export type ArchiveOptionValues = {
  [K in keyof typeof ARCHIVE_OPTIONS]?: (typeof ARCHIVE_OPTIONS)[K]['type'] extends 'boolean'
    ? boolean
    : string;
};

/** Where the archive is: the local emulator, or a deployed stack. */
export type ArchiveTargetSpec =
  { kind: 'local'; baseUrl: string } | { kind: 'stack'; stack: string; region?: string };

const DAY_MS = 86_400_000;

/**
 * The selection the options name. `--since` is required unless `defaultSince` is given; `--until`
 * defaults to now.
 * @throws UsageError for a time that is neither ISO nor a duration, an empty or too long range
 */
export function parseSelection(
  command: string,
  values: ArchiveOptionValues,
  nowMs: number,
  defaultSince?: string,
): ArchiveSelection {
  const sinceText = nonBlankOption(command, 'since', values.since) ?? defaultSince;
  if (sinceText === undefined) {
    throw new UsageError(
      '--since is required: an ISO time (2026-12-01T08:00:00Z) or a duration back from now (10m, 2h, 7d).',
      command,
    );
  }
  const sinceMs = timeOption(command, 'since', sinceText, nowMs);
  const untilText = nonBlankOption(command, 'until', values.until);
  const untilMs = untilText === undefined ? nowMs : timeOption(command, 'until', untilText, nowMs);
  if (sinceMs > untilMs) {
    throw new UsageError(
      `--since (${new Date(sinceMs).toISOString()}) is after --until (${new Date(untilMs).toISOString()}).`,
      command,
    );
  }
  const days = (untilMs - sinceMs) / DAY_MS;
  if (days > CLI_DEFAULTS.archiveMaxRangeDays) {
    throw new UsageError(
      `The range spans ${Math.ceil(days)} days; ${command} lists the archive hour by hour, at most ` +
        `${CLI_DEFAULTS.archiveMaxRangeDays} days at a time. Split the range, or query longer ones with Athena (README: Query the archive).`,
      command,
    );
  }
  return {
    sinceMs,
    untilMs,
    eventType: nonBlankOption(command, 'type', values.type),
    vehicleId: nonBlankOption(command, 'vehicle', values.vehicle),
    eventId: nonBlankOption(command, 'event-id', values['event-id']),
  };
}

function timeOption(command: string, name: string, text: string, nowMs: number): number {
  const ms = parseTimeArgument(text, nowMs);
  if (ms === undefined) {
    throw new UsageError(
      `--${name} must be an ISO time (2026-12-01T08:00:00Z, or a date) or a duration back from now ` +
        `(90s, 10m, 2h, 7d, 1w), got "${text}".`,
      command,
    );
  }
  return ms;
}

/**
 * The local emulator (`--local`, else `$PORT`) or `--stack`.
 * @throws UsageError for both at once, or `--region` without `--stack`
 */
export function parseArchiveTarget(
  command: string,
  values: ArchiveOptionValues,
  io: CliIo,
): ArchiveTargetSpec {
  const local = nonBlankOption(command, 'local', values.local);
  const stack = nonBlankOption(command, 'stack', values.stack);
  const region = nonBlankOption(command, 'region', values.region);
  if (local !== undefined && stack !== undefined) {
    throw new UsageError('Use --local or --stack, not both.', command);
  }
  if (stack !== undefined) return { kind: 'stack', stack, region };
  if (region !== undefined) {
    throw new UsageError('--region applies to --stack; the emulator reports its own region.', command);
  }
  return { kind: 'local', baseUrl: urlOption(command, 'local', local ?? localBaseUrl(io.env)).origin };
}

/** Finds the archive (and the queue) the spec names. */
export function resolveArchiveTarget(spec: ArchiveTargetSpec, io: CliIo): Promise<ArchiveTarget> {
  return spec.kind === 'local'
    ? localArchiveTarget(spec.baseUrl, io.fetch ?? fetch)
    : stackArchiveTarget(spec.stack, spec.region);
}
