import { SQSClient } from '@aws-sdk/client-sqs';

type Traced = typeof import('../../lambdas/runtime/tracing').traced;

/** The middleware names of a client's stack. */
const middlewareOf = (client: SQSClient) => client.middlewareStack.identify().join('\n');

const savedExecutionEnv = process.env.AWS_EXECUTION_ENV;

/** A fresh copy of the tracing module, in what Powertools takes for a Lambda execution environment. */
function loadTraced(): Traced {
  let traced: Traced | undefined;
  jest.isolateModules(() => {
    traced = (require('../../lambdas/runtime/tracing') as typeof import('../../lambdas/runtime/tracing'))
      .traced;
  });
  if (traced === undefined) throw new Error('lambdas/runtime/tracing did not load');
  return traced;
}

beforeEach(() => {
  process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
});

afterEach(() => {
  if (savedExecutionEnv === undefined) delete process.env.AWS_EXECUTION_ENV;
  else process.env.AWS_EXECUTION_ENV = savedExecutionEnv;
});

describe('traced', () => {
  it('records the calls of an AWS SDK client in the X-Ray trace when tracing is on', () => {
    const client = loadTraced()(new SQSClient({ region: 'eu-west-1' }), true);

    expect(middlewareOf(client)).toMatch(/XRaySDKInstrumentation/);
  });

  it.each([false, undefined])('hands back the client untouched when tracing is %s', (enabled) => {
    const client = new SQSClient({ region: 'eu-west-1' });
    const before = middlewareOf(client);

    expect(loadTraced()(client, enabled)).toBe(client);
    expect(middlewareOf(client)).toBe(before);
  });
});
