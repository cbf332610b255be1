import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROUTES } from '../../lambdas/contract';
import type { CliIo } from '../cli/io';
import { main } from '../cli/main';
import { resolveQuarantineTarget } from '../cli/quarantine-targets';
import type { TimelineEntry } from './timeline';

/** What the inspector's buttons do: the CLI's own commands, run in this process. */
export const INSPECTOR_ACTIONS = ['resend', 'replay', 'redrive', 'release'] as const;

/** One of {@link INSPECTOR_ACTIONS}. */
export type InspectorAction = (typeof INSPECTOR_ACTIONS)[number];

/** Runs the CLI (`local/cli/main.ts` `main`): arguments in, exit code out, output on `io`. */
export type CliRunner = (argv: readonly string[], io: CliIo) => Promise<number>;

/** What an action did, as `POST /_local/actions/<action>` answers it. */
export interface ActionOutcome {
  action: InspectorAction;
  /** The command's exit code was 0. */
  ok: boolean;
  exitCode: number;
  /** The line that says what happened, for the page. */
  summary: string;
  /** `release`: `released`, `kept`, `failed` (of the one item), or `none` when nothing matched. */
  outcome?: string;
  /** The command's `--json` document, for the actions that have one. */
  result?: unknown;
  /** Everything the command printed, line by line (stdout, then stderr). */
  output: string[];
}

/** Where the actions send, and how they run the CLI. */
export interface ActionContext {
  /** The local API, e.g. `http://127.0.0.1:3000`: every command gets it as `--local`/`--url`. */
  baseUrl: string;
  /** The path the local API hands to the receiver. @default ROUTES.webhookPath */
  webhookPath?: string;
  /** @default the CLI's `main` */
  cli?: CliRunner;
  /** The token the pipeline verifies with now. @default the token secret's AWSCURRENT, as `doctor` reads it */
  currentToken?: (baseUrl: string) => Promise<string>;
}

// How long redrive follows its move task; locally it completes within a second or two.
const REDRIVE_WAIT_SECONDS = 30;
// `replay --since` for an event first seen at t: the archive dates it by SQS's SentTimestamp, just after.
const REPLAY_LOOKBACK_MS = 5 * 60_000;

/**
 * `resend`: the event's last body, signed with the current token, POSTed to the local webhook
 * (`send --file`): Smartcar's retry of it, as the receiver sees one.
 */
