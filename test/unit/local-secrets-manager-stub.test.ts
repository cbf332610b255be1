import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startSecretsManagerStub, type SecretsManagerStub } from '../../local/secrets-manager-stub';

const SECRET_ID = 'smartcar/application-management-token';

let stub: SecretsManagerStub;
let client: SecretsManagerClient;

beforeEach(async () => {
  stub = await startSecretsManagerStub({ [SECRET_ID]: 'token-v1' });
  client = new SecretsManagerClient({
    endpoint: stub.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterEach(async () => {
  client.destroy();
  await stub.close();
});

/** A raw AWS JSON 1.1 call, for what the SDK would never send. */
function rawCall(target: string, body: string) {
  return fetch(stub.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body,
  });
}

describe('Secrets Manager stub', () => {
  it('listens on 127.0.0.1', () => {
    expect(stub.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers GetSecretValue from the SDK with the secret’s value', async () => {
    const output = await client.send(new GetSecretValueCommand({ SecretId: SECRET_ID }));

    expect(output).toMatchObject({ Name: SECRET_ID, SecretString: 'token-v1' });
  });

  it('answers with the value put last', async () => {
    stub.putSecretValue(SECRET_ID, 'token-v2');

    const output = await client.send(new GetSecretValueCommand({ SecretId: SECRET_ID }));

    expect(output.SecretString).toBe('token-v2');
  });

  it('creates a secret that putSecretValue names for the first time', async () => {
    stub.putSecretValue('other', 'value');

    const output = await client.send(new GetSecretValueCommand({ SecretId: 'other' }));

    expect(output.SecretString).toBe('value');
  });

  it('rejects an unknown secret with ResourceNotFoundException', async () => {
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'missing' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('counts the GetSecretValue calls it answered', async () => {
    await client.send(new GetSecretValueCommand({ SecretId: SECRET_ID }));
    await client.send(new GetSecretValueCommand({ SecretId: SECRET_ID }));

    expect(stub.reads).toBe(2);
  });

  it('does not count calls for unknown secrets', async () => {
    await client.send(new GetSecretValueCommand({ SecretId: 'missing' })).catch(() => undefined);

    expect(stub.reads).toBe(0);
  });

  it('answers other operations with 400 UnknownOperationException', async () => {
    const response = await rawCall('secretsmanager.ListSecrets', '{}');

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    await expect(response.json()).resolves.toEqual({
      __type: 'UnknownOperationException',
      message: 'The local stub only answers GetSecretValue, not ListSecrets.',
    });
    expect(stub.reads).toBe(0);
  });

  it('answers a body that is not JSON with 400 SerializationException', async () => {
    const response = await rawCall('secretsmanager.GetSecretValue', '{"SecretId":');

    expect(response.status).toBe(400);
    await expect(response.json()).resolves.toEqual({
      __type: 'SerializationException',
      message: 'The request body is not JSON.',
    });
    expect(stub.reads).toBe(0);
  });
});
