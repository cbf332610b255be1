import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_AWS } from './local-aws';
import {
  InvalidSecretRequestError,
  SecretNotFoundError,
  type SecretVersion,
  SecretVersions,
} from './secret-versions';

/**
 * A loopback stand-in for the Secrets Manager calls the receiver and an operator make
 * (GetSecretValue, PutSecretValue, DescribeSecret; AWS JSON 1.1 protocol), with versions and their
 * staging labels: `aws secretsmanager put-secret-value --endpoint-url <endpoint>` rotates the token
 * as it does on AWS, so the receiver's rotation grace period can be tried locally. The receiver's
 * real code path runs against it, pointed here by the SDK's standard
 * AWS_ENDPOINT_URL_SECRETS_MANAGER variable, so the handlers need no "am I local" branch.
 */
export interface SecretsManagerStub {
  /** Base URL to use as AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  endpoint: string;
  /** Stores a new version (or creates the secret), as put-secret-value would: it becomes AWSCURRENT. */
  putSecretValue(secretId: string, value: string): void;
  /** Every version of the secret, oldest first. */
  versions(secretId: string): readonly SecretVersion[];
  /** Number of GetSecretValue calls answered so far. */
  readonly reads: number;
  close(): Promise<void>;
}

/** Settings of {@link startSecretsManagerStub}. */
export interface SecretsManagerStubOptions {
  /** @default 0, a free port */
  port?: number;
  /** The clock that dates new versions (CreatedDate). @default Date.now */
  now?: () => number;
}

const TARGET_PREFIX = 'secretsmanager.';
// Secrets Manager ARNs end in a hyphen and six random characters; any fixed six will do here.
const arnOf = (name: string) =>
  `arn:aws:secretsmanager:${LOCAL_AWS.region}:000000000000:secret:${name}-local0`;

/** Starts the stub on 127.0.0.1 with one AWSCURRENT version per secret. */
export async function startSecretsManagerStub(
  secrets: Record<string, string>,
  options: SecretsManagerStubOptions = {},
): Promise<SecretsManagerStub> {
  const store = new SecretVersions(options.now);
  for (const [name, value] of Object.entries(secrets)) store.put(name, value);
  let reads = 0;
  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetSecretValue(input) {
      const [name, version] = lookUp(store, input, {
        versionId: optionalString(input.VersionId),
        versionStage: optionalString(input.VersionStage),
      });
      reads++;
      return {
        ...describeVersion(name, version),
        SecretString: version.value,
        CreatedDate: epochSeconds(version),
      };
    },
    PutSecretValue(input) {
      const name = nameOf(store, input) ?? String(input.SecretId);
      if (typeof input.SecretString !== 'string') {
        throw new InvalidSecretRequestError('The local stub stores SecretString values only.');
      }
      const stages = Array.isArray(input.VersionStages) ? input.VersionStages.map(String) : undefined;
      const version = store.put(name, input.SecretString, {
        versionId: optionalString(input.ClientRequestToken),
        stages,
      });
      return describeVersion(name, version);
    },
    DescribeSecret(input) {
      const [name] = lookUp(store, input, {});
      const stages = Object.fromEntries(
        store
          .versions(name)
          .filter((version) => version.stages.length > 0)
          .map((version) => [version.versionId, version.stages]),
      );
      return { ARN: arnOf(name), Name: name, VersionIdsToStages: stages };
    },
  };

  const server: Server = createServer((req, res) => {
    readJson(req)
      .then((input) => {
        const operation = String(req.headers['x-amz-target'] ?? '').replace(TARGET_PREFIX, '');
        const run = operations[operation];
        if (run === undefined) {
          return reply(
            res,
            400,
            'UnknownOperationException',
            `The local stub answers ${Object.keys(operations).join(', ')}, not ${operation}.`,
          );
        }
        let answer: unknown;
        try {
          answer = run(input);
        } catch (error) {
          if (error instanceof SecretNotFoundError)
            return reply(res, 400, 'ResourceNotFoundException', error.message);
          if (error instanceof InvalidSecretRequestError) {
            return reply(res, 400, 'InvalidRequestException', error.message);
          }
          return reply(res, 500, 'InternalServiceError', String(error));
        }
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(answer));
      })
      .catch(() => reply(res, 400, 'SerializationException', 'The request body is not JSON.'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    putSecretValue: (secretId, value) => void store.put(secretId, value),
    versions: (secretId) => store.versions(nameOf(store, { SecretId: secretId }) ?? secretId),
    get reads() {
      return reads;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The secret's name, whether `SecretId` gives the name or the ARN; undefined when unknown. */
function nameOf(store: SecretVersions, input: Record<string, unknown>): string | undefined {
  const secretId = optionalString(input.SecretId) ?? '';
  return store.names().find((name) => name === secretId || arnOf(name) === secretId);
}

function lookUp(
  store: SecretVersions,
  input: Record<string, unknown>,
  selector: { versionId?: string; versionStage?: string },
): [string, SecretVersion] {
  const name = nameOf(store, input);
  if (name === undefined) throw new SecretNotFoundError("Secrets Manager can't find the specified secret.");
  return [name, store.get(name, selector)];
}

function describeVersion(name: string, version: SecretVersion) {
  return { ARN: arnOf(name), Name: name, VersionId: version.versionId, VersionStages: version.stages };
}

// AWS JSON 1.1 carries timestamps as epoch seconds; the SDK turns them into Dates.
function epochSeconds(version: SecretVersion): number {
  return version.createdDate.getTime() / 1000;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function reply(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ __type: type, message }));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}
