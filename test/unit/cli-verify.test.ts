import { parseJsonObject } from '../../lambdas/runtime/envelope';
import { isVerifyEnvelope, readChallenge } from '../../lambdas/receiver/challenge';
import { computeSignature } from '../../lambdas/receiver/verify-signature';
import type { CliIo } from '../../local/cli/io';
import { main } from '../../local/cli/main';

const TOKEN = 'verify-unit-token';
const URL_ = 'https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/smartcar';

type Answer = (body: string, init: RequestInit) => Response | Promise<Response>;

/** An endpoint made of two answers: one for VERIFY, one for the wrongly signed delivery. */
function endpoint(
  answerVerify: Answer,
  answerDelivery: Answer = () => json(401, { error: 'SIGNATURE_MISMATCH' }),
) {
  const requests: { url: string; init: RequestInit; body: string }[] = [];
  const out: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => out.push(text) },
    env: {},
    fetch: async (input, init = {}) => {
      const body = String(init.body);
      requests.push({ url: String(input), init, body });
      return isVerifyEnvelope(parseJsonObject(body) ?? {})
        ? answerVerify(body, init)
        : answerDelivery(body, init);
    },
  };
  return { io, requests, output: () => out.join('') };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** A correct receiver's VERIFY answer under `token`. */
const answerWith =
  (token: string): Answer =>
  (body) =>
    json(200, { challenge: computeSignature(token, readChallenge(parseJsonObject(body) ?? {})) });

function verify(io: CliIo, ...extra: string[]) {
  return main(['verify', '--url', URL_, '--token', TOKEN, ...extra], io);
}

