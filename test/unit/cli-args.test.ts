import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingTokenError } from '../../local/cli/errors';
import type { CliIo } from '../../local/cli/io';
import { main } from '../../local/cli/main';
import { parseRedriveArgs } from '../../local/cli/redrive';
import { parseSendArgs } from '../../local/cli/send';
import { parseStartArgs } from '../../local/cli/start';
import { parseVerifyArgs } from '../../local/cli/verify';
import { TOKEN_ENV_VAR } from '../../local/token';

const TOKEN = 'cli-test-token';
const scratch = mkdtempSync(join(tmpdir(), 'cli-args-'));
// A .env path that does not exist, so the repository's own .env never leaks into a test.
const NO_DOT_ENV = join(scratch, 'absent.env');

/** An io whose streams are captured; no fetch, so a test that reached the network would fail. */
function captureIo(env: NodeJS.ProcessEnv = { [TOKEN_ENV_VAR]: TOKEN }, dotEnvFile = NO_DOT_ENV) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env,
    dotEnvFile,
    fetch: () => Promise.reject(new Error('unit tests make no requests')),
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

describe('cli main', () => {
  it('prints the commands and examples for --help and exits 0', async () => {
    const { io, stdout } = captureIo();

    const code = await main(['--help'], io);

    expect(code).toBe(0);
    expect(stdout()).toContain('send <VERIFY|VEHICLE_STATE|VEHICLE_ERROR>');
    expect(stdout()).toContain('npm run send -- VEHICLE_STATE --count 100 --concurrency 10');
    expect(stdout()).toContain(
      'npm run cli -- verify --url https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/smartcar --token $AMT',
    );
    expect(stdout()).toContain('npm run cli -- redrive --stack SmartcarWebhooks');
  });

  it('lists start among the commands, on the port the other commands default to', async () => {
    const help = captureIo();
    const sendHelp = captureIo();

    await main(['--help'], help.io);
    await main(['send', '--help'], sendHelp.io);

    expect(help.stdout()).toMatch(
      /^ {2}start +the whole pipeline on 127\.0\.0\.1 \(port \$PORT, else 3000\)$/m,
    );
    expect(sendHelp.stdout()).toContain('http://127.0.0.1:<$PORT, else 3000>/webhooks/smartcar');
  });

  it.each([
    ['start', '--receiver-concurrency <n>', 'npx cdk synth && npm start -- --bundles'],
    ['send', '--count <n>', 'npm run send -- VEHICLE_STATE --count 100 --concurrency 10'],
    ['verify', '--timeout <ms>', 'npm run cli -- verify --url https://abc.execute-api'],
    ['redrive', '--stack <name>', 'npm run cli -- redrive --stack SmartcarWebhooks'],
  ])('prints the options and examples of %s for "<command> --help"', async (command, option, example) => {
    const { io, stdout } = captureIo();

    const code = await main([command, '--help'], io);

    expect(code).toBe(0);
    expect(stdout()).toContain(option);
    expect(stdout()).toContain(example);
  });

  it('prints command help for "help <command>" and for -h among other arguments', async () => {
    const viaHelp = captureIo();
    const viaFlag = captureIo();

    await main(['help', 'redrive'], viaHelp.io);
    await main(['redrive', '--stack', 'X', '-h'], viaFlag.io);

    expect(viaHelp.stdout()).toContain('StartMessageMoveTask');
    expect(viaFlag.stdout()).toBe(viaHelp.stdout());
  });

  it('exits 2 without a command and lists the commands', async () => {
    const { io, stderr } = captureIo();

    const code = await main([], io);

    expect(code).toBe(2);
    expect(stderr()).toContain(
      'Missing command: start, send, verify, redrive, events, replay, quarantine, doctor.',
    );
    expect(stderr()).toContain('Run "smartcar-webhooks --help" for usage.');
  });

  it('exits 2 on an unknown command and points to --help', async () => {
    const { io, stderr } = captureIo();

    const code = await main(['sned', 'VEHICLE_STATE'], io);

    expect(code).toBe(2);
    expect(stderr()).toContain(
      'Unknown command "sned": use start, send, verify, redrive, events, replay, quarantine, doctor.',
    );
    expect(stderr()).toContain('Run "smartcar-webhooks --help" for usage.');
  });
});

