import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findBundles, readAssembly, sourceModules } from '../../local/function-modules';

const RECEIVER_HASH = 'a'.repeat(64);
const PROCESSOR_HASH = 'b'.repeat(64);

let cdkOut: string;

beforeEach(() => {
  cdkOut = mkdtempSync(path.join(tmpdir(), 'local-handlers-'));
});

afterEach(() => {
  rmSync(cdkOut, { recursive: true, force: true });
});

/** A Lambda function resource as `cdk synth` writes it, with its construct path and asset key. */
function lambdaFunction(constructPath: string, hash: string) {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Code: {
        S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' },
        S3Key: `${hash}.zip`,
      },
      Handler: 'index.handler',
    },
    Metadata: { 'aws:cdk:path': constructPath },
  };
}

function writeTemplate(resources: Record<string, unknown>, file = 'SmartcarWebhooks.template.json') {
  writeFileSync(path.join(cdkOut, file), JSON.stringify({ Resources: resources }));
}

function writeBundle(hash: string) {
  mkdirSync(path.join(cdkOut, `asset.${hash}`));
  writeFileSync(path.join(cdkOut, `asset.${hash}`, 'index.js'), 'exports.handler = async () => ({});\n');
}

const STACK_RESOURCES = {
  WebhooksReceiver1234: lambdaFunction('SmartcarWebhooks/Webhooks/Receiver/Resource', RECEIVER_HASH),
  WebhooksProcessor5678: lambdaFunction('SmartcarWebhooks/Webhooks/Processor/Resource', PROCESSOR_HASH),
  WebhooksQueue9999: {
    Type: 'AWS::SQS::Queue',
    Metadata: { 'aws:cdk:path': 'SmartcarWebhooks/Webhooks/Queue/Resource' },
  },
};

describe('findBundles', () => {
  it('finds the receiver and processor bundles by their construct paths', () => {
    writeTemplate(STACK_RESOURCES);
    writeBundle(RECEIVER_HASH);
    writeBundle(PROCESSOR_HASH);

    expect(findBundles(cdkOut)).toEqual({
      receiver: path.join(cdkOut, `asset.${RECEIVER_HASH}`, 'index.js'),
      processor: path.join(cdkOut, `asset.${PROCESSOR_HASH}`, 'index.js'),
    });
  });

  it('finds the functions in whichever template holds them', () => {
    writeTemplate({}, 'Other.template.json');
    writeTemplate(STACK_RESOURCES);
    writeBundle(RECEIVER_HASH);
    writeBundle(PROCESSOR_HASH);

    expect(findBundles(cdkOut).receiver).toBe(path.join(cdkOut, `asset.${RECEIVER_HASH}`, 'index.js'));
  });

  it('tells to run `npx cdk synth` when the directory does not exist', () => {
    const missing = path.join(cdkOut, 'cdk.out');

    expect(() => findBundles(missing)).toThrow(
      `No synthesized template in ${missing}: run \`npx cdk synth\` first.`,
    );
  });

  it('tells to run `npx cdk synth` when the directory holds no template', () => {
    writeFileSync(path.join(cdkOut, 'manifest.json'), '{}');

    expect(() => findBundles(cdkOut)).toThrow(/run `npx cdk synth` first/);
  });

  it('tells to run `npx cdk synth` when no template holds the receiver and processor', () => {
    writeTemplate({ WebhooksQueue9999: STACK_RESOURCES.WebhooksQueue9999 });

    expect(() => findBundles(cdkOut)).toThrow(
      `${cdkOut} holds no receiver and processor bundles: run \`npx cdk synth\` first.`,
    );
  });

  it('refuses a template with the receiver but not the processor', () => {
    writeTemplate({ WebhooksReceiver1234: STACK_RESOURCES.WebhooksReceiver1234 });
    writeBundle(RECEIVER_HASH);

    expect(() => findBundles(cdkOut)).toThrow(/holds no receiver and processor bundles/);
  });

  it('ignores resources at those construct paths that are not Lambda functions', () => {
    writeTemplate({
      ...STACK_RESOURCES,
      WebhooksProcessor5678: { ...STACK_RESOURCES.WebhooksProcessor5678, Type: 'AWS::Lambda::Permission' },
    });
    writeBundle(RECEIVER_HASH);
    writeBundle(PROCESSOR_HASH);

    expect(() => findBundles(cdkOut)).toThrow(/holds no receiver and processor bundles/);
  });

  it('tells to run `npx cdk synth` again when a bundle’s index.js is missing', () => {
    writeTemplate(STACK_RESOURCES);
    writeBundle(RECEIVER_HASH);
    const missing = path.join(cdkOut, `asset.${PROCESSOR_HASH}`, 'index.js');

    expect(() => findBundles(cdkOut)).toThrow(`${missing} is missing: run \`npx cdk synth\` again.`);
  });
});

