import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STACK_OUTPUTS } from '../../lambdas/contract';
import { LOCAL_AWS } from '../local-aws';
import type { CandidateToken } from '../quarantine/diagnosis';
import { TOKEN_ENV_VAR } from '../token';
import type { ArchiveTargetSpec } from './archive-args';
import { type ArchiveTarget, localArchiveTarget, stackArchiveTarget } from './archive-targets';
import { translateAwsError } from './aws-errors';
import { CommandFailedError, isErrorLike, StackLookupError } from './errors';
import type { CliIo } from './io';
import { readLocalStatusDocument } from './local-status';
import { describeStackOutputs } from './redrive-targets';

/** Where the quarantine is, where a release sends, and where the stored token is read. */
export interface QuarantineTarget extends ArchiveTarget {
  /** The stored token's current version and, when there is one, its previous (AWSPREVIOUS). */
  storedTokens(): Promise<CandidateToken[]>;
  /** How to store a token here, completing "Store it as the Application Management Token: …" (no token in it). */
  storeTokenHint: string;
}

/** The quarantine (in the archive bucket) and the token secret of `npm start` or of a stack. */
export async function resolveQuarantineTarget(spec: ArchiveTargetSpec, io: CliIo): Promise<QuarantineTarget> {
  if (spec.kind === 'local') {
    const fetchFn = io.fetch ?? fetch;
    const archive = await localArchiveTarget(spec.baseUrl, fetchFn);
    const status = (await readLocalStatusDocument(spec.baseUrl, fetchFn)) as {
      secretsManager?: { endpoint?: string; secretId?: string };
    };
    const { endpoint, secretId } = status.secretsManager ?? {};
    if (endpoint === undefined || secretId === undefined) {
      throw new CommandFailedError(`${spec.baseUrl} reports no secretsManager: restart \`npm start\`.`);
    }
    const client = new SecretsManagerClient({
      endpoint,
      region: LOCAL_AWS.region,
      credentials: LOCAL_AWS.credentials,
    });
    return {
      ...archive,
      storedTokens: () => readStoredTokens(client, secretId),
      storeTokenHint:
        `restart \`npm start\` with it (${TOKEN_ENV_VAR}=<token> npm start, or in .env); the quarantine is ` +
        'kept on disk',
    };
  }
  const archive = await stackArchiveTarget(spec.stack, spec.region);
  const outputs = await describeStackOutputs(
    new CloudFormationClient({ region: spec.region }),
    spec.stack,
    spec.region,
  );
  const secretName = outputs.find(
    (output) => output.OutputKey === STACK_OUTPUTS.tokenSecretName,
  )?.OutputValue;
  if (secretName === undefined || secretName === '') {
    throw new StackLookupError(
      `Stack ${spec.stack} has no output ${STACK_OUTPUTS.tokenSecretName}: deploy the current version.`,
    );
  }
  const client = new SecretsManagerClient({ region: spec.region });
  return {
    ...archive,
    storedTokens: () => readStoredTokens(client, secretName),
    storeTokenHint:
      `aws secretsmanager put-secret-value --secret-id ${secretName} --secret-string '<token>' ` +
      '(the receivers use it within 15 s)',
  };
}

/**
 * AWSCURRENT and AWSPREVIOUS of the token secret, with when each was created: a previous-token
 * match then says when the stored token changed. A secret without a previous version has one.
 */
export async function readStoredTokens(
  client: Pick<SecretsManagerClient, 'send'>,
  secretId: string,
): Promise<CandidateToken[]> {
  const read = async (stage: 'AWSCURRENT' | 'AWSPREVIOUS') => {
    try {
      return await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
    } catch (error) {
      // No AWSPREVIOUS: the token was never changed.
      if (stage === 'AWSPREVIOUS' && isErrorLike(error) && /ResourceNotFound/.test(error.name))
        return undefined;
      throw translateAwsError(error, { action: 'secretsmanager:GetSecretValue', subject: secretId });
    }
  };
  const current = await read('AWSCURRENT');
  const previous = await read('AWSPREVIOUS');
  const tokens: CandidateToken[] = [];
  if (current?.SecretString !== undefined) {
    tokens.push({ label: 'current', token: current.SecretString.trim(), createdAt: current.CreatedDate });
  }
  if (previous?.SecretString !== undefined) {
    tokens.push({ label: 'previous', token: previous.SecretString.trim(), createdAt: previous.CreatedDate });
  }
  return tokens;
}