describe('cli argument errors', () => {
  it.each([
    [['send'], '"send" needs an event type (VERIFY, VEHICLE_STATE, VEHICLE_ERROR) or --file <payload.json>.'],
    [
      ['send', 'VEHICLE_EVENT'],
      'Unknown event type "VEHICLE_EVENT": use VERIFY, VEHICLE_STATE, VEHICLE_ERROR.',
    ],
    [['send', 'VEHICLE_STATE', '--count', 'ten'], '--count must be a whole number ≥ 1, got "ten".'],
    [['send', 'VEHICLE_STATE', '--count', '0'], '--count must be a whole number ≥ 1, got "0".'],
    [
      ['send', 'VEHICLE_STATE', '--concurrency', '2.5'],
      '--concurrency must be a whole number ≥ 1, got "2.5".',
    ],
    [['send', 'VEHICLE_STATE', '--timeout=-1'], '--timeout must be a whole number ≥ 1, got "-1".'],
    [['send', 'VEHICLE_STATE', '--count'], '--count needs a value'],
    [['send', 'VEHICLE_STATE', '--count', '--duplicate'], '--count needs a value'],
    [['send', 'VEHICLE_STATE', '--bogus'], 'Unknown option --bogus for "send".'],
    [['send', 'VEHICLE_STATE', '-x'], 'Unknown option -x for "send".'],
    [['send', 'VEHICLE_STATE', '--duplicate=yes'], '--duplicate is a flag and takes no value.'],
    [['send', 'VEHICLE_STATE', 'VEHICLE_ERROR'], 'Unexpected argument "VEHICLE_ERROR" for "send".'],
    [['send', 'VEHICLE_STATE', '--url', 'localhost:3000'], '--url must be an http or https URL'],
    [['send', 'VEHICLE_STATE', '--url', 'not a url'], '--url must be an absolute URL'],
    [['send', 'VEHICLE_STATE', '--token='], '--token needs a non-empty value.'],
    [
      ['send', '--file', join(scratch, 'missing.json')],
      `--file ${join(scratch, 'missing.json')}: no such file.`,
    ],
    [['start', '--port', 'http'], '--port must be a port number from 0 to 65535, got "http".'],
    [['start', '--port', '70000'], '--port must be a port number from 0 to 65535, got "70000".'],
    [['start', '--visibility-timeout=-1'], '--visibility-timeout must be a whole number ≥ 0, got "-1".'],
    [['start', '--visibility-timeout', '43201'], '--visibility-timeout must be at most 43200 seconds'],
    [['start', '--receiver-concurrency', '0'], '--receiver-concurrency must be a whole number ≥ 1, got "0".'],
    [['start', '--receiver-concurrency', '1001'], '--receiver-concurrency must be at most 1000'],
    [['start', '--cdk-out', 'out'], '--cdk-out says where the bundles are: use it with --bundles.'],
    [['start', 'now'], 'Unexpected argument "now" for "start".'],
    [['verify', 'https://example.com'], 'Unexpected argument "https://example.com" for "verify".'],
    [['verify', '--timeout', 'soon'], '--timeout must be a whole number ≥ 1, got "soon".'],
    [['verify', '--urll', 'https://example.com'], 'Unknown option --urll for "verify".'],
    [['redrive', '--dlq', 'a', '--stack', 'b'], 'Use --stack or --dlq, not both'],
    [['redrive', '--queue', 'main'], '--queue needs --dlq'],
    [['redrive', '--local', 'http://127.0.0.1:4000', '--stack', 'b'], '--local redrives the emulator'],
    [['redrive', '--region', 'eu-west-1'], '--region applies to --dlq and --stack'],
    [['redrive', '--wait=-5'], '--wait must be a whole number ≥ 0, got "-5".'],
    [['redrive', '--local', '127.0.0.1:3000'], '--local must be an absolute URL'],
  ])('exits 2 for %j: %s', async (argv, message) => {
    const { io, stderr, stdout } = captureIo();

    const code = await main(argv, io);

    expect(code).toBe(2);
    expect(stderr()).toContain(message);
    expect(stderr()).toContain(`Run "smartcar-webhooks ${argv[0]} --help" for usage.`);
    expect(stdout()).toBe('');
  });

  it('exits 2 when --file holds another event type than the one named', async () => {
    const file = join(scratch, 'state.json');
    writeFileSync(file, JSON.stringify({ eventId: 'e-1', eventType: 'VEHICLE_STATE', data: {} }));
    const { io, stderr } = captureIo();

    const code = await main(['send', 'VEHICLE_ERROR', '--file', file], io);

    expect(code).toBe(2);
    expect(stderr()).toContain('holds eventType VEHICLE_STATE, not VEHICLE_ERROR');
  });

  it.each(['send', 'verify'])(
    'exits 2 for %s without any token and says where one comes from',
    async (command) => {
      const { io, stderr } = captureIo({});

      const code = await main(command === 'send' ? ['send', 'VEHICLE_STATE'] : ['verify'], io);

      expect(code).toBe(2);
      expect(stderr()).toContain('No Application Management Token: pass --token <token>');
      expect(stderr()).toContain(`set ${TOKEN_ENV_VAR}`);
      expect(stderr()).toContain('run `npm start` once');
    },
  );
});

