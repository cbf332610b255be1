import type { ArchiveRecord } from '../../lambdas/contract';
import { maskPersonalData } from '../archive/masking';
import { nonBlankOption, noMorePositionals, parseCommandArgs } from './args';
import {
  ARCHIVE_OPTIONS,
  type ArchiveTargetSpec,
  parseArchiveTarget,
  parseSelection,
  resolveArchiveTarget,
} from './archive-args';
import { describeSelection, eventLine, readArchive, summarize } from './archive-output';
import type { ArchiveSelection } from '../archive/selection';
import { CLI_DEFAULTS } from './config';
import { CommandFailedError, EXIT_CODES, UsageError } from './errors';
import { type CliIo, writeLine } from './io';

const COMMAND = 'events';

/** Options `events` accepts. */
export const EVENTS_OPTIONS = {
  ...ARCHIVE_OPTIONS,
  show: { type: 'string' },
  unmask: { type: 'boolean' },
} as const;

/** `events`' arguments, checked. */
export interface EventsSettings {
  selection: ArchiveSelection;
  target: ArchiveTargetSpec;
  /** Print this one event (an eventId or event key), payload included. */
  show?: string;
  unmask: boolean;
  json: boolean;
}

/**
 * Checks `events`' arguments. Without --since it lists the last day; `--show` looks a week back.
 * @throws UsageError (exit 2) for a bad time or target, or --unmask without --show
 */
export function parseEventsArgs(args: readonly string[], io: CliIo, nowMs = Date.now()): EventsSettings {
  const { values, positionals } = parseCommandArgs(COMMAND, args, EVENTS_OPTIONS);
  noMorePositionals(COMMAND, positionals, 0);
  const show = nonBlankOption(COMMAND, 'show', values.show);
  if (show !== undefined && values['event-id'] !== undefined) {
    throw new UsageError('--show names the event already; leave out --event-id.', COMMAND);
  }
  if (values.unmask === true && show === undefined) {
    throw new UsageError('--unmask applies to --show, which prints a payload; the list has none.', COMMAND);
  }
  const selection = parseSelection(
    COMMAND,
    show === undefined ? values : { ...values, 'event-id': show },
    nowMs,
    show === undefined ? CLI_DEFAULTS.eventsDefaultSince : CLI_DEFAULTS.showDefaultSince,
  );
  return {
    selection,
    target: parseArchiveTarget(COMMAND, values, io),
    show,
    unmask: values.unmask === true,
    json: values.json === true,
  };
}

/**
 * `events`: lists archived deliveries by the selectors, straight from the archive's partitioned
 * layout, or prints one with `--show`, its VIN and locations masked unless `--unmask`.
 * @returns 0; 1 when `--show` finds no such event
 */
export async function runEvents(args: readonly string[], io: CliIo): Promise<number> {
  const settings = parseEventsArgs(args, io);
  const target = await resolveArchiveTarget(settings.target, io);
  const records = await readArchive(target.archive, settings.selection);
  if (settings.show !== undefined) return show(settings, records, io, target.description);
  if (settings.json) {
    writeLine(io.stdout, JSON.stringify({ count: records.length, events: records.map(summarize) }));
    return EXIT_CODES.ok;
  }
  writeLine(
    io.stdout,
    `${records.length} archived event${records.length === 1 ? '' : 's'} in ${target.description} (${describeSelection(settings.selection)}):`,
  );
  for (const record of records) writeLine(io.stdout, `  ${eventLine(record)}`);
  if (records.length > 0) writeLine(io.stdout, `Print one with: ${COMMAND} --show <eventId>`);
  return EXIT_CODES.ok;
}

function show(settings: EventsSettings, records: ArchiveRecord[], io: CliIo, where: string): number {
  const [record] = records;
  if (record === undefined) {
    throw new CommandFailedError(
      `No archived event ${settings.show} in ${where} between ${new Date(settings.selection.sinceMs).toISOString()} ` +
        'and now: check the id, or look further back with --since (e.g. --since 30d).',
    );
  }
  const payload = readPayload(record, settings.unmask);
  if (settings.json) {
    writeLine(io.stdout, JSON.stringify({ ...summarize(record), masked: !settings.unmask, ...payload }));
    return EXIT_CODES.ok;
  }
  writeLine(io.stdout, eventLine(record));
  writeLine(
    io.stdout,
    `  event key ${record.event_key}; delivery ${record.delivery_id ?? '(none)'}; verified with the ${record.verified_with ?? 'unrecorded'} token`,
  );
  if (payload.body !== undefined) writeLine(io.stdout, JSON.stringify(payload.body, null, 2));
  else writeLine(io.stdout, payload.note);
  if (!settings.unmask) writeLine(io.stdout, 'VIN and locations masked; --unmask shows them.');
  return EXIT_CODES.ok;
}

/** The payload, parsed and masked; a note instead when it is not JSON and masking cannot be sure. */
function readPayload(
  record: ArchiveRecord,
  unmask: boolean,
): { body?: unknown; bodyText?: string; note: string } {
  const text =
    record.body_encoding === 'base64' ? Buffer.from(record.body, 'base64').toString('utf8') : record.body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (unmask) return { bodyText: text, note: text };
    return {
      note: `The payload (${Buffer.byteLength(text)} bytes) is not JSON, so it cannot be masked: --unmask prints it as it is.`,
    };
  }
  return { body: unmask ? parsed : maskPersonalData(parsed), note: '' };
}
