import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { computeSignature } from '../../lambdas/receiver/verify-signature';
import { type LocalApi, startLocalApi } from '../../local/api-gateway';
import { freshDelivery } from '../../local/cli/delivery';
import { helpFor } from '../../local/cli/help';
import type { CliIo } from '../../local/cli/io';
import { main } from '../../local/cli/main';
import {
  dashboardTestMeta,
  fixedTokens,
  lambdaContext,
  receiverHarness,
  vehicleStateSample,
} from '../../local/kit';

const TOKEN = 'send-fresh-token';
const dir = mkdtempSync(path.join(tmpdir(), 'send-fresh-'));

/** A capture on disk, pretty-printed as a user would save it. */
function capture(document: object, name = 'capture.json'): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}

/** The CLI with a fake receiver behind `fetch` that records each body and answers `answer`. */
function cli(answer: () => Response = () => Response.json({ status: 'accepted' })) {
  const bodies: Buffer[] = [];
  const signatures: string[] = [];
  let output = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (output += text) },
    stderr: { write: (text: string) => (output += text) },
    env: {},
    fetch: async (_url, init = {}) => {
      bodies.push(Buffer.from(init.body as Uint8Array));
      signatures.push((init.headers as Record<string, string>)['sc-signature'] ?? '');
      return answer();
    },
  };
  const send = (...args: string[]) =>
    main(['send', ...args, '--url', 'http://127.0.0.1:3999/webhooks/smartcar', '--token', TOKEN], io);
  return { send, bodies, signatures, output: () => output };
}

const meta = (body: Buffer | undefined) =>
  (JSON.parse(body?.toString('utf8') ?? '{}') as { meta: Record<string, unknown> }).meta;

describe('send --file --fresh', () => {
  it('sets meta.deliveredAt and deliveryTime to now and signs the bytes it sends', async () => {
    const document = { ...vehicleStateSample(), meta: dashboardTestMeta() };
    const { send, bodies, signatures } = cli();
    const before = Date.now();

    const code = await send('--file', capture(document), '--fresh');

    expect(code).toBe(0);
    const sent = meta(bodies[0]);
    expect(sent.deliveredAt).toBeGreaterThanOrEqual(before);
    expect(sent.deliveredAt).toBeLessThanOrEqual(Date.now());
    expect(sent.deliveryTime).toBe(sent.deliveredAt);
    expect(signatures[0]).toBe(computeSignature(TOKEN, bodies[0]?.toString('utf8') ?? ''));
  });

  it('changes nothing else in the capture', async () => {
    const document = vehicleStateSample();
    const { send, bodies } = cli();

    await send('--file', capture(document), '--fresh');

    const sent = JSON.parse(bodies[0]?.toString('utf8') ?? '{}') as typeof document;
    expect({ ...sent, meta: { ...sent.meta, deliveredAt: 0 } }).toEqual({
      ...document,
      meta: { ...document.meta, deliveredAt: 0 },
    });
  });

  it('refreshes each delivery of --count at its own sending', async () => {
    const { send, bodies } = cli();

    await send('--file', capture(vehicleStateSample()), '--fresh', '--count', '2');

    expect(bodies).toHaveLength(2);
    expect(bodies.every((body) => typeof meta(body).deliveredAt === 'number')).toBe(true);
  });

  it('sends the file byte for byte without --fresh', async () => {
    const file = capture(vehicleStateSample());
    const { send, bodies } = cli();

    await send('--file', file);

    expect(bodies[0]?.toString('utf8')).toBe(`${JSON.stringify(vehicleStateSample(), null, 2)}\n`);
  });

  it('refuses --fresh without --file: sample events are fresh already', async () => {
    const { send, output } = cli();

    const code = await send('VEHICLE_STATE', '--fresh');

    expect(code).toBe(2);
    expect(output()).toContain('--fresh refreshes the delivery time of a --file payload');
  });

  it('refuses --fresh for a file without meta.deliveredAt, and says why it is not needed', async () => {
    const { meta: _meta, ...withoutMeta } = vehicleStateSample();
    const { send, output, bodies } = cli();

    const code = await send('--file', capture(withoutMeta, 'no-meta.json'), '--fresh');

    expect(code).toBe(2);
    expect(bodies).toHaveLength(0);
    expect(output()).toContain('has no meta.deliveredAt to refresh');
  });

  it('says so in the help, with the byte-identity it gives up', () => {
    expect(helpFor('send')).toContain('--fresh');
    expect(helpFor('send')).toContain('no longer byte-identical to the file');
    expect(helpFor('send')).toMatch(/--file captured-delivery\.json --fresh/);
  });
});

