import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { maskPersonalData } from '../archive/masking';
import { summarizeQuarantine, type QuarantineSummary } from '../quarantine/quarantine-summary';
import { type QuarantineItem, readQuarantine } from '../quarantine/quarantine-store';
import { releaseQuarantined, verifiedWithOf } from '../quarantine/release';
import { nonBlankOption, noMorePositionals, parseCommandArgs } from './args';
import { parseArchiveTarget } from './archive-args';
import { callAws, translateAwsError } from './aws-errors';
import { CliError, CommandFailedError, EXIT_CODES, isErrorLike, UsageError } from './errors';
import { type CliIo, writeLine } from './io';
import { parseQuarantineSelection, QUARANTINE_OPTIONS } from './quarantine-args';
import { resolveQuarantineTarget } from './quarantine-targets';

const COMMAND = 'quarantine';
const SUBCOMMANDS = ['ls', 'show', 'release'] as const;

/** Options `quarantine` accepts (release's apply to release only). */
export const QUARANTINE_COMMAND_OPTIONS = {
  ...QUARANTINE_OPTIONS,
  unmask: { type: 'boolean' },
  'accept-unverified': { type: 'boolean' },
  note: { type: 'string' },
  yes: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
} as const;

/**
 * `quarantine ls|show|release`: the refused Smartcar-shaped deliveries the receiver kept. `ls`
 * lists them with counts at a glance, `show` prints one (VIN and locations masked unless
 * `--unmask`), `release` re-verifies and enqueues those that now verify (all with
 * `--accept-unverified`, after a confirmation and with a `--note`).
 * @returns 0; 1 when `show` finds nothing or a release kept or failed items
 */
