import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { receiverHarness, signedRequest, vehicleStateEvent } from '../../local/kit';
import { startSecretsManagerStub, type SecretsManagerStub } from '../../local/secrets-manager-stub';

const SECRET_ID = 'smartcar/application-management-token';
const CREATED_AT = Date.parse('2026-03-01T12:00:00Z');

let stub: SecretsManagerStub;
let client: SecretsManagerClient;
/** The stub's clock: each new version is dated a minute after the one before. */
let clock: number;

beforeEach(async () => {
  clock = CREATED_AT;
  stub = await startSecretsManagerStub({ [SECRET_ID]: 'token-v1' }, { now: () => clock });
  clock += 60_000;
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
      message: 'The local stub answers GetSecretValue, PutSecretValue, DescribeSecret, not ListSecrets.',
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

describe('Secrets Manager stub: versions and staging labels', () => {
  const get = (input: { VersionStage?: string; VersionId?: string } = {}) =>
    client.send(new GetSecretValueCommand({ SecretId: SECRET_ID, ...input }));
  const put = (value: string, input: { ClientRequestToken?: string; VersionStages?: string[] } = {}) =>
    client.send(new PutSecretValueCommand({ SecretId: SECRET_ID, SecretString: value, ...input }));

  it('answers the AWSCURRENT version with its id, labels and creation date', async () => {
    const output = await get();

    expect(output).toMatchObject({
      VersionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      VersionStages: ['AWSCURRENT'],
      CreatedDate: new Date(CREATED_AT),
    });
  });

  it('makes a put value AWSCURRENT and the value it replaced AWSPREVIOUS, each with its creation date', async () => {
    await put('token-v2');

    const current = await get();
    const previous = await get({ VersionStage: 'AWSPREVIOUS' });

    expect(current).toMatchObject({
      SecretString: 'token-v2',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: new Date(CREATED_AT + 60_000),
    });
    expect(previous).toMatchObject({
      SecretString: 'token-v1',
      VersionStages: ['AWSPREVIOUS'],
      CreatedDate: new Date(CREATED_AT),
    });
  });

  it('answers the new version id and its labels to PutSecretValue', async () => {
    const output = await put('token-v2');

    expect(output).toMatchObject({ Name: SECRET_ID, VersionStages: ['AWSCURRENT'] });
    expect((await get()).VersionId).toBe(output.VersionId);
  });

  it('keeps only the last two values labelled after a second rotation, the oldest readable by its id', async () => {
    const first = await get();
    await put('token-v2');
    await put('token-v3');

    const previous = await get({ VersionStage: 'AWSPREVIOUS' });
    const oldest = await get({ VersionId: first.VersionId });

    expect(previous.SecretString).toBe('token-v2');
    expect(oldest).toMatchObject({ SecretString: 'token-v1', VersionStages: [] });
  });

  it('answers ResourceNotFoundException for AWSPREVIOUS of a secret never rotated, as AWS does', async () => {
    await expect(get({ VersionStage: 'AWSPREVIOUS' })).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers ResourceNotFoundException for a version id it does not have', async () => {
    await expect(get({ VersionId: 'a1b2c3d4-0000-4000-8000-000000000000' })).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('answers InvalidRequestException for a version id asked for with a label it does not carry', async () => {
    const { VersionId } = await get();

    await expect(get({ VersionId, VersionStage: 'AWSPREVIOUS' })).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
  });

  it('takes a repeated ClientRequestToken with the same value as the same version', async () => {
    const token = 'c0ffee00-0000-4000-8000-000000000001';
    const first = await put('token-v2', { ClientRequestToken: token });

    const again = await put('token-v2', { ClientRequestToken: token });

    expect(again.VersionId).toBe(first.VersionId);
    expect((await get({ VersionStage: 'AWSPREVIOUS' })).SecretString).toBe('token-v1');
  });

  it('refuses a repeated ClientRequestToken with another value with InvalidRequestException', async () => {
    const token = 'c0ffee00-0000-4000-8000-000000000002';
    await put('token-v2', { ClientRequestToken: token });

    await expect(put('token-v3', { ClientRequestToken: token })).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
  });

  it('leaves AWSCURRENT where it is when a value is put with another label', async () => {
    await put('token-pending', { VersionStages: ['AWSPENDING'] });

    expect((await get()).SecretString).toBe('token-v1');
    expect((await get({ VersionStage: 'AWSPENDING' })).SecretString).toBe('token-pending');
  });

  it('lists each labelled version with its labels in DescribeSecret', async () => {
    await put('token-v2');
    const current = await get();
    const previous = await get({ VersionStage: 'AWSPREVIOUS' });

    const output = await client.send(new DescribeSecretCommand({ SecretId: SECRET_ID }));

    expect(output.VersionIdsToStages).toEqual({
      [String(previous.VersionId)]: ['AWSPREVIOUS'],
      [String(current.VersionId)]: ['AWSCURRENT'],
    });
  });

  it('finds the secret by the ARN it answers as well as by its name', async () => {
    const { ARN } = await get();

    const output = await client.send(new GetSecretValueCommand({ SecretId: ARN }));

    expect(output.SecretString).toBe('token-v1');
  });

  it('rotates on putSecretValue like PutSecretValue does', async () => {
    stub.putSecretValue(SECRET_ID, 'token-v2');

    expect(stub.versions(SECRET_ID).map((version) => [version.value, version.stages])).toEqual([
      ['token-v1', ['AWSPREVIOUS']],
      ['token-v2', ['AWSCURRENT']],
    ]);
  });
});

describe('Secrets Manager stub: the receiver’s token rotation grace period against it', () => {
  const GRACE_MS = RECEIVER_DEFAULTS.tokenRotationGraceSeconds * 1000;
  let now: number;

  /** A receiver in a fresh execution environment, reading the token from the stub on the clock `now`. */
  function receiver() {
    return receiverHarness({
      config: { tokenSecretId: SECRET_ID },
      secretsManager: client,
      now: () => now,
      replace: { enqueue: async () => undefined },
    });
  }

  /** A VEHICLE_STATE delivered at `now`, signed with `token`. */
  const deliveryAt = (token: string) => {
    const event = vehicleStateEvent();
    return signedRequest({ ...event, meta: { ...event.meta, deliveredAt: now } }, { token });
  };

  /** The operator's rotation: put-secret-value with the new token, at `now`. */
  async function rotate(to: string): Promise<void> {
    clock = now;
    await client.send(new PutSecretValueCommand({ SecretId: SECRET_ID, SecretString: to }));
  }

  beforeEach(() => {
    now = Date.now();
  });

  it('accepts a delivery signed with the previous token while the new version is younger than the grace period', async () => {
    await rotate('token-v2');
    now += GRACE_MS - 60_000;

    const response = await receiver().invoke(deliveryAt('token-v1'));

    expect(response.statusCode).toBe(200);
  });

  it('refuses a delivery signed with the previous token once the grace period has passed', async () => {
    await rotate('token-v2');
    now += GRACE_MS + 1_000;

    const response = await receiver().invoke(deliveryAt('token-v1'));

    expect(response.statusCode).toBe(401);
  });

  it('accepts the new token at once in an environment that cached the old one', async () => {
    const warm = receiver();
    await warm.invoke(deliveryAt('token-v1'));
    await rotate('token-v2');

    const response = await warm.invoke(deliveryAt('token-v2'));

    expect(response.statusCode).toBe(200);
  });

  it('refuses a token that was never the secret’s value', async () => {
    await rotate('token-v2');

    const response = await receiver().invoke(deliveryAt('token-v0'));

    expect(response.statusCode).toBe(401);
  });
});
