import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type SecretsManagerStub, startSecretsManagerStub } from '../../local/secrets-manager-stub';

describe('local Secrets Manager stub', () => {
  let stub: SecretsManagerStub;
  let client: SecretsManagerClient;

  beforeAll(async () => {
    stub = await startSecretsManagerStub({ 'smartcar/amt': 'local-token' });
    client = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: stub.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    client.destroy();
    await stub.close();
  });

  it('answers GetSecretValue through the real AWS SDK', async () => {
    const result = await client.send(new GetSecretValueCommand({ SecretId: 'smartcar/amt' }));

    expect(result.SecretString).toBe('local-token');
  });

  it('answers ResourceNotFoundException for an unknown secret, as AWS does', async () => {
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'missing' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('serves the new value after putSecretValue', async () => {
    stub.putSecretValue('smartcar/amt', 'rotated');
    const result = await client.send(new GetSecretValueCommand({ SecretId: 'smartcar/amt' }));

    expect(result.SecretString).toBe('rotated');
  });
});