describe('start arguments', () => {
  it('defaults to port 3000, a 10 s visibility timeout, 10 receivers, the TypeScript sources and .local/archive', () => {
    const { io } = captureIo({});

    expect(parseStartArgs([], io)).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      bundlesDir: undefined,
      visibilityTimeoutSeconds: 10,
      receiverConcurrency: 10,
      verbose: false,
      archiveDir: '.local/archive',
    });
  });

  it('keeps the archive where --archive-dir says', () => {
    const { io } = captureIo({});

    expect(parseStartArgs(['--archive-dir', '/tmp/archive'], io).archiveDir).toBe('/tmp/archive');
    expect(() => parseStartArgs(['--archive-dir', ' '], io)).toThrow(/--archive-dir needs a non-empty value/);
  });

  it('listens on PORT, the port the other commands send to', () => {
    const { io } = captureIo({ PORT: '4100' });

    expect(parseStartArgs([], io).port).toBe(4100);
    expect(parseSendArgs(['VEHICLE_STATE', '--token', TOKEN], io).url.port).toBe('4100');
  });

  it('prefers --port over PORT and takes 0 for a free port', () => {
    const { io } = captureIo({ PORT: '4100' });

    expect(parseStartArgs(['--port', '0'], io).port).toBe(0);
  });

  it('runs the bundles of cdk.out with --bundles, or of --cdk-out', () => {
    const { io } = captureIo({});

    expect(parseStartArgs(['--bundles'], io).bundlesDir).toBe('cdk.out');
    expect(parseStartArgs(['--bundles', '--cdk-out', '/tmp/assembly'], io).bundlesDir).toBe('/tmp/assembly');
  });

  it('takes every option', () => {
    const { io } = captureIo({});

    const settings = parseStartArgs(
      ['--visibility-timeout', '180', '--receiver-concurrency', '1000', '--verbose'],
      io,
    );

    expect(settings).toMatchObject({
      visibilityTimeoutSeconds: 180,
      receiverConcurrency: 1000,
      verbose: true,
    });
  });

  it('exits 2 for a PORT that is not a port, naming PORT', async () => {
    const { io, stderr } = captureIo({ PORT: 'eighty' });

    const code = await main(['start'], io);

    expect(code).toBe(2);
    expect(stderr()).toContain('PORT must be a port number from 0 to 65535, got "eighty".');
  });
});

