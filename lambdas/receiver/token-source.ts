import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsGetOptions } from '@aws-lambda-powertools/parameters/secrets/types';
import { PLACEHOLDER_TOKEN } from '../contract';
import { TokenNotConfiguredError, TokenUnavailableError } from './errors';

/** Where the receiver gets the Application Management Token. */
export interface TokenSource {
  /** The token (the secret's AWSCURRENT version), from cache when fresh. */
  current(): Promise<string>;
  /**
   * The previous token (AWSPREVIOUS) while the current version is younger than the rotation grace
   * period; otherwise, or when there is no usable previous version, undefined.
   */
  previous(): Promise<string | undefined>;
  /**
   * Re-reads the token, bypassing the cache, unless that was done less than the refresh interval
   * ago; then resolves to undefined. Called after a signature mismatch, so a rotated token works
   * without a redeploy while forged traffic cannot turn into Secrets Manager traffic.
   */
  refresh(): Promise<string | undefined>;
}

/** A secret version: its value and when it was created (epoch ms, 0 when unknown). */
interface SecretVersion {
  value: string;
  createdAt: number;
}

/**
 * Powertools' Secrets Manager provider, returning each value with its version's creation time
 * (as JSON, so the provider's cache and `maxAge` keep working): the rotation grace period is
 * measured from when the current version was created, the same for every execution environment.
 */
export class VersionedSecretsProvider extends SecretsProvider {
  protected override async _get(name: string, options?: SecretsGetOptions): Promise<string> {
    const result = await this.client.send(
      new GetSecretValueCommand({ ...options?.sdkOptions, SecretId: name }),
    );
    const version: SecretVersion = {
      value: result.SecretString ?? '',
      createdAt: result.CreatedDate?.getTime() ?? 0,
    };
    return JSON.stringify(version);
  }
}

/** Settings of {@link createSecretTokenSource}. */
export interface SecretTokenSourceOptions {
  /** Reads AWSCURRENT. */
  currentProvider: Pick<SecretsProvider, 'get'>;
  /** Reads AWSPREVIOUS; a provider of its own, because the cache key ignores the version stage. */
  previousProvider: Pick<SecretsProvider, 'get'>;
  secretId: string;
  cacheSeconds: number;
  refreshIntervalSeconds: number;
  /** 0 never accepts the previous token. */
  rotationGraceSeconds: number;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
}

/** A {@link TokenSource} over Powertools' cached Secrets Manager provider. */
export function createSecretTokenSource(options: SecretTokenSourceOptions): TokenSource {
  const { currentProvider, previousProvider, secretId, cacheSeconds, refreshIntervalSeconds } = options;
  const now = options.now ?? Date.now;
  let lastForcedReadAt = Number.NEGATIVE_INFINITY;
  // Set while the cached value is unusable (placeholder, empty): the next read bypasses the cache,
  // so storing the token takes effect within one refresh interval instead of one cache lifetime.
  let cachedValueUnusable = false;

  const readVersion = async (forceFetch: boolean): Promise<SecretVersion> => {
    if (forceFetch) lastForcedReadAt = now();
    let version: SecretVersion;
    try {
      version = asVersion(
        await currentProvider.get(secretId, { maxAge: cacheSeconds, forceFetch, transform: 'json' }),
      );
    } catch (error) {
      if (isNotFound(error)) throw new TokenNotConfiguredError(secretId, 'does not exist', { cause: error });
      throw new TokenUnavailableError(`Reading the token secret ${secretId} failed.`, { cause: error });
    }
    cachedValueUnusable = !usable(version.value);
    if (version.value === '') throw new TokenNotConfiguredError(secretId, 'is empty or not a string');
    if (version.value === PLACEHOLDER_TOKEN) {
      throw new TokenNotConfiguredError(secretId, 'still holds the placeholder the stack created');
    }
    return version;
  };

  const mayForceRead = (): boolean => now() - lastForcedReadAt >= refreshIntervalSeconds * 1000;

  const previous = async (): Promise<string | undefined> => {
    if (options.rotationGraceSeconds <= 0) return undefined;
    const { createdAt } = await readVersion(false);
    if (now() - createdAt > options.rotationGraceSeconds * 1000) return undefined;
    try {
      const version = asVersion(
        await previousProvider.get(secretId, {
          maxAge: cacheSeconds,
          transform: 'json',
          sdkOptions: { VersionStage: 'AWSPREVIOUS' },
        }),
      );
      return usable(version.value) ? version.value : undefined;
    } catch (error) {
      // No previous version: the secret was never rotated (or only held the placeholder before).
      if (isNotFound(error)) return undefined;
      throw new TokenUnavailableError(`Reading the previous token of ${secretId} failed.`, { cause: error });
    }
  };

  return {
    current: async () => (await readVersion(cachedValueUnusable && mayForceRead())).value,
    previous,
    refresh: async () => (mayForceRead() ? (await readVersion(true)).value : undefined),
  };
}

function asVersion(raw: unknown): SecretVersion {
  const version = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<SecretVersion>;
  return {
    value: typeof version.value === 'string' ? version.value.trim() : '',
    createdAt: typeof version.createdAt === 'number' ? version.createdAt : 0,
  };
}

function usable(token: string): boolean {
  return token !== '' && token !== PLACEHOLDER_TOKEN;
}

function isNotFound(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name === 'ResourceNotFoundException') return true;
  }
  return false;
}