export async function runQuarantine(args: readonly string[], io: CliIo, nowMs = Date.now()): Promise<number> {
  const { values, positionals } = parseCommandArgs(COMMAND, args, QUARANTINE_COMMAND_OPTIONS);
  const [subcommand] = positionals;
  if (subcommand === undefined || !(SUBCOMMANDS as readonly string[]).includes(subcommand)) {
    throw new UsageError(
      subcommand === undefined
        ? `Missing subcommand: ${SUBCOMMANDS.join(', ')}.`
        : `Unknown subcommand "${subcommand}": use ${SUBCOMMANDS.join(', ')}.`,
      COMMAND,
    );
  }
  noMorePositionals(COMMAND, positionals, 1);
  const releaseOnly = (['accept-unverified', 'note', 'yes', 'dry-run'] as const).find(
    (name) => values[name] !== undefined,
  );
  if (releaseOnly !== undefined && subcommand !== 'release') {
    throw new UsageError(`--${releaseOnly} applies to quarantine release.`, COMMAND);
  }
  if (values.unmask === true && subcommand !== 'show') {
    throw new UsageError('--unmask applies to quarantine show, which prints a body.', COMMAND);
  }
  const selection = parseQuarantineSelection(COMMAND, values, nowMs);
  if (subcommand === 'show' && selection.id === undefined) {
    throw new UsageError(
      'quarantine show needs --id <id> (an id from quarantine ls, an eventId or a deliveryId).',
      COMMAND,
    );
  }
  const note = nonBlankOption(COMMAND, 'note', values.note);
  if (values['accept-unverified'] === true && note === undefined) {
    throw new UsageError(
      '--accept-unverified needs --note "<why these deliveries are genuine>": it is logged with the release.',
      COMMAND,
    );
  }
  const target = await resolveQuarantineTarget(parseArchiveTarget(COMMAND, values, io), io);
  const items = await callAws({ action: 's3:ListBucket', subject: target.archive.bucket }, () =>
    readQuarantine(target.archive, selection),
  );
  const json = values.json === true;
  if (subcommand === 'ls') return list(items, target.description, json, io);
  if (subcommand === 'show')
    return show(items, selection.id ?? '', values.unmask === true, json, io, target.description);

  if (items.length === 0) {
    writeLine(
      io.stdout,
      json ? JSON.stringify({ selected: 0 }) : `✔ Nothing to release in ${target.description}.`,
    );
    return EXIT_CODES.ok;
  }
  const acceptUnverified = values['accept-unverified'] === true;
  const tokens = await target.storedTokens();
  const current = tokens.find((token) => token.label === 'current')?.token;
  if (current === undefined)
    throw new CommandFailedError('The token secret has no current value to verify with.');
  const releaseTokens = { current, previous: tokens.find((token) => token.label === 'previous')?.token };
  if (values['dry-run'] === true) {
    // What release would do with each, verified the same way, so the dry run can be trusted.
    const planned = items.map((item) => {
      const verifiedWith = verifiedWithOf(item, releaseTokens);
      const wouldRelease = verifiedWith !== undefined || acceptUnverified;
      return {
        item,
        verifiedWith: verifiedWith ?? (acceptUnverified ? 'unverified' : undefined),
        wouldRelease,
      };
    });
    if (json) {
      writeLine(
        io.stdout,
        JSON.stringify({
          dryRun: true,
          selected: items.length,
          wouldRelease: planned.filter((plan) => plan.wouldRelease).length,
          items: planned.map(({ item, verifiedWith, wouldRelease }) => ({
            ...itemSummary(item),
            wouldRelease,
            verifiedWith: verifiedWith ?? null,
          })),
        }),
      );
      return EXIT_CODES.ok;
    }
    writeLine(
      io.stdout,
      `Would re-verify ${items.length} quarantined deliver${items.length === 1 ? 'y' : 'ies'}; ` +
        `${planned.filter((plan) => plan.wouldRelease).length} would be released:`,
    );
    for (const { item, verifiedWith, wouldRelease } of planned) {
      const verdict = wouldRelease ? `would release (${verifiedWith})` : 'would keep: does not verify';
      writeLine(io.stdout, `  ${itemLine(item)}  ${verdict}`);
    }
    writeLine(io.stdout, 'Dry run: nothing sent.');
    return EXIT_CODES.ok;
  }
  if (acceptUnverified && values.yes !== true) {
    const confirm = io.confirm ?? terminalConfirm;
    const question =
      `Enqueue ${items.length} quarantined deliver${items.length === 1 ? 'y' : 'ies'} even if they do not ` +
      'verify? They are processed as genuine, marked unverified. [y/N] ';
    if (!(await confirm(question))) {
      throw new CommandFailedError(
        'Not confirmed: nothing released. Pass --yes to confirm without a prompt.',
      );
    }
  }
  const releaseId = `release-${new Date(nowMs).toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const releasedBy = userInfo().username;
  const result = await releaseQuarantined(items, {
    archive: target.archive,
    sqs: target.sqs,
    queueUrl: target.queueUrl,
    tokens: releaseTokens,
    releaseId,
    acceptUnverified,
    releasedBy,
    note,
  });
  const logFailure =
    result.logError === undefined
      ? undefined
      : describeLogFailure(result.logError, `s3://${target.archive.bucket}/${result.logKey}`);
  if (json) {
    writeLine(
      io.stdout,
      JSON.stringify({
        ...result.log,
        logKey: logFailure === undefined ? result.logKey : null,
        ...(logFailure === undefined ? {} : { logError: logFailure }),
      }),
    );
  } else {
    for (const item of result.log.items) {
      const mark = item.outcome === 'released' ? '✔' : item.outcome === 'kept' ? '·' : '✘';
      writeLine(io.stdout, `  ${mark} ${item.outcome.padEnd(8)} ${item.event_key ?? '?'}: ${item.detail}`);
    }
    writeLine(
      io.stdout,
      `${result.released > 0 ? '✔' : '·'} Released ${result.released} of ${items.length} as ${releaseId}` +
        (acceptUnverified ? ` (unverified accepted by ${releasedBy}: "${note}")` : '') +
        `; ${result.kept} kept, ${result.failed} failed.` +
        (logFailure === undefined ? ` Log: s3://${target.archive.bucket}/${result.logKey}` : ''),
    );
    if (result.kept > 0 && !acceptUnverified) {
      writeLine(io.stdout, 'What was kept does not verify yet: npm run cli -- doctor says why.');
    }
  }
  if (logFailure !== undefined) {
    throw new CommandFailedError(
      `${logFailure} ${result.released} released, ${result.kept} kept, ${result.failed} failed before the log ` +
        'was written (listed above): the release stands, only its log is missing.',
      { cause: result.logError },
    );
  }
  // Anything left behind is something to look at, as with doctor: a script can tell.
  return result.failed > 0 || result.kept > 0 ? EXIT_CODES.failed : EXIT_CODES.ok;
}

/** Why the release log is missing, naming the permission when AWS denied it. */
function describeLogFailure(error: unknown, where: string): string {
  const translated = translateAwsError(error, { action: 's3:PutObject', subject: where });
  const message = isErrorLike(translated) ? translated.message : String(translated);
  return translated instanceof CliError ? message : `The release log ${where} was not written: ${message}.`;
}

