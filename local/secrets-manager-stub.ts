import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the one Secrets Manager call the receiver makes (GetSecretValue, AWS JSON
 * 1.1 protocol). The receiver's real code path runs against it, pointed here by the SDK's standard
 * AWS_ENDPOINT_URL_SECRETS_MANAGER variable, so the handlers need no "am I local" branch.
 */
export interface SecretsManagerStub {
  /** Base URL to use as AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  endpoint: string;
  /** Replaces (or creates) a secret's value, as put-secret-value would. */
  putSecretValue(secretId: string, value: string): void;
  /** Number of GetSecretValue calls answered so far. */
  readonly reads: number;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'secretsmanager.';

/** Starts the stub on 127.0.0.1; `port` 0 picks a free one. */
export async function startSecretsManagerStub(
  secrets: Record<string, string>,
  port = 0,
): Promise<SecretsManagerStub> {
  const values = new Map(Object.entries(secrets));
  let reads = 0;
  const server: Server = createServer((req, res) => {
    readJson(req)
      .then((input) => {
        const operation = String(req.headers['x-amz-target'] ?? '').replace(TARGET_PREFIX, '');
        if (operation !== 'GetSecretValue') {
          return reply(
            res,
            400,
            'UnknownOperationException',
            `The local stub only answers GetSecretValue, not ${operation}.`,
          );
        }
        const secretId = typeof input.SecretId === 'string' ? input.SecretId : '';
        const value = values.get(secretId);
        if (value === undefined) {
          return reply(
            res,
            400,
            'ResourceNotFoundException',
            "Secrets Manager can't find the specified secret.",
          );
        }
        reads++;
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ ARN: secretId, Name: secretId, SecretString: value, VersionId: 'local' }));
      })
      .catch(() => reply(res, 400, 'SerializationException', 'The request body is not JSON.'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    putSecretValue: (secretId, value) => values.set(secretId, value),
    get reads() {
      return reads;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
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
