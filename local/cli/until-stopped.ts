import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/**
 * When `start` should stop: Ctrl-C, a `kill`, a closed terminal, or the command that started it
 * gone. `npm start` runs npm → sh → tsx → node (this process). `kill <npm pid>` reaches npm, which
 * passes SIGTERM to sh, which dies of it without passing it on; tsx, whose parent is gone, never
 * hears of it and neither do we. So besides the signals, this process watches the chain that
 * started it and stops when a link goes.
 */

/** Signals that stop `start`. SIGHUP: the terminal closed. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** How often the launch chain is looked at. */
export const LAUNCHER_POLL_INTERVAL_MS = 1000;

/** What {@link untilLauncherGone} reads about processes; real ones by default. */
export interface ProcessTable {
  /** This process's parent now (it changes when the parent exits: the orphan is re-parented). */
  ownParent(): number;
  /** Another process's parent, or undefined when the process is gone or cannot be read. */
  parentOf(pid: number): Promise<number | undefined>;
  /**
   * True when this process runs under tsx's CLI, whose parent process is a relay in between: then
   * the relay's own parent is watched too.
   */
  underRelay: boolean;
}

/** A watch that can be called off. */
export interface Watch {
  /** Resolves with why this process should stop. */
  stopped: Promise<string>;
  cancel(): void;
}

/**
 * Watches the processes that started this one and resolves once one of them is gone: this
 * process's parent, and under tsx's CLI its relay's parent as well (npm's `sh`, for `npm start`).
 */
export function untilLauncherGone(
  table: ProcessTable = systemProcessTable(),
  intervalMs = LAUNCHER_POLL_INTERVAL_MS,
): Watch {
  const parent = table.ownParent();
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const stopped = new Promise<string>((resolve) => {
    void (async () => {
      const relayParent = table.underRelay ? await table.parentOf(parent) : undefined;
      const check = async () => {
        if (cancelled) return;
        if (table.ownParent() !== parent) return resolve('the process that started it exited');
        if (relayParent !== undefined && (await table.parentOf(parent)) !== relayParent) {
          return resolve('the command that started it exited');
        }
        timer = setTimeout(() => void check(), intervalMs);
        // The watch alone never keeps the process alive.
        timer.unref();
      };
      await check();
    })();
  });
  return {
    stopped,
    cancel: () => {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}

/**
 * The default of `CliIo.untilStopped` for `start`: the first of {@link STOP_SIGNALS} or the launch
 * chain gone. The signal handlers stay, so a second Ctrl-C while stopping (tsx passes one on, a
 * terminal another) does not kill the process midway.
 */
export function untilStopped(): Promise<string> {
  const watch = untilLauncherGone();
  return new Promise<string>((resolve) => {
    for (const signal of STOP_SIGNALS) process.on(signal, () => resolve(signal));
    void watch.stopped.then(resolve);
  }).then((reason) => {
    watch.cancel();
    // With the terminal or the parent gone, writing the last lines may fail (EIO, EPIPE): that
    // must not keep the pipeline from stopping cleanly.
    if (reason !== 'SIGINT' && reason !== 'SIGTERM') {
      for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
    }
    return reason;
  });
}

/** This machine's processes: `/proc` on Linux, `ps` elsewhere, nothing to read on Windows. */
export function systemProcessTable(): ProcessTable {
  return {
    ownParent: () => process.ppid,
    parentOf:
      process.platform === 'linux'
        ? linuxParentOf
        : process.platform === 'win32'
          ? async () => undefined
          : psParentOf,
    underRelay: process.execArgv.some((arg) => /tsx[\\/]dist[\\/](preflight\.cjs|loader\.mjs)/.test(arg)),
  };
}

/** The 4th field of /proc/<pid>/stat, after the command name in parentheses (which may hold any text). */
async function linuxParentOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return parsePid(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function psParentOf(pid: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'ppid=', '-p', String(pid)], (error, stdout) =>
      resolve(error ? undefined : parsePid(stdout)),
    );
  });
}

function parsePid(text: string | undefined): number | undefined {
  const pid = Number(text?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