function list(items: readonly QuarantineItem[], where: string, json: boolean, io: CliIo): number {
  const summary = summarizeQuarantine(items.map((item) => item.record));
  if (json) {
    writeLine(io.stdout, JSON.stringify({ summary, items: items.map(itemSummary) }));
    return EXIT_CODES.ok;
  }
  writeLine(io.stdout, `${items.length} quarantined deliver${items.length === 1 ? 'y' : 'ies'} in ${where}.`);
  for (const line of summaryLines(summary)) writeLine(io.stdout, line);
  for (const item of items) writeLine(io.stdout, `  ${itemLine(item)}`);
  if (items.length > 0) {
    writeLine(
      io.stdout,
      'Why they were refused: npm run cli -- doctor. One in full: quarantine show --id <id>.',
    );
  }
  return EXIT_CODES.ok;
}

/** The counts at a glance: by reason, first and last seen, user agents. */
export function summaryLines(summary: QuarantineSummary): string[] {
  if (summary.total === 0) return [];
  const reasons = Object.entries(summary.byReason)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  const agents = summary.userAgents.map(({ value, count }) => `${value ?? '(none)'} ${count}`).join(', ');
  const versions = summary.envelopeVersions
    .map(({ value, count }) => `${value ?? '(none)'} ${count}`)
    .join(', ');
  return [
    `  by reason: ${reasons}`,
    `  first seen ${summary.first ?? '?'}, last seen ${summary.last ?? '?'}`,
    `  user agents: ${agents}`,
    `  envelope versions: ${versions}; ${summary.signed} of ${summary.total} carried a valid signature`,
  ];
}

/** One item in a `--json` listing: its receipt, no body. */
function itemSummary(item: QuarantineItem) {
  return {
    id: item.id,
    key: item.key,
    quarantinedAt: item.record.quarantined_at,
    reason: item.record.reason,
    eventType: item.record.event_type,
    eventId: item.record.event_id,
    deliveryId: item.record.delivery_id,
    signed: item.record.signed,
    bytes: item.record.body_bytes,
  };
}

function itemLine(item: QuarantineItem): string {
  const { record } = item;
  return [
    record.quarantined_at,
    record.reason.padEnd(21),
    (record.event_type ?? '?').padEnd(13),
    (record.event_id ?? '--------').slice(0, 8),
    item.id,
  ].join('  ');
}

function show(
  items: readonly QuarantineItem[],
  id: string,
  unmask: boolean,
  json: boolean,
  io: CliIo,
  where: string,
): number {
  const [item] = items;
  if (item === undefined) {
    throw new CommandFailedError(
      `No quarantined delivery ${id} in ${where}: check the id (quarantine ls), or look further back with --since.`,
    );
  }
  const bytes = Buffer.from(item.record.body_base64, 'base64');
  let payload: unknown;
  try {
    payload = JSON.parse(bytes.toString('utf8'));
  } catch {
    payload = undefined;
  }
  const body =
    payload === undefined
      ? { bodyBase64: item.record.body_base64 }
      : { payload: unmask ? payload : maskPersonalData(payload) };
  const { body_base64: _bytes, ...receipt } = item.record;
  if (json) {
    writeLine(
      io.stdout,
      JSON.stringify({ id: item.id, key: item.key, masked: !unmask, ...receipt, ...body }),
    );
    return EXIT_CODES.ok;
  }
  writeLine(io.stdout, `${item.id} (s3 key ${item.key})`);
  writeLine(
    io.stdout,
    `  refused ${receipt.quarantined_at}: ${receipt.status_code} ${receipt.reason}: ${receipt.message}`,
  );
  writeLine(
    io.stdout,
    `  signed: ${receipt.signed ? 'yes (a valid SC-Signature)' : 'no'}; ${receipt.body_bytes} bytes`,
  );
  for (const [name, value] of Object.entries(receipt.headers)) writeLine(io.stdout, `  ${name}: ${value}`);
  writeLine(io.stdout, JSON.stringify('payload' in body ? body.payload : body, null, 2));
  if (!unmask) writeLine(io.stdout, '(VIN and locations masked; --unmask shows them)');
  return EXIT_CODES.ok;
}

/** Asks on the terminal; without one the answer is no, so CI never releases unverified by accident. */
async function terminalConfirm(question: string): Promise<boolean> {
  if (process.stdin.isTTY !== true) return false;
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await terminal.question(question)).trim());
  } finally {
    terminal.close();
  }
}
