import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ENV_VARS, ROUTES } from '../../lambdas/contract';
import { ContextError } from '../../lib/context-settings';
import {
  IDEMPOTENCY_DEFAULTS,
  PROCESSOR_DEFAULTS,
  QUARANTINE_DEFAULTS,
  RECEIVER_DEFAULTS,
} from '../../lib/smartcar-webhooks-defaults';
import { readCdkJsonContext, settingsFromAssembly, settingsFromContext } from '../../local/deployed-settings';
import type { SynthesizedStack } from '../../local/function-modules';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'deployed-settings-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('settingsFromContext', () => {
  it('gives what the construct deploys by default: latestState off, its path, batches, concurrency and timeout', () => {
    const settings = settingsFromContext({}, {}, dir);

    expect(settings).toEqual({
      webhookPath: ROUTES.webhookPath,
      latestState: false,
      appEntry: undefined,
      batchSize: PROCESSOR_DEFAULTS.batchSize,
      maxBatchingWindowSeconds: PROCESSOR_DEFAULTS.maxBatchingWindowSeconds,
      maxConcurrency: PROCESSOR_DEFAULTS.maxConcurrency,
      maxReceiveCount: PROCESSOR_DEFAULTS.maxReceiveCount,
      processorTimeoutSeconds: PROCESSOR_DEFAULTS.timeoutSeconds,
      receiverTimeoutSeconds: RECEIVER_DEFAULTS.timeoutSeconds,
      visibilityTimeoutSeconds:
        PROCESSOR_DEFAULTS.timeoutSeconds * PROCESSOR_DEFAULTS.visibilityTimeoutMultiplier +
        PROCESSOR_DEFAULTS.maxBatchingWindowSeconds,
      receiver: {
        maxBodyBytes: RECEIVER_DEFAULTS.maxBodyBytes,
        replayToleranceSeconds: RECEIVER_DEFAULTS.replayToleranceSeconds,
        tokenRotationGraceSeconds: RECEIVER_DEFAULTS.tokenRotationGraceSeconds,
        quarantine: {
          writesPerSecond: QUARANTINE_DEFAULTS.writesPerSecond,
          burst: QUARANTINE_DEFAULTS.burst,
        },
      },
      processor: { idempotencyExpirySeconds: IDEMPOTENCY_DEFAULTS.expirySeconds },
      ignoredContext: [],
      source: "the construct's defaults",
    });
  });

  it('turns the latest-state store on with latestState=true', () => {
    expect(settingsFromContext({ latestState: 'true' }, {}, dir).latestState).toBe(true);
  });

  it('takes the webhook path from the context', () => {
    expect(settingsFromContext({ webhookPath: '/hooks/smartcar' }, {}, dir).webhookPath).toBe(
      '/hooks/smartcar',
    );
  });

  it('applies cdk.json’s context, with the command line over it', () => {
    const cdkJson = { latestState: true, webhookPath: '/from-cdk-json' };

    const fromFile = settingsFromContext({}, cdkJson, dir);
    const overridden = settingsFromContext({ latestState: 'false' }, cdkJson, dir);

    expect(fromFile).toMatchObject({ latestState: true, webhookPath: '/from-cdk-json' });
    expect(overridden).toMatchObject({ latestState: false, webhookPath: '/from-cdk-json' });
    expect(overridden.source).toBe("the construct's defaults with the context (latestState, webhookPath)");
  });

  it('resolves appEntry from the working directory, as cdk synth does', () => {
    writeFileSync(path.join(dir, 'app.ts'), 'export const app = undefined;\n');

    expect(settingsFromContext({ appEntry: 'app.ts' }, {}, dir).appEntry).toBe(path.join(dir, 'app.ts'));
  });

  it('refuses an appEntry that does not exist, with the construct’s message', () => {
    expect(() => settingsFromContext({ appEntry: 'missing.ts' }, {}, dir)).toThrow(
      `appEntry ${path.join(dir, 'missing.ts')} does not exist. Name the module that exports your WebhookApp as \`app\`.`,
    );
  });

  it('refuses a webhook path the construct refuses, with its message', () => {
    expect(() => settingsFromContext({ webhookPath: 'hooks/{id}' }, {}, dir)).toThrow(
      new ContextError(
        'webhookPath must be a literal path starting with "/" and without "{...}" parameters, such as "/webhooks/smartcar"; got "hooks/{id}".',
      ),
    );
  });

  it('refuses what bin/app.ts refuses: a non-boolean latestState, an unknown key', () => {
    expect(() => settingsFromContext({ latestState: 'yes' }, {}, dir)).toThrow(ContextError);
    expect(() => settingsFromContext({ lastestState: 'true' }, {}, dir)).toThrow(/Unknown context key/);
  });

  it('names the keys that change nothing locally', () => {
    const settings = settingsFromContext(
      { alarmEmail: 'oncall@example.com', stackName: 'Trucks', latestState: 'true' },
      {},
      dir,
    );

    expect(settings.ignoredContext).toEqual(['alarmEmail', 'stackName']);
  });

  it('takes a processor timeout override, and the AWS visibility timeout that goes with it', () => {
    const settings = settingsFromContext({}, {}, dir, 3);

    expect(settings).toMatchObject({
      processorTimeoutSeconds: 3,
      visibilityTimeoutSeconds:
        3 * PROCESSOR_DEFAULTS.visibilityTimeoutMultiplier + PROCESSOR_DEFAULTS.maxBatchingWindowSeconds,
    });
  });
});

