import { randomBytes } from 'node:crypto';
import type { ArchiveSelection } from '../archive/selection';
import { type ReplayResult, replayRecords } from '../archive/replay';
import { noMorePositionals, parseCommandArgs } from './args';
import {
  ARCHIVE_OPTIONS,
  type ArchiveTargetSpec,
  parseArchiveTarget,
  parseSelection,
  resolveArchiveTarget,
} from './archive-args';
import { describeSelection, eventLine, readArchive, summarize } from './archive-output';
import { callAws } from './aws-errors';
import { CLI_DEFAULTS } from './config';
import { EXIT_CODES, UsageError } from './errors';
import { type CliIo, writeLine } from './io';

const COMMAND = 'replay';

/** Options `replay` accepts. */
export const REPLAY_OPTIONS = {
  ...ARCHIVE_OPTIONS,
  'dry-run': { type: 'boolean' },
  reprocess: { type: 'boolean' },
  rate: { type: 'string' },
  'replay-id': { type: 'string' },
} as const;

/** `replay`'s arguments, checked. */
export interface ReplaySettings {
  selection: ArchiveSelection;
  target: ArchiveTargetSpec;
  dryRun: boolean;
  reprocess: boolean;
  /** Messages per second at most. */
  ratePerSecond: number;
  json: boolean;
  /** Resumes an interrupted run: what it already reprocessed is skipped. @default a new id */
  replayId?: string;
}

const REPLAY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * Checks `replay`'s arguments.
 * @throws UsageError (exit 2) for a missing --since, a bad time, rate or target
 */
export function parseReplayArgs(args: readonly string[], io: CliIo, nowMs = Date.now()): ReplaySettings {
  const { values, positionals } = parseCommandArgs(COMMAND, args, REPLAY_OPTIONS);
  noMorePositionals(COMMAND, positionals, 0);
  return {
    selection: parseSelection(COMMAND, values, nowMs),
    target: parseArchiveTarget(COMMAND, values, io),
    dryRun: values['dry-run'] === true,
    reprocess: values.reprocess === true,
    ratePerSecond: rateOption(values.rate),
    json: values.json === true,
    replayId: replayIdOption(values['replay-id']),
  };
}

function replayIdOption(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!REPLAY_ID.test(text.trim())) {
    throw new UsageError(
      `--replay-id must be the id a replay printed (letters, digits, - and _), got "${text}".`,
      COMMAND,
    );
  }
  return text.trim();
}

function rateOption(text: string | undefined): number {
  if (text === undefined) return CLI_DEFAULTS.replayRatePerSecond;
  const rate = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(rate) || rate <= 0) {
    throw new UsageError(`--rate must be a number of messages per second above 0, got "${text}".`, COMMAND);
  }
  return rate;
}

/** `replay-20261201T221500Z-3f9a`: sorts by time, unique per run. */
export function newReplayId(nowMs = Date.now()): string {
  const compact = new Date(nowMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `replay-${compact}-${randomBytes(2).toString('hex')}`;
}

/**
 * `replay`: puts the selected archived deliveries back on the main queue, marked as a replay. Without
 * `--reprocess` the processor skips those whose processing completed; with it, the handlers run once
 * more per event in this run. `--dry-run` lists them and sends nothing.
 * @returns 0 when every selected delivery was sent (or listed), 1 when SQS refused some
 */
export async function runReplay(args: readonly string[], io: CliIo): Promise<number> {
  const settings = parseReplayArgs(args, io);
  const target = await resolveArchiveTarget(settings.target, io);
  const records = await readArchive(target.archive, settings.selection);
  const what = `${records.length} archived deliver${records.length === 1 ? 'y' : 'ies'} (${describeSelection(settings.selection)})`;
  // With --json, stdout holds only the result document; people-facing lines go to stderr.
  const say = (text: string) => writeLine(settings.json ? io.stderr : io.stdout, text);

  if (settings.dryRun) {
    if (settings.json) {
      writeLine(
        io.stdout,
        JSON.stringify({ dryRun: true, selected: records.length, events: records.map(summarize) }),
      );
    } else {
      writeLine(
        io.stdout,
        `Would replay ${what} to ${target.description}${settings.reprocess ? ', reprocessing' : ''}:`,
      );
      for (const record of records) writeLine(io.stdout, `  ${eventLine(record)}`);
      writeLine(io.stdout, 'Dry run: nothing sent.');
    }
    return EXIT_CODES.ok;
  }
  if (records.length === 0) {
    if (settings.json) writeLine(io.stdout, JSON.stringify(emptyResult(settings)));
    else writeLine(io.stdout, `✔ Nothing to replay: no ${what.replace(/^0 /, '')} in ${target.description}.`);
    return EXIT_CODES.ok;
  }

  const replayId = settings.replayId ?? newReplayId();
  say(
    `→ Replaying ${what} to ${target.description} as ${replayId}, at most ${settings.ratePerSecond}/s` +
      (settings.reprocess
        ? ': the handlers run once more for each.'
        : ': events already processed are skipped.'),
  );
  let lastReport = 0;
  const result: ReplayResult = await callAws({ action: 'sqs:SendMessage', subject: target.queueUrl }, () =>
    replayRecords(records, {
      client: target.sqs,
      queueUrl: target.queueUrl,
      replayId,
      reprocess: settings.reprocess,
      ratePerSecond: settings.ratePerSecond,
      sleep: io.sleep,
      onProgress: ({ sent, failed, total }) => {
        // A line a second at most, and the last one: a long replay stays readable.
        if (Date.now() - lastReport < 1000 && sent + failed < total) return;
        lastReport = Date.now();
        say(`  ${sent + failed} of ${total} sent${failed > 0 ? ` (${failed} refused)` : ''}`);
      },
    }),
  );
  if (settings.json) {
    writeLine(
      io.stdout,
      JSON.stringify({
        replayId,
        reprocess: settings.reprocess,
        dryRun: false,
        selected: records.length,
        sent: result.sent,
        failed: result.failed,
        failures: result.failures,
      }),
    );
  }
  for (const failure of result.failures) say(`  ✘ ${failure.eventKey}: ${failure.reason}`);
  if (result.failed > 0) {
    say(
      `✘ Replayed ${result.sent} of ${records.length}; SQS refused ${result.failed}. Run the same command ` +
        `again with --replay-id ${replayId}: what this run already sent is skipped by idempotency.`,
    );
    return EXIT_CODES.failed;
  }
  say(
    `✔ Replayed ${result.sent} as ${replayId}. The processor's logs and EventsReplayed metric show them; ` +
      `handlers see context.replay = { id: '${replayId}', reprocess: ${settings.reprocess} }.`,
  );
  return EXIT_CODES.ok;
}

function emptyResult(settings: ReplaySettings) {
  return {
    replayId: null,
    reprocess: settings.reprocess,
    dryRun: false,
    selected: 0,
    sent: 0,
    failed: 0,
    failures: [],
  };
}
