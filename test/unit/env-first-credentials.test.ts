import { defaultProvider } from '../../lambdas/runtime/env-first-credentials';

const sdkChain = jest.fn();
jest.mock('@aws-sdk/credential-provider-node', () => ({
  defaultProvider: (init: unknown) => (properties: unknown) => sdkChain(init, properties),
}));

const CHAIN_CREDENTIALS = { accessKeyId: 'FROM_CHAIN', secretAccessKey: 'chain-secret' };
const savedEnv = { ...process.env };

beforeEach(() => {
  sdkChain.mockReset().mockResolvedValue(CHAIN_CREDENTIALS);
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
    delete process.env[name];
  }
});

afterAll(() => {
  process.env = savedEnv;
});

function setEnvCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDLAMBDA';
  process.env.AWS_SECRET_ACCESS_KEY = 'lambda-secret';
  process.env.AWS_SESSION_TOKEN = 'lambda-session';
}

describe('env-first credentials provider', () => {
  it("returns Lambda's environment credentials without asking the SDK's chain", async () => {
    setEnvCredentials();

    const credentials = await defaultProvider()();

    expect(credentials).toMatchObject({
      accessKeyId: 'AKIDLAMBDA',
      secretAccessKey: 'lambda-secret',
      sessionToken: 'lambda-session',
    });
    expect(sdkChain).not.toHaveBeenCalled();
  });

  it("asks the SDK's chain, with the client's settings, when no environment credentials are set", async () => {
    const init = { profile: undefined, logger: console };

    const credentials = await defaultProvider(init)();

    expect(credentials).toBe(CHAIN_CREDENTIALS);
    expect(sdkChain).toHaveBeenCalledWith(init, undefined);
  });

  it("asks the SDK's chain when AWS_PROFILE is set beside environment keys, as the chain itself prefers the profile", async () => {
    setEnvCredentials();
    process.env.AWS_PROFILE = 'dev';

    const credentials = await defaultProvider()();

    expect(credentials).toBe(CHAIN_CREDENTIALS);
  });

  it("rejects with the SDK chain's error when no source has credentials", async () => {
    sdkChain.mockRejectedValue(new Error('Could not load credentials from any providers'));

    await expect(defaultProvider()()).rejects.toThrow('Could not load credentials from any providers');
  });
});