describe('verify', () => {
  it('says Smartcar would accept a 200 JSON answer with HMAC(token, challenge) and a 401 for a wrong signature', async () => {
    const { io, output } = endpoint(answerWith(TOKEN));

    const code = await verify(io);

    expect(code).toBe(0);
    expect(output()).toContain('✔ 200 with {"challenge": HMAC-SHA256(token, challenge)}');
    expect(output()).toContain('✔ refused with 401');
    expect(output()).toContain('✔ Smartcar would accept this endpoint.');
  });

  it('sends the current VERIFY envelope unsigned, as JSON, without following redirects', async () => {
    const { io, requests } = endpoint(answerWith(TOKEN));

    await verify(io);

    const [handshake] = requests;
    const document = parseJsonObject(handshake?.body ?? '') ?? {};
    expect(handshake?.url).toBe(URL_);
    expect(handshake?.init).toMatchObject({ method: 'POST', redirect: 'manual' });
    expect(handshake?.init.headers).toEqual({
      'content-type': 'application/json',
      'user-agent': 'Smartcar/1.0 (smartcar-webhooks-cli)',
    });
    expect(document).toMatchObject({
      eventType: 'VERIFY',
      eventId: expect.any(String),
      meta: expect.any(Object),
    });
    expect(readChallenge(document)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('signs the probe delivery with a key other than the token', async () => {
    const { io, requests } = endpoint(answerWith(TOKEN));

    await verify(io);

    const probe = requests[1];
    const signature = (probe?.init.headers as Record<string, string>)['sc-signature'];
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(signature).not.toBe(computeSignature(TOKEN, probe?.body ?? ''));
  });

  it('warns, without failing, when the endpoint accepts a wrongly signed delivery', async () => {
    const { io, output } = endpoint(answerWith(TOKEN), () => json(200, { status: 'accepted' }));

    const code = await verify(io);

    expect(code).toBe(0);
    expect(output()).toContain('⚠ the endpoint accepts unsigned deliveries');
  });

  it('fails with "the receiver’s token differs" when the hash does not match', async () => {
    const { io, output } = endpoint(answerWith('another-token'));

    const code = await verify(io);

    expect(code).toBe(1);
    expect(output()).toContain("the receiver's token differs from the one you passed");
    expect(output()).toContain("store the Dashboard's Application Management Token in the secret");
  });

  it('says the token secret is not set for 500 TOKEN_NOT_CONFIGURED', async () => {
    const { io, output } = endpoint(() =>
      json(500, {
        error: 'TOKEN_NOT_CONFIGURED',
        message: 'The receiver has no Application Management Token configured yet.',
      }),
    );

    const code = await verify(io);

    expect(code).toBe(1);
    expect(output()).toContain('the receiver has no Application Management Token yet');
    expect(output()).toContain('aws secretsmanager put-secret-value --secret-id <TokenSecretName>');
  });

  it.each([
    [404, 'Not Found'],
    [403, 'Forbidden'],
  ])('says the path is wrong when API Gateway answers %i {"message":"%s"}', async (status, message) => {
    const { io, output } = endpoint(() => json(status, { message }));

    const code = await verify(io);

    expect(code).toBe(1);
    expect(output()).toContain(`wrong path: /webhooks/smartcar is not routed (${status} ("${message}"`);
  });

  it('fails on a 200 that is not JSON', async () => {
    const { io, output } = endpoint(
      () => new Response('OK', { status: 200, headers: { 'content-type': 'text/plain' } }),
    );

    const code = await verify(io);

    expect(code).toBe(1);
    expect(output()).toContain('the answer is not JSON (OK)');
  });

  it('fails on a JSON answer without a challenge, and recognises VERIFY handled as a delivery', async () => {
    const { io, output } = endpoint(() => json(200, { status: 'accepted', eventKey: 'e-1' }));

    const code = await verify(io);

    expect(code).toBe(1);
    expect(output()).toContain('the JSON answer has no "challenge" string');
    expect(output()).toContain('It handled VERIFY as an ordinary delivery.');
  });

  it('fails when the endpoint echoes the challenge instead of hashing it', async () => {
    const { io, output } = endpoint((body) =>
      json(200, { challenge: readChallenge(parseJsonObject(body) ?? {}) }),
    );

    const code = await verify(io);

    expect(code).toBe(1);
    expect(output()).toContain('the endpoint echoes the challenge');
  });

  it('fails on a 204, since Smartcar requires 200 with a body', async () => {
    const { io, output } = endpoint(() => new Response(null, { status: 204 }));

    const code = await verify(io);

    expect(code).toBe(1);
    expect(output()).toContain('Smartcar requires status 200 with a JSON body; the endpoint answered 204.');
  });

  it('fails when the endpoint demands a signature on VERIFY', async () => {
    const { io, output } = endpoint(() => json(401, { error: 'SIGNATURE_MISSING' }));

    const code = await verify(io);

    expect(code).toBe(1);
    expect(output()).toContain('the endpoint refused the unsigned VERIFY (401)');
  });

  it('says the host does not resolve on a DNS error, and skips the probe', async () => {
    const { io, output, requests } = endpoint(() => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }),
      });
    });

    const code = await verify(io);

    expect(code).toBe(1);
    expect(output()).toContain(
      'the host abc.execute-api.eu-west-1.amazonaws.com does not resolve (ENOTFOUND)',
    );
    expect(requests).toHaveLength(1);
  });

  it('says connection refused and names the host', async () => {
    const { io, output } = endpoint(() => {
      throw new TypeError('fetch failed', {
        cause: new AggregateError([Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })]),
      });
    });

    const code = await verify(io);

    expect(code).toBe(1);
    expect(output()).toContain('connection refused by abc.execute-api.eu-west-1.amazonaws.com');
  });

  it('warns about a Content-Type other than application/json', async () => {
    const { io, output } = endpoint((body) =>
      json(
        200,
        { challenge: computeSignature(TOKEN, readChallenge(parseJsonObject(body) ?? {})) },
        { 'content-type': 'text/plain' },
      ),
    );

    const code = await verify(io);

    expect(code).toBe(0);
    expect(output()).toContain('⚠ Content-Type is "text/plain"; Smartcar expects application/json.');
  });

  it('warns that Smartcar needs https for a public http:// URL', async () => {
    const { io, output } = endpoint(answerWith(TOKEN));

    await main(['verify', '--url', 'http://example.com/webhooks/smartcar', '--token', TOKEN], io);

    expect(output()).toContain('⚠ Smartcar delivers to https:// callback URIs only.');
  });
});
