import { parseJsonObject } from '../../lambdas/runtime/envelope';
import { readChallenge } from '../../lambdas/receiver/challenge';
import { computeSignature } from '../../lambdas/receiver/verify-signature';
import type { CliIo } from '../../local/cli/io';
import { main } from '../../local/cli/main';
import { percentile } from '../../local/cli/summary';

const TOKEN = 'send-unit-token';
const URL_ = 'http://127.0.0.1:3999/webhooks/smartcar';

interface Seen {
  body: string;
  headers: Record<string, string>;
}

/** A fake receiver behind `fetch`; `answer` decides each response. */
function receiver(answer: (seen: Seen, init: RequestInit) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const out: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => out.push(text) },
    env: {},
    fetch: async (_input, init = {}) => {
      const body = Buffer.from(init.body as Uint8Array).toString('utf8');
      const request = { body, headers: init.headers as Record<string, string> };
      seen.push(request);
      return answer(request, init);
    },
  };
  return { io, seen, output: () => out.join('') };
}

const accepted = ({ body }: Seen) =>
  new Response(JSON.stringify({ status: 'accepted', eventKey: parseJsonObject(body)?.eventId }), {
    headers: { 'content-type': 'application/json' },
  });

function send(io: CliIo, ...args: string[]) {
  return main(['send', ...args, '--url', URL_, '--token', TOKEN], io);
}

describe('send', () => {
  it('signs exactly the bytes it sends and identifies itself', async () => {
    const { io, seen } = receiver(accepted);

    const code = await send(io, 'VEHICLE_STATE');

    expect(code).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers).toEqual({
      'content-type': 'application/json',
      'user-agent': 'Smartcar/1.0 (smartcar-webhooks-cli)',
      'sc-signature': computeSignature(TOKEN, seen[0]?.body ?? ''),
    });
  });

  it('prints the status, the answer and an accepted verdict with the eventId', async () => {
    const { io, seen, output } = receiver(accepted);

    await send(io, 'VEHICLE_ERROR');

    const eventId = String(parseJsonObject(seen[0]?.body ?? '')?.eventId);
    expect(output()).toContain(`← 200 in `);
    expect(output()).toContain(`{"status":"accepted","eventKey":"${eventId}"}`);
    expect(output()).toContain(`✔ accepted (200) eventId ${eventId}`);
  });

  it('exits 1 with the receiver’s code and message when rejected', async () => {
    const { io, output } = receiver(
      () =>
        new Response(
          JSON.stringify({ error: 'SIGNATURE_MISMATCH', message: 'SC-Signature does not match.' }),
          {
            status: 401,
          },
        ),
    );

    const code = await send(io, 'VEHICLE_STATE');

    expect(code).toBe(1);
    expect(output()).toContain('✘ rejected (401 SIGNATURE_MISMATCH): SC-Signature does not match.');
    expect(output()).toContain("the receiver's token differs from the one used to sign");
  });

  it('checks that a VERIFY answer is HMAC(token, challenge)', async () => {
    const { io, output } = receiver(
      ({ body }) =>
        new Response(
          JSON.stringify({ challenge: computeSignature(TOKEN, readChallenge(parseJsonObject(body) ?? {})) }),
        ),
    );

    const code = await send(io, 'VERIFY');

    expect(code).toBe(0);
    expect(output()).toContain('✔ VERIFY answered (200) with HMAC-SHA256(token, challenge)');
  });

  it('exits 1 when a VERIFY answer carries the wrong hash', async () => {
    const { io, output } = receiver(() => new Response(JSON.stringify({ challenge: 'f'.repeat(64) })));

    const code = await send(io, 'VERIFY');

    expect(code).toBe(1);
    expect(output()).toContain('✘ VERIFY answered 200 with the wrong hash');
  });

  it('keeps at most --concurrency requests in flight and summarizes by status', async () => {
    let inFlight = 0;
    let most = 0;
    const { io, seen, output } = receiver(async (request) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return accepted(request);
    });

    const code = await send(io, 'VEHICLE_STATE', '--count', '12', '--concurrency', '3');

    expect(code).toBe(0);
    expect(seen).toHaveLength(12);
    expect(most).toBe(3);
    expect(new Set(seen.map(({ body }) => parseJsonObject(body)?.eventId)).size).toBe(12);
    expect(output()).toMatch(/12 requests in \d+\.\d\d s: 200 × 12/);
    expect(output()).toMatch(/latency p50 \d+ ms, p99 \d+ ms/);
    expect(output()).toContain('✔ all 12 accepted');
  });

  it('counts failures by status in a batch and exits 1', async () => {
    let n = 0;
    const { io, output } = receiver((request) =>
      ++n % 2 === 0 ? new Response('{"error":"ENQUEUE_FAILED"}', { status: 503 }) : accepted(request),
    );

    const code = await send(io, 'VEHICLE_STATE', '--count', '4');

    expect(code).toBe(1);
    expect(output()).toContain('200 × 2, 503 × 2');
    expect(output()).toContain('✘ 2 of 4 requests failed');
  });

  it('reports a timeout when no answer comes within --timeout', async () => {
    const { io, output } = receiver(
      (_request, init) =>
        new Promise<Response>((_resolve, reject) =>
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        ),
    );

    const code = await send(io, 'VEHICLE_STATE', '--timeout', '50');

    expect(code).toBe(1);
    expect(output()).toContain('✘ no answer: timeout: no answer within 50 ms');
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);

    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });
});
