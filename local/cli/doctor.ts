import { type CandidateToken, diagnoseAll, diagnoseRecord } from '../quarantine/diagnosis';
import { summarizeQuarantine } from '../quarantine/quarantine-summary';
import { readQuarantine } from '../quarantine/quarantine-store';
import { nonBlankOption, noMorePositionals, parseCommandArgs } from './args';
import { parseArchiveTarget } from './archive-args';
import { callAws } from './aws-errors';
import { CommandFailedError, EXIT_CODES } from './errors';
import { type CliIo, writeLine } from './io';
import { parseQuarantineSelection, QUARANTINE_OPTIONS } from './quarantine-args';
import { summaryLines } from './quarantine';
import { resolveQuarantineTarget } from './quarantine-targets';

const COMMAND = 'doctor';

/** Options `doctor` accepts. */
export const DOCTOR_OPTIONS = {
  ...QUARANTINE_OPTIONS,
  token: { type: 'string', multiple: true },
} as const;

/**
 * `doctor`: explains why quarantined deliveries were refused. Tries the stored token (current and
 * previous) and every `--token` on each body as it arrived and on the forms a proxy or an SDK
 * makes of it, and says which matches and what that means; with `--id`, for one delivery in full.
 * @returns 0 when the quarantine is empty or everything in it can be released; 1 otherwise
 */
export async function runDoctor(args: readonly string[], io: CliIo, nowMs = Date.now()): Promise<number> {
  const { values, positionals } = parseCommandArgs(COMMAND, args, DOCTOR_OPTIONS);
  noMorePositionals(COMMAND, positionals, 0);
  const selection = parseQuarantineSelection(COMMAND, values, nowMs);
  // A blank --token is an unset variable ("$TOKEN_FROM_THE_DASHBOARD"), not a token to try.
  const given: CandidateToken[] = (values.token ?? []).map((token) => ({
    label: 'given',
    token: nonBlankOption(COMMAND, 'token', token) ?? '',
  }));
  const target = await resolveQuarantineTarget(parseArchiveTarget(COMMAND, values, io), io);
  const items = await callAws({ action: 's3:ListBucket', subject: target.archive.bucket }, () =>
    readQuarantine(target.archive, selection),
  );
  const tokens = [...(await target.storedTokens()), ...given];
  const options = { storeTokenHint: target.storeTokenHint };
  const json = values.json === true;

  if (selection.id !== undefined) {
    const [item] = items;
    if (item === undefined) {
      throw new CommandFailedError(
        `No quarantined delivery ${selection.id} in ${target.description}: check the id (quarantine ls), or look further back with --since.`,
      );
    }
    const diagnosis = diagnoseRecord(item.record, tokens, options);
    if (json) {
      writeLine(
        io.stdout,
        JSON.stringify({ id: item.id, key: item.key, reason: item.record.reason, ...diagnosis }),
      );
    } else {
      writeLine(io.stdout, `${item.id}: refused ${item.record.quarantined_at} with ${item.record.reason}`);
      writeLine(io.stdout, `  ${diagnosis.summary}`);
      writeLine(io.stdout, `  ${diagnosis.explanation}`);
      writeLine(io.stdout, `  → ${diagnosis.remedy}`);
    }
    return diagnosis.releasable ? EXIT_CODES.ok : EXIT_CODES.failed;
  }

  const summary = summarizeQuarantine(items.map((item) => item.record));
  const report = diagnoseAll(
    items.map((item) => item.record),
    tokens,
    { ...options, keyOf: (_record, index) => items[index]?.id ?? `#${index}` },
  );
  if (json) {
    writeLine(io.stdout, JSON.stringify({ summary, ...report }));
    return report.releasable === report.total ? EXIT_CODES.ok : EXIT_CODES.failed;
  }
  if (items.length === 0) {
    writeLine(
      io.stdout,
      `✔ The quarantine in ${target.description} is empty: no refused Smartcar delivery was kept.`,
    );
    return EXIT_CODES.ok;
  }
  writeLine(
    io.stdout,
    `${items.length} quarantined deliver${items.length === 1 ? 'y' : 'ies'} in ${target.description}, tried with ` +
      `${tokens.map((token) => token.label).join(', ')} token${tokens.length === 1 ? '' : 's'}:`,
  );
  for (const line of summaryLines(summary)) writeLine(io.stdout, line);
  for (const group of report.groups) {
    writeLine(io.stdout, '');
    writeLine(
      io.stdout,
      `${group.count} of ${report.total}: ${group.diagnosis.summary} (e.g. --id ${group.example})`,
    );
    writeLine(io.stdout, `  ${group.diagnosis.explanation}`);
    writeLine(io.stdout, `  → ${group.diagnosis.remedy}`);
  }
  writeLine(io.stdout, '');
  writeLine(
    io.stdout,
    report.releasable > 0
      ? `${report.releasable} of ${report.total} verify now: npm run cli -- quarantine release`
      : 'None verifies with the stored token yet: fix the cause above, then npm run cli -- quarantine release.',
  );
  return report.releasable === report.total ? EXIT_CODES.ok : EXIT_CODES.failed;
}