describe('send arguments', () => {
  it('defaults to one signed delivery to the local emulator with Smartcar’s 15 s timeout', () => {
    const settings = parseSendArgs(['VEHICLE_STATE'], captureIo().io);

    expect(settings).toEqual({
      url: new URL('http://127.0.0.1:3000/webhooks/smartcar'),
      token: TOKEN,
      eventType: 'VEHICLE_STATE',
      file: undefined,
      fresh: false,
      count: 1,
      concurrency: 1,
      duplicate: false,
      timeoutMs: 15_000,
    });
  });

  it('takes the local port from PORT', () => {
    const settings = parseSendArgs(['VERIFY'], captureIo({ [TOKEN_ENV_VAR]: TOKEN, PORT: '4123' }).io);

    expect(settings.url.href).toBe('http://127.0.0.1:4123/webhooks/smartcar');
  });

  it('reads the token from .env when the environment has none', () => {
    const dotEnv = join(scratch, 'token.env');
    writeFileSync(dotEnv, `${TOKEN_ENV_VAR}=from-dot-env\n`);

    const settings = parseSendArgs(['VEHICLE_ERROR'], captureIo({}, dotEnv).io);

    expect(settings.token).toBe('from-dot-env');
  });

  it('prefers --token over the environment', () => {
    const settings = parseSendArgs(['VEHICLE_STATE', '--token', 'explicit'], captureIo().io);

    expect(settings.token).toBe('explicit');
  });

  it('accepts the event type in any case and every option', () => {
    const settings = parseSendArgs(
      [
        'vehicle_error',
        '--url',
        'https://abc.example.com/hook',
        '--count',
        '100',
        '--concurrency',
        '10',
        '--duplicate',
        '--timeout',
        '500',
      ],
      captureIo().io,
    );

    expect(settings).toMatchObject({
      url: new URL('https://abc.example.com/hook'),
      eventType: 'VEHICLE_ERROR',
      count: 100,
      concurrency: 10,
      duplicate: true,
      timeoutMs: 500,
    });
  });

  it('makes the event type optional with --file', () => {
    const settings = parseSendArgs(['--file', 'payload.json'], captureIo().io);

    expect(settings.file).toBe('payload.json');
    expect(settings.eventType).toBeUndefined();
  });

  it('throws MissingTokenError when no token is found', () => {
    expect(() => parseSendArgs(['VEHICLE_STATE'], captureIo({}).io)).toThrow(MissingTokenError);
  });
});

describe('verify arguments', () => {
  it('defaults to the local emulator and the 15 s timeout', () => {
    const settings = parseVerifyArgs([], captureIo().io);

    expect(settings).toEqual({
      url: new URL('http://127.0.0.1:3000/webhooks/smartcar'),
      token: TOKEN,
      timeoutMs: 15_000,
    });
  });

  it('takes --url, --token and --timeout', () => {
    const settings = parseVerifyArgs(
      [
        '--url',
        'https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/smartcar',
        '--token',
        'amt',
        '--timeout',
        '300',
      ],
      captureIo({}).io,
    );

    expect(settings).toEqual({
      url: new URL('https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/smartcar'),
      token: 'amt',
      timeoutMs: 300,
    });
  });
});

describe('redrive arguments', () => {
  it('targets the local emulator on PORT by default and waits 60 s', () => {
    const settings = parseRedriveArgs([], captureIo({ PORT: '4000' }).io);

    expect(settings).toEqual({
      target: { kind: 'local', baseUrl: 'http://127.0.0.1:4000' },
      waitSeconds: 60,
    });
  });

  it('takes the origin of --local', () => {
    const settings = parseRedriveArgs(['--local', 'http://127.0.0.1:3100/_local/status'], captureIo().io);

    expect(settings.target).toEqual({ kind: 'local', baseUrl: 'http://127.0.0.1:3100' });
  });

  it('targets queues by --dlq and --queue in --region', () => {
    const settings = parseRedriveArgs(
      ['--dlq', 'hooks-dlq', '--queue', 'hooks', '--region', 'eu-west-1', '--wait', '0'],
      captureIo().io,
    );

    expect(settings).toEqual({
      target: { kind: 'queues', dlq: 'hooks-dlq', queue: 'hooks', region: 'eu-west-1' },
      waitSeconds: 0,
    });
  });

  it('targets a stack by --stack', () => {
    const settings = parseRedriveArgs(['--stack', 'SmartcarWebhooks'], captureIo().io);

    expect(settings.target).toEqual({ kind: 'stack', stack: 'SmartcarWebhooks', region: undefined });
  });
});
