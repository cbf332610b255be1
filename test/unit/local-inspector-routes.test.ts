import { existsSync, readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { LOG_MESSAGES } from '../../lambdas/contract';
import type { DeliveryResult } from '../../local/activity';
import { type LocalApi, type LocalRequest, startLocalApi } from '../../local/api-gateway';
import type { CliIo } from '../../local/cli/io';
import type { CliRunner } from '../../local/inspector/actions';
import { inspectorRoutes } from '../../local/inspector/routes';
import { DeliveryTimeline } from '../../local/inspector/timeline';
import { lambdaContext, SAMPLE_LATITUDE, SAMPLE_VIN, vehicleStateEvent } from '../../local/kit';

const ORIGIN = 'http://127.0.0.1:3000';
const SAME_ORIGIN: IncomingHttpHeaders = { host: '127.0.0.1:3000' };
const FROM_PAGE: IncomingHttpHeaders = {
  host: '127.0.0.1:3000',
  origin: ORIGIN,
  'sec-fetch-site': 'same-origin',
  'content-type': 'application/json',
};
const TOKEN = 'current-local-token';

const EVENT = vehicleStateEvent();
const BODY = JSON.stringify(EVENT);
const VEHICLE_ID = String(EVENT.data.vehicle?.id);

function accepted(body = BODY): DeliveryResult {
  return {
    statusCode: 200,
    durationMs: 12,
    requestBody: body,
    responseBody: JSON.stringify({ status: 'accepted', eventKey: EVENT.eventId }),
  };
}

/** The inspector's routes over a timeline holding {@link EVENT}, with a fake CLI that prints `print`. */
function inspector(cliAnswer: { exitCode?: number; stdout?: string; stderr?: string } = {}) {
  const timeline = new DeliveryTimeline();
  timeline.delivery(accepted());
  const calls: { argv: readonly string[]; file?: string }[] = [];
  const cli = jest.fn<ReturnType<CliRunner>, Parameters<CliRunner>>(async (argv, io: CliIo) => {
    const fileAt = argv.indexOf('--file');
    // The file exists only while the command runs: read it now.
    const file = fileAt >= 0 ? readFileSync(String(argv[fileAt + 1]), 'utf8') : undefined;
    calls.push({ argv, file });
    io.stdout.write(cliAnswer.stdout ?? '✔ done\n');
    io.stderr.write(cliAnswer.stderr ?? '');
    return cliAnswer.exitCode ?? 0;
  });
  const handle = inspectorRoutes({ timeline, actions: { cli, currentToken: async () => TOKEN } });
  const request = async (
    method: string,
    target: string,
    options: { headers?: IncomingHttpHeaders; body?: unknown } = {},
  ) => {
    const body =
      options.body === undefined
        ? Buffer.alloc(0)
        : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    const defaults = method === 'POST' ? FROM_PAGE : SAME_ORIGIN;
    const request: LocalRequest = {
      method,
      url: new URL(target, ORIGIN),
      headers: options.headers ?? defaults,
      body,
    };
    const response = await handle(request);
    const text = response.body.toString();
    const isJson = response.headers['content-type'] === 'application/json';
    return { ...response, text, json: isJson ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  return { timeline, cli, calls, request };
}

describe('inspector page', () => {
  it('serves the page with a policy that allows only its own script and style, and no framing', async () => {
    const { request } = inspector();

    const page = await request('GET', '/_local/');

    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<script src="/_local/inspector.js"');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it.each([
    ['/_local/inspector.js', 'text/javascript; charset=utf-8'],
    ['/_local/inspector.css', 'text/css; charset=utf-8'],
  ])('serves %s as %s', async (path, type) => {
    const { request } = inspector();

    const file = await request('GET', path);

    expect(file).toMatchObject({
      statusCode: 200,
      headers: expect.objectContaining({ 'content-type': type }),
    });
  });

  it('redirects /_local to the page', async () => {
    const { request } = inspector();

    expect(await request('GET', '/_local')).toMatchObject({
      statusCode: 308,
      headers: { location: '/_local/' },
    });
  });

  it('refuses a host name other than localhost, as a DNS-rebinding page sends', async () => {
    const { request } = inspector();

    const page = await request('GET', '/_local/', { headers: { host: 'attacker.example:3000' } });

    expect(page).toMatchObject({ statusCode: 403, json: { error: 'NOT_A_LOCAL_HOST' } });
  });

  it.each(['localhost:3000', '[::1]:3000', '192.168.1.20:3000'])(
    'serves the page for host %s',
    async (host) => {
      const { request } = inspector();

      const page = await request('GET', '/_local/', { headers: { host } });

      expect(page.statusCode).toBe(200);
    },
  );
});

describe('inspector data', () => {
  it('lists the deliveries with their state, newest first, and what the filters can choose', async () => {
    const { request } = inspector();

    const list = await request('GET', '/_local/deliveries');

    expect(list.statusCode).toBe(200);
    expect(list.json).toEqual({
      deliveries: [
        expect.objectContaining({
          key: EVENT.eventId,
          eventType: 'VEHICLE_STATE',
          vehicleId: VEHICLE_ID,
          state: 'enqueued',
          deliveries: 1,
          hasBody: true,
        }),
      ],
      filter: {},
      events: 1,
      maxEvents: 1000,
      eventTypes: ['VEHICLE_STATE'],
    });
  });

  it.each([
    ['type=VEHICLE_ERROR', 0],
    ['type=vehicle_state', 1],
    [`vehicle=${VEHICLE_ID}`, 1],
    ['vehicle=another-vehicle', 0],
    ['type=&vehicle=', 1],
  ])('filters with ?%s', async (query, count) => {
    const { request } = inspector();

    const list = await request('GET', `/_local/deliveries?${query}`);

    expect(list.json?.deliveries).toHaveLength(count);
  });

  it('refuses an unknown query parameter, naming the ones it takes', async () => {
    const { request } = inspector();

    const list = await request('GET', '/_local/deliveries?vin=1');

    expect(list).toMatchObject({
      statusCode: 400,
      json: { error: 'INVALID_REQUEST', message: 'Unknown parameter "vin": use type, vehicle.' },
    });
  });

  it('shows one delivery with its steps and log lines, the VIN and location masked', async () => {
    const { timeline, request } = inspector();
    timeline.log({ message: LOG_MESSAGES.eventProcessed, eventId: EVENT.eventId, attempt: 1, level: 'INFO' });

    const detail = await request('GET', `/_local/deliveries/${EVENT.eventId}`);

    expect(detail.json).toMatchObject({
      key: EVENT.eventId,
      state: 'processed',
      masked: true,
      steps: [{ state: 'enqueued' }, { state: 'processed', attempt: 1 }],
      logs: [{ message: LOG_MESSAGES.eventProcessed }],
      payload: { eventId: EVENT.eventId },
    });
    expect(detail.text).toContain('«masked»');
    expect(detail.text).not.toContain(SAMPLE_VIN);
    expect(detail.text).not.toContain(String(SAMPLE_LATITUDE));
    expect(detail.json).not.toHaveProperty('body');
  });

  it('shows the payload as it arrived with ?unmask=1', async () => {
    const { request } = inspector();

    const detail = await request('GET', `/_local/deliveries/${EVENT.eventId}?unmask=1`);

    expect(detail.json).toMatchObject({ masked: false, payload: EVENT });
  });

  it('shows a body that is no JSON object only when unmasked', async () => {
    const { timeline, request } = inspector();
    timeline.delivery({ ...accepted('VIN 5YJ3E1EA7KF000316'), responseBody: '{"error":"INVALID_PAYLOAD"}' });
    const [{ key } = { key: '' }] = timeline.list();

    const masked = await request('GET', `/_local/deliveries/${encodeURIComponent(key)}`);
    const unmasked = await request('GET', `/_local/deliveries/${encodeURIComponent(key)}?unmask=1`);

    expect(key).toMatch(/^sha256:/);
    expect(masked.json).toMatchObject({
      payload: null,
      bodyNote: expect.stringContaining('not a JSON object'),
    });
    expect(masked.text).not.toContain(SAMPLE_VIN);
    expect(unmasked.json).toMatchObject({ bodyText: 'VIN 5YJ3E1EA7KF000316' });
  });

  it('answers 404 for an event it does not hold', async () => {
    const { request } = inspector();

    const detail = await request('GET', '/_local/deliveries/no-such-event');

    expect(detail).toMatchObject({ statusCode: 404, json: { error: 'UNKNOWN_EVENT' } });
  });

  it('refuses an unmask value it does not know', async () => {
    const { request } = inspector();

    const detail = await request('GET', `/_local/deliveries/${EVENT.eventId}?unmask=yes-please`);

    expect(detail).toMatchObject({ statusCode: 400, json: { error: 'INVALID_REQUEST' } });
  });

  it('refuses to show a payload to another site', async () => {
    const { request } = inspector();

    const detail = await request('GET', `/_local/deliveries/${EVENT.eventId}?unmask=1`, {
      headers: { ...SAME_ORIGIN, 'sec-fetch-site': 'cross-site' },
    });

    expect(detail).toMatchObject({ statusCode: 403, json: { error: 'CROSS_SITE_REQUEST' } });
  });
});

describe('inspector routes and methods', () => {
  it('answers 404 with the routes it has for an unknown one', async () => {
    const { request } = inspector();

    const response = await request('GET', '/_local/nothing-here');

    expect(response).toMatchObject({
      statusCode: 404,
      json: { error: 'NOT_FOUND', message: expect.stringContaining('GET /_local/deliveries') },
    });
  });

  it('answers 404 naming the actions for an unknown action', async () => {
    const { request } = inspector();

    const response = await request('POST', '/_local/actions/delete-everything', { body: {} });

    expect(response).toMatchObject({
      statusCode: 404,
      json: { message: expect.stringContaining('POST /_local/actions/resend') },
    });
  });

  it.each([
    ['POST', '/_local/deliveries', 'GET'],
    ['DELETE', `/_local/deliveries/${EVENT.eventId}`, 'GET'],
    ['GET', '/_local/actions/redrive', 'POST'],
    ['POST', '/_local/', 'GET'],
    ['POST', '/_local/status', 'GET'],
    ['DELETE', '/_local/faults', 'GET, POST'],
  ])('answers %s %s with 405, allowing %s', async (method, path, allowed) => {
    const { request } = inspector();

    const response = await request(method, path, { headers: SAME_ORIGIN });

    expect(response).toMatchObject({
      statusCode: 405,
      headers: expect.objectContaining({ allow: allowed }),
      json: { error: 'METHOD_NOT_ALLOWED' },
    });
  });
});

describe('inspector actions refuse what another site could send', () => {
  it.each([
    [
      'an Origin of another site',
      { ...FROM_PAGE, origin: 'https://attacker.example' },
      403,
      'CROSS_SITE_REQUEST',
    ],
    ['Origin null (a sandboxed frame)', { ...FROM_PAGE, origin: 'null' }, 403, 'CROSS_SITE_REQUEST'],
    [
      'Sec-Fetch-Site cross-site',
      { ...FROM_PAGE, 'sec-fetch-site': 'cross-site' },
      403,
      'CROSS_SITE_REQUEST',
    ],
    [
      'Sec-Fetch-Site same-site (another port on this machine)',
      { ...FROM_PAGE, 'sec-fetch-site': 'same-site' },
      403,
      'CROSS_SITE_REQUEST',
    ],
    ['a host that is not this machine', { ...FROM_PAGE, host: 'attacker.example' }, 403, 'NOT_A_LOCAL_HOST'],
    [
      'text/plain, as a form can send',
      { ...FROM_PAGE, 'content-type': 'text/plain' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'form-urlencoded',
      { ...FROM_PAGE, 'content-type': 'application/x-www-form-urlencoded' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['no content-type', { host: FROM_PAGE.host }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('refuses %s', async (_what, headers, statusCode, error) => {
    const { request, cli } = inspector();

    const response = await request('POST', '/_local/actions/redrive', { headers, body: {} });

    expect(response).toMatchObject({ statusCode, json: { error } });
    expect(cli).not.toHaveBeenCalled();
  });

  it('runs an action for curl, which sends neither Origin nor Sec-Fetch-Site', async () => {
    const { request, cli } = inspector();

    const response = await request('POST', '/_local/actions/redrive', {
      headers: { host: '127.0.0.1:3000', 'content-type': 'application/json; charset=utf-8' },
      body: {},
    });

    expect(response.statusCode).toBe(200);
    expect(cli).toHaveBeenCalledTimes(1);
  });
});

describe('inspector actions run the CLI', () => {
  it('resends the last body, signed with the current token, to the local webhook', async () => {
    const { request, calls } = inspector({ stdout: '→ POST …\n✔ accepted (200) eventId x\n' });

    const response = await request('POST', '/_local/actions/resend', { body: { key: EVENT.eventId } });

    expect(calls).toEqual([
      {
        argv: [
          'send',
          '--file',
          expect.any(String),
          '--url',
          `${ORIGIN}/webhooks/smartcar`,
          '--token',
          TOKEN,
        ],
        file: BODY,
      },
    ]);
    expect(existsSync(String(calls[0]?.argv[2]))).toBe(false);
    expect(response.json).toEqual({
      action: 'resend',
      ok: true,
      exitCode: 0,
      summary: '✔ accepted (200) eventId x',
      output: ['→ POST …', '✔ accepted (200) eventId x'],
    });
  });

  it('replays the event from the archive, looking back from when it was first seen', async () => {
    const { timeline, request, calls } = inspector({
      stdout: '{"replayId":"replay-1","selected":1,"sent":1,"failed":0,"failures":[]}\n',
    });
    const since = new Date(Date.parse(timeline.get(EVENT.eventId)?.firstSeenAt ?? '') - 5 * 60_000);

    const response = await request('POST', '/_local/actions/replay', { body: { key: EVENT.eventId } });

    expect(calls[0]?.argv).toEqual([
      'replay',
      '--event-id',
      EVENT.eventId,
      '--since',
      since.toISOString(),
      '--local',
      ORIGIN,
      '--json',
    ]);
    expect(response.json).toMatchObject({
      ok: true,
      summary: 'Replayed 1 as replay-1.',
      result: { sent: 1 },
    });
  });

  it('replays with --reprocess when asked', async () => {
    const { request, calls } = inspector();

    await request('POST', '/_local/actions/replay', { body: { key: EVENT.eventId, reprocess: true } });

    expect(calls[0]?.argv.at(-1)).toBe('--reprocess');
  });

  it('redrives the local DLQ', async () => {
    const { request, calls } = inspector({
      stdout: '✔ Nothing to redrive: the dead-letter queue … is empty.\n',
    });

    const response = await request('POST', '/_local/actions/redrive', { body: {} });

    expect(calls[0]?.argv).toEqual(['redrive', '--local', ORIGIN, '--wait', '30']);
    expect(response.json).toMatchObject({ ok: true, summary: expect.stringContaining('Nothing to redrive') });
  });

  it('releases one quarantined delivery by id and says it was kept when it does not verify', async () => {
    const log = {
      release_id: 'release-1',
      items: [{ key: 'quarantine/…', outcome: 'kept', detail: 'does not verify with the current token' }],
    };
    const { request, calls } = inspector({ exitCode: 1, stdout: `${JSON.stringify(log)}\n` });

    const response = await request('POST', '/_local/actions/release', { body: { id: EVENT.eventId } });

    expect(calls[0]?.argv).toEqual([
      'quarantine',
      'release',
      '--id',
      EVENT.eventId,
      '--local',
      ORIGIN,
      '--json',
    ]);
    expect(response.json).toMatchObject({
      action: 'release',
      ok: false,
      exitCode: 1,
      outcome: 'kept',
      summary: 'kept: does not verify with the current token',
    });
  });

  it.each([
    ['resend', { key: '' }, 'resend: key:'],
    ['resend', {}, 'resend: key:'],
    ['replay', { key: EVENT.eventId, reprocess: 'yes' }, 'replay: reprocess:'],
    ['release', { id: EVENT.eventId, acceptUnverified: true }, 'release: body:'],
    ['redrive', '{not json', 'redrive: the body is not valid JSON.'],
  ])('answers 400 for %s with %j, naming the field', async (action, body, message) => {
    const { request, cli } = inspector();

    const response = await request('POST', `/_local/actions/${action}`, { body });

    expect(response).toMatchObject({
      statusCode: 400,
      json: { error: 'INVALID_REQUEST', message: expect.stringContaining(message) },
    });
    expect(cli).not.toHaveBeenCalled();
  });

  it('answers 404 for an action on an event it does not hold', async () => {
    const { request } = inspector();

    const response = await request('POST', '/_local/actions/resend', { body: { key: 'no-such-event' } });

    expect(response).toMatchObject({ statusCode: 404, json: { error: 'UNKNOWN_EVENT' } });
  });

  it('answers 409 for a resend of an event whose body it did not see', async () => {
    const { timeline, request } = inspector();
    timeline.log({ message: LOG_MESSAGES.eventProcessed, eventId: 'replayed-only', replayId: 'replay-1' });

    const response = await request('POST', '/_local/actions/resend', { body: { key: 'replayed-only' } });

    expect(response).toMatchObject({ statusCode: 409, json: { error: 'BODY_NOT_KEPT' } });
  });

  it('answers 413 for an action body larger than a few fields', async () => {
    const { request } = inspector();

    const response = await request('POST', '/_local/actions/resend', { body: { key: 'x'.repeat(20_000) } });

    expect(response).toMatchObject({ statusCode: 413, json: { error: 'REQUEST_TOO_LARGE' } });
  });

  it('answers 502 with the message when the command itself throws', async () => {
    const timeline = new DeliveryTimeline();
    const handle = inspectorRoutes({
      timeline,
      actions: { cli: async () => Promise.reject(new Error('connect ECONNREFUSED')) },
    });

    const response = await handle({
      method: 'POST',
      url: new URL('/_local/actions/redrive', ORIGIN),
      headers: FROM_PAGE,
      body: Buffer.from('{}'),
    });

    expect(response.statusCode).toBe(502);
    expect(JSON.parse(response.body.toString())).toEqual({
      error: 'ACTION_FAILED',
      message: 'connect ECONNREFUSED',
    });
  });
});

describe('local API hands /_local to the inspector', () => {
  let api: LocalApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  async function startApi(local?: Parameters<typeof startLocalApi>[0]['local']) {
    api = await startLocalApi({
      port: 0,
      receiver: async () => ({ statusCode: 200, body: '{}' }),
      context: () => lambdaContext(),
      status: async () => ({ received: 0 }),
      faults: () => ({}),
      onDelivery: () => undefined,
      local,
    });
    return api.url;
  }

  it('serves the inspector at /_local/ and keeps /_local/status its own', async () => {
    const url = await startApi(inspectorRoutes({ timeline: new DeliveryTimeline() }));

    const page = await fetch(`${url}/_local/`);
    const status = await fetch(`${url}/_local/status`);

    expect(page.status).toBe(200);
    expect(await page.text()).toContain('local inspector');
    expect(await status.json()).toEqual({ received: 0 });
  });

  it('hands the inspector the origin it listens on, for the commands it runs', async () => {
    const local = jest.fn(async (_request: LocalRequest) => ({ statusCode: 204, headers: {}, body: '' }));
    const url = await startApi(local);

    await fetch(`${url}/_local/actions/redrive?x=1`, { method: 'POST' });

    expect(local.mock.calls[0]?.[0].url.href).toBe(`${url}/_local/actions/redrive?x=1`);
  });

  it('answers 404 under /_local without an inspector, as before', async () => {
    const url = await startApi();

    expect((await fetch(`${url}/_local/`)).status).toBe(404);
  });
});
