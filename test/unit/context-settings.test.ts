import {
  CONTEXT_KEYS,
  ContextError,
  isCdkContextKey,
  parseContextArguments,
  readAppContext,
} from '../../lib/context-settings';

describe('readAppContext', () => {
  it('turns latestState off when it is absent, as bin/app.ts deploys by default', () => {
    expect(readAppContext({})).toEqual({
      tokenSecretArn: undefined,
      tokenSecretKeyArn: undefined,
      alarmEmail: undefined,
      appEntry: undefined,
      stackName: undefined,
      webhookPath: undefined,
      latestState: false,
    });
  });

  it.each([
    ['true', true],
    [true, true],
    ['false', false],
    [false, false],
    ['', false],
  ])('reads latestState %j as %j', (value, expected) => {
    expect(readAppContext({ latestState: value }).latestState).toBe(expected);
  });

  it('takes every key the app reads', () => {
    const values = Object.fromEntries(Object.keys(CONTEXT_KEYS).map((key) => [key, `${key}-value`]));

    const context = readAppContext({ ...values, latestState: 'true' });

    expect(context).toMatchObject({ webhookPath: 'webhookPath-value', appEntry: 'appEntry-value' });
  });

  it('leaves an empty text value out, as `-c key=` does', () => {
    expect(readAppContext({ webhookPath: '' }).webhookPath).toBeUndefined();
  });

  it('ignores the CDK’s own keys (feature flags, aws:cdk: settings, cached lookups)', () => {
    const context = readAppContext({
      '@aws-cdk/core:checkSecretUsage': true,
      'aws:cdk:enable-path-metadata': true,
      'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'],
      'acknowledged-issue-numbers': [32775],
    });

    expect(context.latestState).toBe(false);
  });

  it('refuses a latestState that is not true or false, naming the key and the value', () => {
    expect(() => readAppContext({ latestState: 'yes' })).toThrow(
      new ContextError('Context value "latestState" must be true or false; got "yes".'),
    );
  });

  it('refuses a text value that is not a string', () => {
    expect(() => readAppContext({ webhookPath: 5 })).toThrow(
      'Context value "webhookPath" must be a string; got 5.',
    );
  });

  it('refuses an unknown key, suggesting the key it resembles', () => {
    expect(() => readAppContext({ latestStat: 'true' })).toThrow(
      /^Unknown context key "latestStat" \(did you mean "latestState"\?\)\. The app reads alarmEmail, appEntry, latestState,/,
    );
  });

  it('refuses an unknown key that resembles none without a suggestion', () => {
    expect(() => readAppContext({ region: 'eu-west-1' })).toThrow(
      /^Unknown context key "region"\. The app reads/,
    );
  });
});

describe('parseContextArguments', () => {
  it('splits each argument at its first =, as the CDK CLI does', () => {
    expect(parseContextArguments(['latestState=true', 'webhookPath=/a=b'])).toEqual({
      latestState: 'true',
      webhookPath: '/a=b',
    });
  });

  it('lets a later value for the same key win', () => {
    expect(parseContextArguments(['latestState=true', 'latestState=false'])).toEqual({
      latestState: 'false',
    });
  });

  it('keeps an empty value', () => {
    expect(parseContextArguments(['webhookPath='])).toEqual({ webhookPath: '' });
  });

  it.each(['latestState', '=true', ' =true'])('refuses %j, which is not key=value', (arg) => {
    expect(() => parseContextArguments([arg])).toThrow(
      `Context must be given as key=value, such as latestState=true; got "${arg}".`,
    );
  });
});

describe('isCdkContextKey', () => {
  it.each([
    ['@aws-cdk/core:checkSecretUsage', true],
    ['aws:cdk:enable-path-metadata', true],
    ['acknowledged-issue-numbers', true],
    ['latestState', false],
    ['webhookPath', false],
  ])('says whether %s is the CDK’s own: %s', (key, expected) => {
    expect(isCdkContextKey(key)).toBe(expected);
  });
});
