/**
 * What a command may touch outside itself. `main` is called with the real process streams and
 * environment; tests pass their own, so no command reads `process` directly.
 */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Waits between redrive polls. @default a setTimeout promise */
  sleep?: (ms: number) => Promise<void>;
  /** Where the token is looked up when the environment has none. @default `.env` in the working directory */
  dotEnvFile?: string;
  /**
   * Resolves with the signal's name when the user asks `start` to stop (Ctrl-C).
   * @default the first SIGINT or SIGTERM this process receives
   */
  untilStopped?: () => Promise<string>;
  /**
   * Asks the person at the terminal a yes/no question.
   * @default a prompt on a terminal; without one (CI, a pipe) no, so only an explicit flag says yes
   */
  confirm?: (question: string) => Promise<boolean>;
}

/** Writes one line to the stream. */
export function writeLine(stream: CliIo['stdout'], text = ''): void {
  stream.write(`${text}\n`);
}
