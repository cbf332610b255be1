import { randomUUID } from 'node:crypto';

/** The staging labels Secrets Manager moves itself. */
export const VERSION_STAGES = { current: 'AWSCURRENT', previous: 'AWSPREVIOUS' } as const;

/** One version of a secret, as GetSecretValue describes it. */
export interface SecretVersion {
  versionId: string;
  value: string;
  createdDate: Date;
  stages: string[];
}

/** Why a lookup found nothing, in Secrets Manager's words. */
export class SecretNotFoundError extends Error {
  override readonly name = 'SecretNotFoundError';
}

/** A request Secrets Manager would refuse as invalid. */
export class InvalidSecretRequestError extends Error {
  override readonly name = 'InvalidSecretRequestError';
}

/** What to read: by default the version labelled AWSCURRENT. */
export interface VersionSelector {
  versionId?: string;
  versionStage?: string;
}

/**
 * Secrets with their versions and staging labels, kept the way Secrets Manager keeps them: a new
 * value becomes a new version; putting it with AWSCURRENT (the default) moves AWSCURRENT to it and
 * AWSPREVIOUS to the version that was current, and a version left without labels is deprecated
 * (still readable by its id). That is what the receiver's rotation grace period reads: AWSPREVIOUS,
 * and the CreatedDate of AWSCURRENT.
 */
export class SecretVersions {
  private readonly secrets = new Map<string, SecretVersion[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Secret names, in the order they were first put. */
  names(): string[] {
    return [...this.secrets.keys()];
  }

  /** Every version of the secret, oldest first; empty when there is no such secret. */
  versions(name: string): readonly SecretVersion[] {
    return this.secrets.get(name) ?? [];
  }

  /**
   * Stores `value` as a new version (PutSecretValue). `stages` defaults to AWSCURRENT; each label
   * moves from the version that held it, and moving AWSCURRENT labels the old current version
   * AWSPREVIOUS. Repeating a `versionId` with the same value changes nothing, as AWS treats a
   * repeated ClientRequestToken.
   * @throws InvalidSecretRequestError when `versionId` exists with another value
   */
  put(name: string, value: string, options: { versionId?: string; stages?: string[] } = {}): SecretVersion {
    const versions = this.secrets.get(name) ?? [];
    this.secrets.set(name, versions);
    const existing = versions.find((version) => version.versionId === options.versionId);
    if (existing !== undefined) {
      if (existing.value === value) return existing;
      throw new InvalidSecretRequestError(
        `A version with VersionId ${existing.versionId} already exists with another value; use a new ClientRequestToken.`,
      );
    }
    const stages = options.stages ?? [VERSION_STAGES.current];
    const version: SecretVersion = {
      versionId: options.versionId ?? randomUUID(),
      value,
      createdDate: new Date(this.now()),
      stages: [],
    };
    if (stages.includes(VERSION_STAGES.current)) {
      const current = versions.find((candidate) => candidate.stages.includes(VERSION_STAGES.current));
      if (current !== undefined) moveStage(versions, VERSION_STAGES.previous, current);
    }
    versions.push(version);
    for (const stage of stages) moveStage(versions, stage, version);
    return version;
  }

  /**
   * The version GetSecretValue returns.
   * @throws SecretNotFoundError when the secret, the version or the label does not exist
   * @throws InvalidSecretRequestError when the version does not carry the label asked for with it
   */
  get(name: string, selector: VersionSelector = {}): SecretVersion {
    const versions = this.secrets.get(name);
    if (versions === undefined)
      throw new SecretNotFoundError("Secrets Manager can't find the specified secret.");
    if (selector.versionId !== undefined) {
      const version = versions.find((candidate) => candidate.versionId === selector.versionId);
      if (version === undefined) {
        throw new SecretNotFoundError(
          `Secrets Manager can't find the specified secret value for VersionId: ${selector.versionId}`,
        );
      }
      if (selector.versionStage !== undefined && !version.stages.includes(selector.versionStage)) {
        throw new InvalidSecretRequestError(
          `The VersionId ${selector.versionId} does not carry the staging label ${selector.versionStage}.`,
        );
      }
      return version;
    }
    const stage = selector.versionStage ?? VERSION_STAGES.current;
    const version = versions.find((candidate) => candidate.stages.includes(stage));
    if (version === undefined) {
      throw new SecretNotFoundError(
        `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
      );
    }
    return version;
  }
}

/** Puts `stage` on `target` and takes it off every other version: a label names one version. */
function moveStage(versions: SecretVersion[], stage: string, target: SecretVersion): void {
  for (const version of versions) {
    if (version !== target) version.stages = version.stages.filter((label) => label !== stage);
  }
  if (!target.stages.includes(stage)) target.stages.push(stage);
}
