import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import type { LocalQueue } from '../../../local/sqs';

const ROOT = path.join(__dirname, '..', '..', '..');

/** fauxqs with the project's main queue and DLQ, served by a child process. */
export interface LocalSqsProcess {
  endpoint: string;
  queue: LocalQueue;
  deadLetterQueue: LocalQueue;
  stop(): Promise<void>;
}

/** Starts `sqs-server.ts` and resolves once it printed where its queues are. */
export async function startLocalSqsProcess(visibilityTimeoutSeconds = 30): Promise<LocalSqsProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      path.join(__dirname, 'sqs-server.ts'),
      String(visibilityTimeoutSeconds),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let output = '';
  const started = await new Promise<Omit<LocalSqsProcess, 'stop'>>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined) resolve(JSON.parse(line) as Omit<LocalSqsProcess, 'stop'>);
    });
    void exited.then(() => reject(new Error(`the SQS emulator exited before it started:\n${output}`)));
  });
  return {
    ...started,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
