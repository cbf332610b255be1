import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { PLACEHOLDER_TOKEN } from '../../lib/smartcar-webhooks-defaults';
import { TokenNotConfiguredError, TokenUnavailableError } from '../shared/errors';

/** Where the receiver gets the Application Management Token. */
export interface TokenSource {
  /** The token, from cache when fresh. */
  current(): Promise<string>;
  /**
   * Re-reads the token, bypassing the cache, unless that was done less than the refresh interval
   * ago; then resolves to undefined. Called after a signature mismatch, so a rotated token works
   * without a redeploy while forged traffic cannot turn into Secrets Manager traffic.
   */
  refresh(): Promise<string | undefined>;
}

/** Settings of {@link createSecretTokenSource}. */
export interface SecretTokenSourceOptions {
  provider: Pick<SecretsProvider, 'get'>;
  secretId: string;
  cacheSeconds: number;
  refreshIntervalSeconds: number;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
}

/** A {@link TokenSource} over Powertools' cached Secrets Manager provider. */
export function createSecretTokenSource(options: SecretTokenSourceOptions): TokenSource {
  const { provider, secretId, cacheSeconds, refreshIntervalSeconds } = options;
  const now = options.now ?? Date.now;
  let lastForcedReadAt = Number.NEGATIVE_INFINITY;
  // Set while the cached value is unusable (placeholder, empty): the next read bypasses the cache,
  // so storing the token takes effect within one refresh interval instead of one cache lifetime.
  let cachedValueUnusable = false;

  const read = async (forceFetch: boolean): Promise<string> => {
    if (forceFetch) lastForcedReadAt = now();
    let value: unknown;
    try {
      value = await provider.get(secretId, { maxAge: cacheSeconds, forceFetch });
    } catch (error) {
      if (isNotFound(error)) throw new TokenNotConfiguredError(secretId, 'does not exist', { cause: error });
      throw new TokenUnavailableError(`Reading the token secret ${secretId} failed.`, { cause: error });
    }
    const token = typeof value === 'string' ? value.trim() : '';
    cachedValueUnusable = token === '' || token === PLACEHOLDER_TOKEN;
    if (token === '') throw new TokenNotConfiguredError(secretId, 'is empty or not a string');
    if (token === PLACEHOLDER_TOKEN) {
      throw new TokenNotConfiguredError(secretId, 'still holds the placeholder the stack created');
    }
    return token;
  };

  const mayForceRead = (): boolean => now() - lastForcedReadAt >= refreshIntervalSeconds * 1000;

  return {
    current: () => read(cachedValueUnusable && mayForceRead()),
    refresh: async () => (mayForceRead() ? read(true) : undefined),
  };
}

function isNotFound(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name === 'ResourceNotFoundException') return true;
  }
  return false;
}