describe('freshDelivery', () => {
  const NOW = Date.UTC(2026, 11, 1, 12, 0, 0, 123);

  it('keeps epoch seconds in seconds', () => {
    const delivery = freshDelivery({ eventId: 'e', meta: { deliveredAt: 1_758_238_783 } }, NOW);

    expect(meta(delivery.body).deliveredAt).toBe(Math.floor(NOW / 1000));
  });

  it('keeps an ISO string an ISO string', () => {
    const delivery = freshDelivery({ eventId: 'e', meta: { deliveredAt: '2025-09-18T23:39:43.185Z' } }, NOW);

    expect(meta(delivery.body).deliveredAt).toBe('2026-12-01T12:00:00.123Z');
  });

  it('adds no deliveryTime where the capture had none', () => {
    const delivery = freshDelivery({ eventId: 'e', meta: { deliveredAt: 1_758_238_783_185 } }, NOW);

    expect(meta(delivery.body)).toEqual({ deliveredAt: NOW });
  });
});

describe('send against the real receiver: a capture older than the replay window', () => {
  let api: LocalApi | undefined;

  afterEach(async () => {
    await api?.close();
  });

  async function receiver() {
    const enqueued: string[] = [];
    const harness = receiverHarness({
      replace: { tokens: fixedTokens(TOKEN), enqueue: async ({ body }) => void enqueued.push(body) },
    });
    api = await startLocalApi({
      port: 0,
      receiver: (event) => harness.invoke(event),
      context: () => lambdaContext(),
      status: async () => ({}),
      faults: () => ({}),
      onDelivery: () => undefined,
    });
    let output = '';
    const io: CliIo = {
      stdout: { write: (text: string) => (output += text) },
      stderr: { write: (text: string) => (output += text) },
      env: {},
    };
    const send = (...args: string[]) =>
      main(['send', ...args, '--url', `${api?.url}/webhooks/smartcar`, '--token', TOKEN], io);
    return { send, enqueued, output: () => output };
  }

  it('is refused with 400 OUTSIDE_REPLAY_WINDOW, and the hint says to use --fresh', async () => {
    const { send, enqueued, output } = await receiver();

    const code = await send('--file', capture(vehicleStateSample(), 'old.json'));

    expect(code).toBe(1);
    expect(enqueued).toEqual([]);
    expect(output()).toContain('✘ rejected (400 OUTSIDE_REPLAY_WINDOW)');
    expect(output()).toContain('Send it with --fresh');
  });

  it('is accepted with --fresh', async () => {
    const { send, enqueued } = await receiver();

    const code = await send('--file', capture(vehicleStateSample(), 'old.json'), '--fresh');

    expect(code).toBe(0);
    expect(enqueued).toHaveLength(1);
  });

  it('points at the clock when a refreshed delivery is still outside the window', async () => {
    const { send, output } = cli(() =>
      Response.json(
        { error: 'OUTSIDE_REPLAY_WINDOW', message: 'meta.deliveredAt is 400 s in the future' },
        { status: 400 },
      ),
    );

    await send('--file', capture(vehicleStateSample()), '--fresh');

    expect(output()).toContain("Check this machine's clock");
    expect(output()).not.toContain('Send it with --fresh');
  });
});
