import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ensureToken, findToken, readDotEnv, TOKEN_ENV_VAR } from '../../local/token';

let dir: string;
let envFile: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'local-token-'));
  envFile = path.join(dir, '.env');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function dotEnv(text: string) {
  writeFileSync(envFile, text);
}

describe('readDotEnv', () => {
  it('reads KEY=VALUE lines', () => {
    dotEnv('A=1\nB=two words\n');

    expect(readDotEnv(envFile)).toEqual({ A: '1', B: 'two words' });
  });

  it('strips matching single or double quotes', () => {
    dotEnv(`A="double quoted"\nB='single quoted'\nC="mismatched'\n`);

    expect(readDotEnv(envFile)).toEqual({ A: 'double quoted', B: 'single quoted', C: `"mismatched'` });
  });

  it('accepts an export prefix and spaces around the equals sign', () => {
    dotEnv('export A=1\n  B = 2  \n');

    expect(readDotEnv(envFile)).toEqual({ A: '1', B: '2' });
  });

  it('skips comments, blank lines and lines that are not assignments', () => {
    dotEnv('# A=commented\n\n   # B=indented comment\nnot an assignment\nC=3\n');

    expect(readDotEnv(envFile)).toEqual({ C: '3' });
  });

  it('drops a comment after an unquoted value and keeps a # inside quotes', () => {
    dotEnv('A=1 # the first\nB="two # three"\n');

    expect(readDotEnv(envFile)).toEqual({ A: '1', B: 'two # three' });
  });

  it('reads files with Windows line endings', () => {
    dotEnv('A=1\r\nB=2\r\n');

    expect(readDotEnv(envFile)).toEqual({ A: '1', B: '2' });
  });

  it('keeps the last value of a key given twice', () => {
    dotEnv('A=first\nA=second\n');

    expect(readDotEnv(envFile)).toEqual({ A: 'second' });
  });

  it('returns {} when the file does not exist', () => {
    expect(readDotEnv(path.join(dir, 'missing.env'))).toEqual({});
  });
});

describe('findToken', () => {
  it('prefers the environment variable over .env', () => {
    dotEnv(`${TOKEN_ENV_VAR}=from-file\n`);

    expect(findToken({ [TOKEN_ENV_VAR]: 'from-env' }, envFile)).toBe('from-env');
  });

  it('reads .env when the environment variable is not set', () => {
    dotEnv(`${TOKEN_ENV_VAR}=from-file\n`);

    expect(findToken({}, envFile)).toBe('from-file');
  });

  it('reads .env when the environment variable is blank', () => {
    dotEnv(`${TOKEN_ENV_VAR}=from-file\n`);

    expect(findToken({ [TOKEN_ENV_VAR]: '  ' }, envFile)).toBe('from-file');
  });

  it('trims the token', () => {
    expect(findToken({ [TOKEN_ENV_VAR]: ' token \n' }, envFile)).toBe('token');
  });

  it('returns undefined when neither has a token', () => {
    dotEnv(`OTHER=1\n`);

    expect(findToken({}, envFile)).toBeUndefined();
  });

  it('returns undefined when .env holds a blank token', () => {
    dotEnv(`${TOKEN_ENV_VAR}=\n`);

    expect(findToken({}, envFile)).toBeUndefined();
  });
});

describe('ensureToken', () => {
  it('returns the configured token without writing .env', () => {
    const result = ensureToken({ [TOKEN_ENV_VAR]: 'configured' }, envFile);

    expect(result).toEqual({ token: 'configured', generated: false });
    expect(readDotEnv(envFile)).toEqual({});
  });

  it('generates a dev- token of 48 hex characters when none is configured', () => {
    const result = ensureToken({}, envFile);

    expect(result.generated).toBe(true);
    expect(result.token).toMatch(/^dev-[0-9a-f]{48}$/);
  });

  it('saves the generated token to .env', () => {
    const { token } = ensureToken({}, envFile);

    expect(readDotEnv(envFile)[TOKEN_ENV_VAR]).toBe(token);
  });

  it('appends to an existing .env, keeping what it held', () => {
    dotEnv('AWS_REGION=eu-west-1');

    const { token } = ensureToken({}, envFile);

    expect(readDotEnv(envFile)).toEqual({ AWS_REGION: 'eu-west-1', [TOKEN_ENV_VAR]: token });
  });

  it('returns the saved token on the next call instead of generating another', () => {
    const first = ensureToken({}, envFile);

    const second = ensureToken({}, envFile);

    expect(second).toEqual({ token: first.token, generated: false });
    expect(readFileSync(envFile, 'utf8').match(new RegExp(`^${TOKEN_ENV_VAR}=`, 'gm'))).toHaveLength(1);
  });

  it('keeps the token saved in .env when the environment variable is blank', () => {
    const first = ensureToken({}, envFile);

    const second = ensureToken({ [TOKEN_ENV_VAR]: '' }, envFile);

    expect(second).toEqual({ token: first.token, generated: false });
  });
});
