import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROCESSOR_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import type { CliIo } from '../../local/cli/io';
import { main } from '../../local/cli/main';
import { parseStartArgs } from '../../local/cli/start';
import { deployedBannerLines } from '../../local/cli/start-context';
import { settingsFromContext } from '../../local/deployed-settings';

const NO_DOT_ENV = join(mkdtempSync(join(tmpdir(), 'cli-start-context-')), 'absent.env');

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env: { SMARTCAR_MANAGEMENT_TOKEN: 'cli-test-token' },
    dotEnvFile: NO_DOT_ENV,
    fetch: () => Promise.reject(new Error('unit tests make no requests')),
    // Never reached: every case below is refused before the pipeline starts.
    untilStopped: () => Promise.reject(new Error('the pipeline must not start')),
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

describe('start -c / --context', () => {
  it('runs what the construct deploys by default: latestState off, its webhook path', () => {
    const { deployed } = parseStartArgs([], captureIo().io);

    expect(deployed).toMatchObject({
      latestState: false,
      webhookPath: '/webhooks/smartcar',
      batchSize: PROCESSOR_DEFAULTS.batchSize,
      maxConcurrency: PROCESSOR_DEFAULTS.maxConcurrency,
      processorTimeoutSeconds: PROCESSOR_DEFAULTS.timeoutSeconds,
    });
  });

  it('takes the context keys cdk deploy takes, with -c and --context', () => {
    const settings = parseStartArgs(
      [
        '-c',
        'latestState=true',
        '--context',
        'webhookPath=/hooks/smartcar',
        '--context=alarmEmail=a@example.com',
      ],
      captureIo().io,
    );

    expect(settings.context).toEqual({
      latestState: 'true',
      webhookPath: '/hooks/smartcar',
      alarmEmail: 'a@example.com',
    });
    expect(settings.deployed).toMatchObject({
      latestState: true,
      webhookPath: '/hooks/smartcar',
      ignoredContext: ['alarmEmail'],
    });
  });

  it('takes --processor-timeout as the processor’s timeout', () => {
    const settings = parseStartArgs(['--processor-timeout', '3'], captureIo().io);

    expect(settings.processorTimeoutSeconds).toBe(3);
    expect(settings.deployed?.processorTimeoutSeconds).toBe(3);
  });

  it('leaves the settings of --bundles to their template', () => {
    expect(parseStartArgs(['--bundles'], captureIo().io).deployed).toBeUndefined();
  });

  it.each([
    [['-c', 'latestState=yes'], 'Context value "latestState" must be true or false; got "yes".'],
    [['--context', 'latestStat=true'], 'Unknown context key "latestStat" (did you mean "latestState"?).'],
    [
      ['-c', 'latestState'],
      'Context must be given as key=value, such as latestState=true; got "latestState".',
    ],
    [['-c', 'webhookPath=hooks'], 'webhookPath must be a literal path starting with "/"'],
    [['-c', 'appEntry=does/not/exist.ts'], 'does/not/exist.ts does not exist.'],
    [
      ['--bundles', '-c', 'latestState=true'],
      'Synthesize with it instead: npx cdk synth -c latestState=true, then start with --bundles.',
    ],
    [['--processor-timeout', '0'], '--processor-timeout must be a whole number ≥ 1, got "0".'],
    [
      ['--processor-timeout', '901'],
      '--processor-timeout must be at most 900 seconds (Lambda\'s limit), got "901".',
    ],
    [['-c'], '--context needs a value'],
  ])('exits 2 for start %j: %s', async (args, message) => {
    const { io, stderr, stdout } = captureIo();

    const code = await main(['start', ...args], io);

    expect(code).toBe(2);
    expect(stderr()).toContain(message);
    expect(stderr()).toContain('Run "smartcar-webhooks start --help" for usage.');
    expect(stdout()).toBe('');
  });

  it('documents -c and --processor-timeout in start --help', async () => {
    const { io, stdout } = captureIo();

    await main(['start', '--help'], io);

    expect(stdout()).toContain('-c, --context <key=value>');
    expect(stdout()).toContain('--processor-timeout <s>');
    expect(stdout()).toContain('npm start -- -c latestState=true');
  });
});

describe('the start banner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-start-banner-'));

  it('says the latest-state store is off, as deployed by default, and how to turn it on', () => {
    const lines = deployedBannerLines(settingsFromContext({}, {}, dir), { visibilityTimeoutSeconds: 10 });

    expect(lines).toContain(
      '  latest    state store off, as deployed by default: handlers get no context.latestState (-c latestState=true turns it on)',
    );
  });

  it('says the processor runs batches as deployed, and when it stops one', () => {
    const lines = deployedBannerLines(settingsFromContext({}, {}, dir), { visibilityTimeoutSeconds: 10 });

    expect(lines).toContain(
      '  processor batches of up to 100 (what is waiting when polled; AWS gathers for up to 30 s), at most 5 at once, each in its own environment; an invocation still running after 30 s is stopped',
    );
  });

  it('says the store is on with latestState=true, and where the settings came from', () => {
    const lines = deployedBannerLines(settingsFromContext({ latestState: 'true' }, {}, dir), {
      visibilityTimeoutSeconds: 10,
    });

    expect(lines).toContain(
      '  latest    state store on: a latest-state table, and handlers get context.latestState',
    );
    expect(lines).toContain("  settings  from the construct's defaults with the context (latestState)");
  });

  it('says what differs from AWS: the visibility timeout, a processor timeout set locally', () => {
    const lines = deployedBannerLines(settingsFromContext({}, {}, dir, 3), {
      visibilityTimeoutSeconds: 10,
      processorTimeoutSeconds: 3,
    });

    expect(lines).toContain(
      '  vs AWS    visibility timeout 10 s (AWS 48 s; --visibility-timeout); processor timeout set by --processor-timeout; every function shares this machine',
    );
  });
});