describe('readAssembly', () => {
  /** The resources of a synthesized stack the settings come from, shaped as `cdk synth` writes them. */
  const SETTINGS_RESOURCES = {
    ...STACK_RESOURCES,
    WebhooksProcessor5678: {
      ...STACK_RESOURCES.WebhooksProcessor5678,
      Properties: {
        ...STACK_RESOURCES.WebhooksProcessor5678.Properties,
        Timeout: 45,
        Environment: { Variables: { LATEST_STATE_TABLE_NAME: { Ref: 'LatestStateTable' } } },
      },
    },
    WebhooksQueue9999: {
      Type: 'AWS::SQS::Queue',
      Properties: { VisibilityTimeout: 270, RedrivePolicy: { maxReceiveCount: 3 } },
    },
    WebhooksMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        BatchSize: 4,
        EventSourceArn: { 'Fn::GetAtt': ['WebhooksQueue9999', 'Arn'] },
        FunctionName: { Ref: 'WebhooksProcessor5678' },
        ScalingConfig: { MaximumConcurrency: 7 },
      },
    },
    WebhooksRoutePost: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'POST /custom/hook' } },
    WebhooksRouteHealth: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'GET /health' } },
  };

  it('reads the route, the event source mapping, the queue and each function’s timeout and environment', () => {
    writeTemplate(SETTINGS_RESOURCES);
    writeBundle(RECEIVER_HASH);
    writeBundle(PROCESSOR_HASH);

    const stack = readAssembly(cdkOut);

    expect(stack).toMatchObject({
      templateFile: path.join(cdkOut, 'SmartcarWebhooks.template.json'),
      webhookPath: '/custom/hook',
      batchSize: 4,
      maxConcurrency: 7,
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 270,
      processor: {
        timeoutSeconds: 45,
        environment: { LATEST_STATE_TABLE_NAME: { Ref: 'LatestStateTable' } },
      },
    });
  });

  it('leaves out what the template does not say', () => {
    writeTemplate(STACK_RESOURCES);
    writeBundle(RECEIVER_HASH);
    writeBundle(PROCESSOR_HASH);

    const stack = readAssembly(cdkOut);

    expect(stack).toMatchObject({ webhookPath: undefined, batchSize: undefined, maxConcurrency: undefined });
    expect(stack.receiver.environment).toEqual({});
  });
});

describe('sourceModules', () => {
  it('runs lambdas/processor/index.ts for the repository’s app', () => {
    expect(sourceModules().processor).toBe(
      path.join(__dirname, '..', '..', 'lambdas', 'processor', 'index.ts'),
    );
  });

  it('runs an entry that imports the app of appEntry, as the construct generates it', () => {
    const appEntry = path.join(__dirname, '..', 'fixtures', 'custom-app.ts');

    const modules = sourceModules(appEntry);

    const entry = readFileSync(modules.processor, 'utf8');
    expect(entry).toContain(`import { app } from ${JSON.stringify(appEntry)};`);
    expect(entry).toContain('export const handler = createProcessorHandler(app);');
    expect(modules.source).toContain('the app of test/fixtures/custom-app.ts');
  });
});