describe('readCdkJsonContext', () => {
  it('reads the context of cdk.json', () => {
    writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'x', context: { latestState: true } }));

    expect(readCdkJsonContext(dir)).toEqual({ latestState: true });
  });

  it('reads nothing without cdk.json or without its context', () => {
    expect(readCdkJsonContext(dir)).toEqual({});
    writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'x' }));
    expect(readCdkJsonContext(dir)).toEqual({});
  });

  it('refuses a cdk.json that is not JSON, naming the file', () => {
    writeFileSync(path.join(dir, 'cdk.json'), '{ "context": ');

    expect(() => readCdkJsonContext(dir)).toThrow(`${path.join(dir, 'cdk.json')} is not valid JSON`);
  });

  it('refuses a context that is not an object', () => {
    writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ context: ['latestState=true'] }));

    expect(() => readCdkJsonContext(dir)).toThrow('"context" in');
  });
});

/** A synthesized stack as readAssembly returns it; its environments as the construct writes them. */
function synthesizedStack(overrides: Partial<SynthesizedStack> = {}): SynthesizedStack {
  return {
    cdkOut: '/tmp/cdk.out',
    templateFile: '/tmp/cdk.out/SmartcarWebhooks.template.json',
    receiver: {
      bundle: '/tmp/cdk.out/asset.a/index.js',
      timeoutSeconds: 12,
      environment: {
        [ENV_VARS.queueUrl]: { Ref: 'Queue' },
        [ENV_VARS.tokenSecretId]: { Ref: 'Secret' },
        [ENV_VARS.maxBodyBytes]: '1000',
        [ENV_VARS.replayToleranceSeconds]: '0',
        [ENV_VARS.tokenRotationGraceSeconds]: '60',
        [ENV_VARS.quarantineBucketName]: { Ref: 'Bucket' },
        [ENV_VARS.quarantineWritesPerSecond]: '3',
        [ENV_VARS.quarantineBurst]: '7',
      },
    },
    processor: {
      bundle: '/tmp/cdk.out/asset.b/index.js',
      timeoutSeconds: 45,
      environment: {
        [ENV_VARS.idempotencyTableName]: { Ref: 'Table' },
        [ENV_VARS.idempotencyExpirySeconds]: '86400',
        [ENV_VARS.latestStateTableName]: { Ref: 'LatestState' },
      },
    },
    webhookPath: '/custom/hook',
    batchSize: 40,
    maxBatchingWindowSeconds: 5,
    maxConcurrency: 7,
    maxReceiveCount: 3,
    visibilityTimeoutSeconds: 275,
    ...overrides,
  };
}

describe('settingsFromAssembly', () => {
  it('runs with what the template says: its route, its tables, its timeouts, batches and redrive', () => {
    expect(settingsFromAssembly(synthesizedStack())).toEqual({
      webhookPath: '/custom/hook',
      latestState: true,
      batchSize: 40,
      maxBatchingWindowSeconds: 5,
      maxConcurrency: 7,
      maxReceiveCount: 3,
      processorTimeoutSeconds: 45,
      receiverTimeoutSeconds: 12,
      visibilityTimeoutSeconds: 275,
      receiver: {
        maxBodyBytes: 1000,
        replayToleranceSeconds: 0,
        tokenRotationGraceSeconds: 60,
        quarantine: { writesPerSecond: 3, burst: 7 },
      },
      processor: { idempotencyExpirySeconds: 86400 },
      ignoredContext: [],
      source: 'the synthesized template SmartcarWebhooks.template.json',
    });
  });

  it('turns the latest-state store off when the processor’s environment names no table', () => {
    const stack = synthesizedStack();
    delete stack.processor.environment[ENV_VARS.latestStateTableName];

    expect(settingsFromAssembly(stack).latestState).toBe(false);
  });

  it('takes a processor timeout override, and the AWS visibility timeout that goes with it', () => {
    expect(settingsFromAssembly(synthesizedStack(), 2)).toMatchObject({
      processorTimeoutSeconds: 2,
      visibilityTimeoutSeconds: 2 * 6 + 5,
    });
  });

  it('refuses an environment the function would refuse at its cold start', () => {
    const stack = synthesizedStack();
    stack.receiver.environment[ENV_VARS.maxBodyBytes] = 'lots';

    expect(() => settingsFromAssembly(stack)).toThrow(
      /The receiver's environment in the synthesized template is one it would refuse \(MAX_BODY_BYTES must be a positive integer, got "lots"\.\)/,
    );
  });
});