export async function resend(
  entry: TimelineEntry,
  body: string,
  context: ActionContext,
): Promise<ActionOutcome> {
  const token = await (context.currentToken ?? storedCurrentToken)(context.baseUrl);
  const folder = await mkdtemp(path.join(tmpdir(), 'smartcar-inspector-'));
  const file = path.join(folder, 'body.json');
  try {
    await writeFile(file, body, { mode: 0o600 });
    const url = `${context.baseUrl}${context.webhookPath ?? ROUTES.webhookPath}`;
    const run = await runCli(['send', '--file', file, '--url', url, '--token', token], context);
    return outcomeOf('resend', run, lastMarkedLine(run.output) ?? `resent ${entry.key}`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** `replay`: the event from the archive back onto the queue (`replay --event-id`), reprocessed when asked. */
export async function replay(
  entry: TimelineEntry,
  reprocess: boolean,
  context: ActionContext,
): Promise<ActionOutcome> {
  const since = new Date(Date.parse(entry.firstSeenAt) - REPLAY_LOOKBACK_MS).toISOString();
  const argv = ['replay', '--event-id', entry.key, '--since', since, '--local', context.baseUrl, '--json'];
  const run = await runCli(reprocess ? [...argv, '--reprocess'] : argv, context);
  const result = jsonDocument(run.stdout) as
    { selected?: number; sent?: number; replayId?: string } | undefined;
  const summary =
    result?.selected === 0
      ? `Nothing to replay: ${entry.key} is not in the archive (only what was enqueued is archived).`
      : result?.replayId !== undefined
        ? `Replayed ${result.sent ?? 0} as ${result.replayId}${reprocess ? ', reprocessing' : ''}.`
        : (lastMarkedLine(run.output) ?? 'replay ended');
  return { ...outcomeOf('replay', run, summary), result, output: withoutDocument(run.output) };
}

/** `redrive`: the dead-letter queue's messages back onto the queue, followed until the move ends. */
export async function redrive(context: ActionContext): Promise<ActionOutcome> {
  const run = await runCli(
    ['redrive', '--local', context.baseUrl, '--wait', String(REDRIVE_WAIT_SECONDS)],
    context,
  );
  return outcomeOf('redrive', run, lastMarkedLine(run.output) ?? 'redrive ended');
}

/** `release`: one quarantined delivery re-verified and, when it verifies now, enqueued (`quarantine release --id`). */
export async function release(id: string, context: ActionContext): Promise<ActionOutcome> {
  const run = await runCli(
    ['quarantine', 'release', '--id', id, '--local', context.baseUrl, '--json'],
    context,
  );
  const result = jsonDocument(run.stdout) as
    { selected?: number; release_id?: string; items?: { outcome: string; detail: string }[] } | undefined;
  const [item] = result?.items ?? [];
  if (result?.selected === 0) {
    return {
      ...outcomeOf('release', run, `Nothing to release: no quarantined delivery ${id}.`),
      outcome: 'none',
      result,
    };
  }
  const summary =
    item === undefined
      ? (lastMarkedLine(run.output) ?? 'release ended')
      : `${item.outcome}: ${item.detail}${item.outcome === 'released' ? ` (${result?.release_id})` : ''}`;
  return {
    ...outcomeOf('release', run, summary),
    outcome: item?.outcome,
    result,
    output: withoutDocument(run.output),
  };
}

interface CliRun {
  exitCode: number;
  stdout: string;
  output: string[];
}

async function runCli(argv: readonly string[], context: ActionContext): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    // The targets are named on the command line; PORT would only name them again.
    env: { ...process.env, PORT: '' },
    // Nobody is at a terminal for these; release never asks without --accept-unverified anyway.
    confirm: async () => false,
  };
  const exitCode = await (context.cli ?? main)(argv, io);
  const output = `${stdout}${stderr}`.split('\n').filter((line) => line.trim() !== '');
  return { exitCode, stdout, output };
}

function outcomeOf(action: InspectorAction, run: CliRun, summary: string): ActionOutcome {
  return { action, ok: run.exitCode === 0, exitCode: run.exitCode, summary, output: run.output };
}

/** The last line the CLI marked as a result (✔ ✘ → ·), else its last line. */
function lastMarkedLine(lines: readonly string[]): string | undefined {
  const marked = lines.filter((line) => /^\s*[✔✘→·]/.test(line));
  return (marked.at(-1) ?? lines.at(-1))?.trim();
}

/** The lines a person reads: the `--json` document is in `result`. */
function withoutDocument(lines: readonly string[]): string[] {
  return lines.filter((line) => !line.startsWith('{'));
}

/** The command's `--json` document: its last line of stdout. */
function jsonDocument(stdout: string): unknown {
  const last = stdout.trim().split('\n').at(-1);
  if (last === undefined) return undefined;
  try {
    return JSON.parse(last);
  } catch {
    return undefined;
  }
}

/** AWSCURRENT of the local token secret, read the way `doctor` and `quarantine release` read it. */
async function storedCurrentToken(baseUrl: string): Promise<string> {
  const silent = { write: () => true };
  const target = await resolveQuarantineTarget(
    { kind: 'local', baseUrl },
    { stdout: silent, stderr: silent, env: process.env },
  );
  const current = (await target.storedTokens()).find((token) => token.label === 'current');
  if (current === undefined) throw new Error('The local token secret has no current value.');
  return current.token;
}
