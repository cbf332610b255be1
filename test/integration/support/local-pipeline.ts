import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ActivityCounts, QuarantineCounts } from '../../../local/activity';
import { TOKEN_ENV_VAR } from '../../../local/token';

const ROOT = path.join(__dirname, '..', '..', '..');
const TSX_CLI = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/**
 * How long {@link RunningPipeline.waitFor} waits by default before it gives up: a safety net for a
 * condition that never comes, not an expectation of speed. Idle, what the tests wait for takes a
 * second or two; on a 2-core machine shared with two CPU-bound processes, up to ten times that.
 */
export const PIPELINE_DEADLINE_MS = 90_000;

/**
 * Jest timeout for a test that waits on the pipeline: room for a few deliveries and one
 * {@link PIPELINE_DEADLINE_MS} wait, so a missed condition fails with waitFor's last status rather
 * than with Jest's bare timeout.
 */
export const PIPELINE_TEST_TIMEOUT_MS = 150_000;

/** `npm start` running in a child process, as a user runs it. */
export interface RunningPipeline {
  url: string;
  webhookUrl: string;
  /** Everything the process printed so far. */
  output(): string;
  status(): Promise<PipelineStatus>;
  fault(change: Record<string, 'up' | 'down' | 'crash'>): Promise<void>;
  /**
   * Waits until `predicate(status)` holds, polling; fails with the last status after `timeoutMs`
   * (default {@link PIPELINE_DEADLINE_MS}).
   */
  waitFor(predicate: (status: PipelineStatus) => boolean, timeoutMs?: number): Promise<PipelineStatus>;
  /**
   * Waits until the output matches `pattern`: what the functions write reaches it a moment after
   * the outcome it belongs to. Fails with the output after {@link PIPELINE_DEADLINE_MS}.
   */
  waitForOutput(pattern: RegExp): Promise<void>;
  /** Where this pipeline keeps its archive (a temporary folder unless `--archive-dir` was given). */
  archiveDir: string;
  /** Where it keeps its queues and tables (a temporary folder unless `--state-dir` was given). */
  stateDir: string;
  /** Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** `GET /_local/status`. */
export interface PipelineStatus extends ActivityCounts {
  queue: { visible: number; inFlight: number };
  deadLetterQueue: { visible: number };
  sqs: { endpoint: string; deadLetterQueueArn: string; queueArn: string };
  secretsManager: { endpoint: string; secretId: string };
  archive: { endpoint: string; bucket: string; state: string; objects: number; directory: string | null };
  /** What the quarantine did in this run, and what it holds (objects, this run's and earlier runs'). */
  quarantine: QuarantineCounts & { objects: number };
  faults: Record<string, string>;
}

/**
 * Starts `smartcar-webhooks start` (what `npm start` runs) on a free port with the given token,
 * `args` and, over this process's environment, `env` (e.g. `{ POWERTOOLS_DEV: 'true' }`).
 */
export async function startPipelineProcess(
  token: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<RunningPipeline> {
  // Never the repository's own .local/archive: each test run starts from an archive of its own.
  const archiveDir = args.includes('--archive-dir')
    ? String(args[args.indexOf('--archive-dir') + 1])
    : mkdtempSync(path.join(tmpdir(), 'pipeline-archive-'));
  const archiveArgs = args.includes('--archive-dir') ? [] : ['--archive-dir', archiveDir];
  // Nor its .local/state: a test that restarts passes the same --state-dir twice.
  const stateDir = args.includes('--state-dir')
    ? String(args[args.indexOf('--state-dir') + 1])
    : mkdtempSync(path.join(tmpdir(), 'pipeline-state-'));
  const stateArgs = args.includes('--state-dir') ? [] : ['--state-dir', stateDir];
  const child: ChildProcess = spawn(
    process.execPath,
    [TSX_CLI, 'local/cli/main.ts', 'start', '--port', '0', ...archiveArgs, ...stateArgs, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, [TOKEN_ENV_VAR]: token, PORT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    // tsx compiles the sources on start, which a loaded machine makes take tens of seconds.
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm start did not come up:\n${output}`));
    }, PIPELINE_DEADLINE_MS);
    const check = () => {
      const match = /health\s+GET\s+(http:\/\/127\.0\.0\.1:\d+)\/health/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(deadline);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(deadline);
      reject(new Error(`npm start exited with ${code}:\n${output}`));
    });
  });

  const status = async () => (await (await fetch(`${url}/_local/status`)).json()) as PipelineStatus;
  return {
    url,
    archiveDir,
    stateDir,
    // The path the banner names: the construct's default, or the one the context or template set.
    webhookUrl: /webhook\s+POST\s+(\S+)/.exec(output)?.[1] ?? `${url}/webhooks/smartcar`,
    output: () => output,
    status,
    fault: async (change) => {
      await fetch(`${url}/_local/faults`, { method: 'POST', body: JSON.stringify(change) });
    },
    waitFor: async (predicate, timeoutMs = PIPELINE_DEADLINE_MS) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await status();
        if (predicate(current)) return current;
        if (Date.now() > deadline)
          throw new Error(`condition not met; last status ${JSON.stringify(current)}\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    waitForOutput: async (pattern) => {
      const deadline = Date.now() + PIPELINE_DEADLINE_MS;
      while (!pattern.test(output)) {
        if (Date.now() > deadline) throw new Error(`no output matched ${pattern}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}
