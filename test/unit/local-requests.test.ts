import { type LocalApi, startLocalApi } from '../../local/api-gateway';
import { exposureWarning, networkLine, startHints } from '../../local/cli/start-hints';
import { lambdaContext } from '../../local/kit';
import { baseUrl, isLoopbackHost, urlHost } from '../../local/listen-address';
import {
  isFromThisMachine,
  requestOrigin,
  type UnroutedRequest,
  unroutedLine,
} from '../../local/local-requests';

const NOON = new Date('2026-12-01T12:00:00.000Z');

describe('requests no route serves', () => {
  it('names the webhook path for a POST to another path', () => {
    const line = unroutedLine(
      { status: 404, method: 'POST', path: '/webhook', webhookPath: '/webhooks/smartcar' },
      NOON,
    );

    expect(line).toBe('12:00:00.000 404 POST /webhook (the webhook path is /webhooks/smartcar)');
  });

  it('says deliveries are POSTs for another method on the webhook path', () => {
    const line = unroutedLine(
      { status: 404, method: 'GET', path: '/webhooks/smartcar', webhookPath: '/webhooks/smartcar' },
      NOON,
    );

    expect(line).toBe(
      '12:00:00.000 404 GET /webhooks/smartcar (Smartcar delivers with POST /webhooks/smartcar; GET is not routed)',
    );
  });

  it('says who a refused /_local request came from', () => {
    const line = unroutedLine(
      { status: 403, method: 'POST', path: '/_local/faults', webhookPath: '/w', from: '203.0.113.9' },
      NOON,
    );

    expect(line).toMatch(/^12:00:00\.000 403 POST \/_local\/faults \(from 203\.0\.113\.9: \/_local answers/);
  });
});

describe('requests from this machine', () => {
  it('accepts loopback connections, IPv4, IPv6 and IPv4-mapped', () => {
    expect(isFromThisMachine({ remoteAddress: '127.0.0.1' }, {})).toBe(true);
    expect(isFromThisMachine({ remoteAddress: '::1' }, {})).toBe(true);
    expect(isFromThisMachine({ remoteAddress: '::ffff:127.0.0.1' }, {})).toBe(true);
  });

  it('accepts a connection from the address it arrived at (this machine, by its LAN address)', () => {
    expect(isFromThisMachine({ remoteAddress: '192.168.1.20', localAddress: '192.168.1.20' }, {})).toBe(true);
  });

  it('refuses a connection from another machine', () => {
    expect(isFromThisMachine({ remoteAddress: '192.168.1.30', localAddress: '192.168.1.20' }, {})).toBe(
      false,
    );
  });

  it.each(['x-forwarded-for', 'forwarded', 'cf-connecting-ip', 'x-real-ip'])(
    'refuses a loopback connection that a tunnel forwarded (%s)',
    (header) => {
      expect(isFromThisMachine({ remoteAddress: '127.0.0.1' }, { [header]: '203.0.113.9' })).toBe(false);
    },
  );

  it('names the client a proxy forwarded, and the proxy', () => {
    expect(
      requestOrigin({ remoteAddress: '127.0.0.1' }, { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' }),
    ).toBe('203.0.113.9 through a proxy at 127.0.0.1');
  });
});

describe('listen addresses', () => {
  it('treats localhost, 127.0.0.0/8 and ::1 as loopback, and nothing else', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.20', 'example.com'].some(isLoopbackHost)).toBe(false);
  });

  it('writes URLs a client on this machine can use', () => {
    expect(urlHost('0.0.0.0')).toBe('127.0.0.1');
    expect(urlHost('::')).toBe('[::1]');
    expect(urlHost('fd00::5')).toBe('[fd00::5]');
    expect(baseUrl('192.168.1.20', 3001)).toBe('http://192.168.1.20:3001');
  });
});

describe("start's banner hints", () => {
  const at = (host: string, port: number) => ({
    host,
    port,
    url: baseUrl(host, port),
    webhookUrl: `${baseUrl(host, port)}/webhooks/smartcar`,
  });

  it('suggests the plain commands on the default port', () => {
    const hints = startHints(at('127.0.0.1', 3000));

    expect(hints.send).toBe('npm run send -- VEHICLE_STATE');
    expect(hints.cli('events')).toBe('npm run cli -- events');
  });

  it('carries the actual port when it is not 3000', () => {
    const hints = startHints(at('127.0.0.1', 3001));

    expect(hints.send).toBe('PORT=3001 npm run send -- VEHICLE_STATE');
    expect(hints.cli('events')).toBe('PORT=3001 npm run cli -- events');
  });

  it('carries the port on 0.0.0.0, which 127.0.0.1 reaches', () => {
    expect(startHints(at('0.0.0.0', 3002)).send).toBe('PORT=3002 npm run send -- VEHICLE_STATE');
  });

  it('carries the URL on a host 127.0.0.1 does not reach', () => {
    const hints = startHints(at('192.168.1.20', 3000));

    expect(hints.send).toBe('npm run send -- VEHICLE_STATE --url http://192.168.1.20:3000/webhooks/smartcar');
    expect(hints.cli('events')).toBe('npm run cli -- events --local http://192.168.1.20:3000');
  });

  it('warns that the network reaches the webhook on any host but loopback', () => {
    expect(exposureWarning(at('0.0.0.0', 3000))).toMatch(
      /^⚠ Listening on 0\.0\.0\.0, not only on this machine: .*\n.*only the SC-Signature check/,
    );
    expect(exposureWarning(at('192.168.1.20', 3000))).toContain('Listening on 192.168.1.20');
  });

  it('does not warn on loopback', () => {
    expect(exposureWarning(at('127.0.0.1', 3000))).toBe('');
    expect(exposureWarning(at('localhost', 3000))).toBe('');
  });

  it('lists network URLs only for a wildcard host', () => {
    expect(networkLine(at('127.0.0.1', 3000), '/webhooks/smartcar')).toBe('');
    expect(networkLine(at('192.168.1.20', 3000), '/webhooks/smartcar')).toBe('');
  });
});

describe('local API console reports', () => {
  let api: LocalApi | undefined;

  async function start(host?: string) {
    const unrouted: UnroutedRequest[] = [];
    api = await startLocalApi({
      port: 0,
      host,
      receiver: async () => ({ statusCode: 200, body: '{}' }),
      context: () => lambdaContext(),
      status: async () => ({ ok: true }),
      faults: () => ({}),
      onDelivery: () => undefined,
      onUnrouted: (request) => unrouted.push(request),
    });
    return { url: api.url, unrouted };
  }

  afterEach(async () => {
    await api?.close();
  });

  it('reports a request to a path no route serves, with the webhook path', async () => {
    const { url, unrouted } = await start();

    const response = await fetch(`${url}/webhook`, { method: 'POST', body: '{}' });

    expect(response.status).toBe(404);
    expect(unrouted).toEqual([
      { status: 404, method: 'POST', path: '/webhook', webhookPath: '/webhooks/smartcar' },
    ]);
  });

  it('does not report routed requests', async () => {
    const { url, unrouted } = await start();

    await fetch(`${url}/health`);
    await fetch(`${url}/webhooks/smartcar`, { method: 'POST', body: '{}' });

    expect(unrouted).toEqual([]);
  });

  it('answers 403 to a /_local request a tunnel forwarded, and reports it', async () => {
    const { url, unrouted } = await start();

    const response = await fetch(`${url}/_local/status`, { headers: { 'x-forwarded-for': '203.0.113.9' } });

    expect(response.status).toBe(403);
    expect(unrouted).toEqual([expect.objectContaining({ status: 403, path: '/_local/status' })]);
  });

  it('listens on 0.0.0.0 when asked, and gives a URL this machine reaches', async () => {
    const { url } = await start('0.0.0.0');

    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/_local/status`)).status).toBe(200);
  });
});
