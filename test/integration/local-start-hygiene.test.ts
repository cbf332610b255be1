import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startHints } from '../../local/cli/start-hints';
import { TOKEN_ENV_VAR } from '../../local/token';
import { TEST_TOKEN } from '../support/builders';
import {
  PIPELINE_DEADLINE_MS,
  PIPELINE_TEST_TIMEOUT_MS,
  type RunningPipeline,
  startPipelineProcess,
} from './support/local-pipeline';

jest.setTimeout(PIPELINE_TEST_TIMEOUT_MS);

const ROOT = path.join(__dirname, '..', '..');
const TSX_CLI = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

describe('npm start -- --host 0.0.0.0', () => {
  let pipeline: RunningPipeline;
  let port: number;

  beforeAll(async () => {
    pipeline = await startPipelineProcess(TEST_TOKEN, ['--host', '0.0.0.0']);
    port = Number(new URL(pipeline.url).port);
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('warns that the network reaches the webhook, protected only by its signature', () => {
    expect(pipeline.output()).toMatch(/^⚠ Listening on 0\.0\.0\.0, not only on this machine: /m);
    expect(pipeline.output()).toContain('only the SC-Signature check (with the token in .env) protects it');
  });

  it('gives URLs that reach it from this machine, and hints that carry its actual port', async () => {
    const address = { host: '0.0.0.0', port, url: pipeline.url, webhookUrl: pipeline.webhookUrl };

    expect(pipeline.output()).toContain(`webhook   POST http://127.0.0.1:${port}/webhooks/smartcar`);
    expect(pipeline.output()).toContain(`Send an event from another terminal: ${startHints(address).send}\n`);
    expect(pipeline.output()).toContain(`(${startHints(address).cli('events')}; replay)`);
    expect((await fetch(`${pipeline.url}/health`)).status).toBe(200);
  });

  it('prints a line for a request to a wrong path, naming the webhook path', async () => {
    const response = await fetch(`${pipeline.url}/webhook`, { method: 'POST', body: '{}' });

    expect(response.status).toBe(404);
    await pipeline.waitForOutput(/^\S+ 404 POST \/webhook \(the webhook path is \/webhooks\/smartcar\)$/m);
  });

  it('shows the fault switches on GET /_local/faults', async () => {
    const response = await fetch(`${pipeline.url}/_local/faults`);

    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({
      sqs: 'up',
      dynamodb: 'up',
      archive: 'up',
      processor: 'ok',
    });
  });

  it('refuses an unknown fault value with 400 and changes nothing', async () => {
    const refused = await fetch(`${pipeline.url}/_local/faults`, {
      method: 'POST',
      body: '{"dynamodb":"off"}',
    });

    expect(refused.status).toBe(400);
    await expect(refused.json()).resolves.toMatchObject({
      message: expect.stringContaining('Accepted: sqs|dynamodb|archive: up|down; processor: crash.'),
    });
    const state = (await (await fetch(`${pipeline.url}/_local/faults`)).json()) as Record<string, string>;
    expect(state.dynamodb).toBe('up');
  });

  it('shows a switched fault on GET /_local/faults until it is switched back', async () => {
    await pipeline.fault({ archive: 'down' });
    const whileDown = (await (await fetch(`${pipeline.url}/_local/faults`)).json()) as Record<string, string>;
    await pipeline.fault({ archive: 'up' });
    const after = (await (await fetch(`${pipeline.url}/_local/faults`)).json()) as Record<string, string>;

    expect(whileDown.archive).toBe('down');
    expect(after.archive).toBe('up');
  });

  it('answers /_local/* only to this machine, not through a tunnel', async () => {
    const response = await fetch(`${pipeline.url}/_local/faults`, {
      method: 'POST',
      headers: { 'x-forwarded-for': '203.0.113.9' },
      body: '{"sqs":"down"}',
    });

    expect(response.status).toBe(403);
    expect((await pipeline.status()).faults.sqs).toBe('up');
    await pipeline.waitForOutput(/^\S+ 403 POST \/_local\/faults \(from 203\.0\.113\.9 through a proxy/m);
  });
});

describe('npm start, stopped through npm', () => {
  let npm: ChildProcess | undefined;

  afterAll(() => {
    // Whatever the test left behind, in the process group it started (and nothing else).
    if (npm?.pid !== undefined) {
      try {
        process.kill(-npm.pid, 'SIGKILL');
      } catch {
        // The group is gone: everything stopped.
      }
    }
  });

  it('frees the port when the npm process gets SIGTERM (npm → sh → tsx → node)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'npm-start-sigterm-'));
    npm = spawn(
      'npm',
      [
        'start',
        '--',
        '--port',
        '0',
        '--archive-dir',
        path.join(dir, 'archive'),
        '--state-dir',
        path.join(dir, 'state'),
      ],
      {
        cwd: ROOT,
        // A group of its own, so that afterAll can clean up everything it started.
        detached: true,
        env: { ...process.env, [TOKEN_ENV_VAR]: TEST_TOKEN, PORT: '', npm_config_update_notifier: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const port = await until(
      () => /health\s+GET\s+http:\/\/127\.0\.0\.1:(\d+)\/health/.exec(output)?.[1],
      () => output,
    );
    await until(
      () => output.includes('Ctrl-C stops everything.') || undefined,
      () => output,
    );

    process.kill(npm.pid as number, 'SIGTERM');

    await until(
      async () => ((await isListening(Number(port))) ? undefined : true),
      () => output,
    );
    await until(
      () => output.includes('stopped.') || undefined,
      () => output,
    );
    expect(output).toContain('the command that started it exited: stopping…');
  });
});

describe('npm start on a Node.js without node:sqlite', () => {
  it('says which version it needs and why, before anything else', async () => {
    const child = spawn(process.execPath, [TSX_CLI, 'local/cli/main.ts', 'start', '--port', '0'], {
      cwd: ROOT,
      env: {
        ...process.env,
        [TOKEN_ENV_VAR]: TEST_TOKEN,
        NODE_OPTIONS: `--require ${path.join(__dirname, 'support', 'pretend-node-20.cjs')}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));

    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    expect(code).toBe(1);
    expect(output).toContain('✘ npm start needs Node.js 22.13.0 or later; this is 20.19.0.');
    expect(output).not.toContain('Smartcar webhook pipeline running locally');
  });
});

/** Polls `probe` until it gives a value; fails with the output after {@link PIPELINE_DEADLINE_MS}. */
async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  output: () => string,
): Promise<T> {
  const deadline = Date.now() + PIPELINE_DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
