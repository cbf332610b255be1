import { Agent, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { startSwitchableProxy, type Interceptor, type SwitchableProxy } from '../../local/switchable-proxy';
import { httpRequest } from './support-local-async';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback target that records each request and answers 201 with a header and a body. */
async function startTarget() {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(201, { 'content-type': 'text/plain', 'x-target': 'yes' });
      res.end('from target');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url, seen, close };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const CONNECTION_CUT = /ECONNRESET|socket hang up|EPIPE/;

let target: Awaited<ReturnType<typeof startTarget>>;
let proxy: SwitchableProxy | undefined;

beforeEach(async () => {
  target = await startTarget();
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await target.close();
});

describe('startSwitchableProxy', () => {
  it('listens on 127.0.0.1', async () => {
    proxy = await startSwitchableProxy(target.url);

    expect(proxy.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('forwards the method, path with query, body and Host header unchanged', async () => {
    proxy = await startSwitchableProxy(target.url);

    await httpRequest(proxy.endpoint, {
      method: 'POST',
      path: '/000000000000/queue?Action=SendMessage',
      headers: { host: 'sqs.local:9324', 'content-type': 'application/x-amz-json-1.0' },
      body: '{"MessageBody":"hello"}',
    });

    expect(target.seen).toEqual([
      {
        method: 'POST',
        url: '/000000000000/queue?Action=SendMessage',
        headers: expect.objectContaining({
          host: 'sqs.local:9324',
          'content-type': 'application/x-amz-json-1.0',
        }),
        body: '{"MessageBody":"hello"}',
      },
    ]);
  });

  it('returns the target’s status, headers and body', async () => {
    proxy = await startSwitchableProxy(target.url);

    const reply = await httpRequest(proxy.endpoint, { path: '/anything' });

    expect(reply.status).toBe(201);
    expect(reply.headers).toMatchObject({ 'content-type': 'text/plain', 'x-target': 'yes' });
    expect(reply.body.toString()).toBe('from target');
  });

  it('answers with the interceptor’s reply without reaching the target', async () => {
    const intercept: Interceptor = async () => ({
      status: 400,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: '{"__type":"intercepted"}',
    });
    proxy = await startSwitchableProxy(target.url, { intercept });

    const reply = await httpRequest(proxy.endpoint, { method: 'POST', body: '{}' });

    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(reply.body.toString()).toBe('{"__type":"intercepted"}');
    expect(target.seen).toEqual([]);
  });

  it('hands the interceptor the request and its whole body', async () => {
    const intercept = jest.fn<ReturnType<Interceptor>, Parameters<Interceptor>>(async () => undefined);
    proxy = await startSwitchableProxy(target.url, { intercept });

    await httpRequest(proxy.endpoint, {
      method: 'POST',
      path: '/queue',
      headers: { 'x-amz-target': 'AmazonSQS.SendMessage' },
      body: 'x'.repeat(100_000),
    });

    const [req, body] = intercept.mock.calls[0] ?? [];
    expect(req?.url).toBe('/queue');
    expect(req?.headers['x-amz-target']).toBe('AmazonSQS.SendMessage');
    expect(body?.toString()).toBe('x'.repeat(100_000));
  });

  it('forwards the request when the interceptor lets it through', async () => {
    proxy = await startSwitchableProxy(target.url, { intercept: async () => undefined });

    const reply = await httpRequest(proxy.endpoint, { method: 'POST', body: 'through' });

    expect(reply.status).toBe(201);
    expect(target.seen.map((request) => request.body)).toEqual(['through']);
  });

  it('cuts the connection when the interceptor fails', async () => {
    proxy = await startSwitchableProxy(target.url, {
      intercept: async () => {
        throw new Error('interceptor bug');
      },
    });

    await expect(httpRequest(proxy.endpoint, { method: 'POST', body: '{}' })).rejects.toThrow(CONNECTION_CUT);
    expect(target.seen).toEqual([]);
  });

  it('cuts the connection when the target cannot be reached', async () => {
    proxy = await startSwitchableProxy(await closedPort());

    await expect(httpRequest(proxy.endpoint)).rejects.toThrow(CONNECTION_CUT);
  });

  it('is available when started', async () => {
    proxy = await startSwitchableProxy(target.url);

    expect(proxy.available).toBe(true);
  });

  it('resets new connections while unavailable, without reaching the target', async () => {
    proxy = await startSwitchableProxy(target.url);

    proxy.setAvailable(false);

    expect(proxy.available).toBe(false);
    await expect(httpRequest(proxy.endpoint)).rejects.toThrow(CONNECTION_CUT);
    expect(target.seen).toEqual([]);
  });

  it('cuts open keep-alive connections when switched off', async () => {
    proxy = await startSwitchableProxy(target.url);
    const agent = new Agent({ keepAlive: true });
    await httpRequest(proxy.endpoint, { agent });
    const [idle] = Object.values(agent.freeSockets).flat() as Socket[];
    if (idle === undefined) throw new Error('the agent kept no connection open');
    const closed = new Promise<void>((resolve) => idle.once('close', () => resolve()));

    proxy.setAvailable(false);

    await expect(closed).resolves.toBeUndefined();
    agent.destroy();
  });

  it('forwards again once switched back on', async () => {
    proxy = await startSwitchableProxy(target.url);
    proxy.setAvailable(false);

    proxy.setAvailable(true);

    expect(proxy.available).toBe(true);
    await expect(httpRequest(proxy.endpoint)).resolves.toMatchObject({ status: 201 });
  });

  it('stops accepting connections once closed', async () => {
    const closing = await startSwitchableProxy(target.url);

    await closing.close();

    await expect(httpRequest(closing.endpoint)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('closes even with a keep-alive connection open', async () => {
    const closing = await startSwitchableProxy(target.url);
    const agent = new Agent({ keepAlive: true });
    await httpRequest(closing.endpoint, { agent });

    await expect(closing.close()).resolves.toBeUndefined();
    agent.destroy();
  });
});
