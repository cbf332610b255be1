import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventSummary } from '../../lambdas/runtime/envelope';
import { logger } from '../../lambdas/runtime/logger';
import { receiveWebhook } from '../../lambdas/receiver/webhook-receiver';
import { ROUTES } from '../../lambdas/contract';
import type { CliIo } from '../../local/cli/io';
import { main } from '../../local/cli/main';
import { fixedTokens, receiverHarness } from '../../local/kit';
import { recordingMetrics } from '../support/metrics';

const TOKEN = 'cli-integration-token';
const captured: { body: string; event: EventSummary }[] = [];

const { dependencies: deps } = receiverHarness({
  metrics: recordingMetrics(),
  replace: {
    tokens: fixedTokens(TOKEN),
    enqueue: async ({ body }, event) => {
      captured.push({ body, event });
    },
  },
});

/** The real receiver on loopback, plus routes that misbehave the ways a deployment can. */
async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (req.url === '/redirect') {
    res.writeHead(301, { location: `${ROUTES.webhookPath}/` }).end();
  } else if (req.url === '/hang') {
    return; // never answers
  } else if (req.url !== ROUTES.webhookPath) {
    // What an API Gateway HTTP API answers for a route it does not have.
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
  } else {
    const response = await receiveWebhook(
      {
        method: req.method ?? 'GET',
        headers: req.headers as Record<string, string | undefined>,
        body: Buffer.concat(chunks).toString('utf8'),
        isBase64Encoded: false,
      },
      deps,
    );
    res.writeHead(response.statusCode, response.headers).end(response.body);
  }
}

let server: Server;
let origin: string;
let webhookUrl: string;
const scratch = mkdtempSync(join(tmpdir(), 'cli-integration-'));

beforeAll(async () => {
  // The receiver's 401 warnings are expected here; they would only clutter the report.
  logger.setLogLevel('SILENT');
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  webhookUrl = `${origin}${ROUTES.webhookPath}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  captured.length = 0;
});

/** Runs the CLI with captured output against the test server's port. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => out.push(text) },
    env: { SMARTCAR_MANAGEMENT_TOKEN: TOKEN, PORT: new URL(origin).port },
    dotEnvFile: join(scratch, 'absent.env'),
  };
  const code = await main(argv, io);
  return { code, output: out.join('') };
}

describe('cli send against the real receiver', () => {
  it('delivers a VEHICLE_STATE the receiver enqueues byte for byte', async () => {
    const { code, output } = await cli('send', 'VEHICLE_STATE');

    expect(code).toBe(0);
    expect(captured).toHaveLength(1);
    const [delivery] = captured;
    const eventId = String(JSON.parse(delivery?.body ?? '{}').eventId);
    expect(delivery?.event).toMatchObject({ eventKey: eventId, eventType: 'VEHICLE_STATE' });
    expect(output).toContain(`✔ accepted (200) eventId ${eventId}`);
    // The bytes announced before sending are the bytes enqueued.
    expect(output).toContain(`(${Buffer.byteLength(delivery?.body ?? '')} bytes)`);
  });

  it('delivers 20 events with 5 in flight and summarizes them', async () => {
    const { code, output } = await cli('send', 'VEHICLE_ERROR', '--count', '20', '--concurrency', '5');

    expect(code).toBe(0);
    expect(captured).toHaveLength(20);
    expect(new Set(captured.map(({ event }) => event.eventKey)).size).toBe(20);
    expect(output).toContain('200 × 20');
    expect(output).toContain('✔ all 20 accepted');
  });

  it('sends the same event twice with --duplicate, both accepted', async () => {
    const { code, output } = await cli('send', 'VEHICLE_STATE', '--duplicate');

    expect(code).toBe(0);
    expect(captured).toHaveLength(2);
    expect(captured[1]?.event.eventKey).toBe(captured[0]?.event.eventKey);
    expect(captured[1]?.body).toBe(captured[0]?.body);
    expect(output).toContain('accepted: the processor should handle it once and count one duplicate.');
  });

  it('sends a file’s exact bytes with --file', async () => {
    // Spacing, key order and escapes a re-serialization would change.
    const text =
      '{ "eventType" : "VEHICLE_STATE",\n  "eventId": "file-event-1", "data": {"note": "\\u00e9t\u00e9"},\n  "meta": {} }\n';
    const file = join(scratch, 'payload.json');
    writeFileSync(file, text);

    const { code } = await cli('send', '--file', file);

    expect(code).toBe(0);
    expect(captured.map(({ body }) => body)).toEqual([text]);
  });

  it('exits 1 with a 401 verdict when signed with another token', async () => {
    const { code, output } = await cli('send', 'VEHICLE_STATE', '--token', 'not-the-receivers-token');

    expect(code).toBe(1);
    expect(captured).toHaveLength(0);
    expect(output).toContain('✘ rejected (401 SIGNATURE_MISMATCH)');
  });
});

describe('cli verify against the real receiver', () => {
  it('says Smartcar would accept the endpoint with the same token', async () => {
    const { code, output } = await cli('verify', '--url', webhookUrl, '--token', TOKEN);

    expect(code).toBe(0);
    expect(output).toContain('✔ refused with 401');
    expect(output).toContain('Smartcar would accept this endpoint.');
    expect(captured).toHaveLength(0);
  });

  it('says the token differs when the receiver has another one', async () => {
    const { code, output } = await cli('verify', '--url', webhookUrl, '--token', 'dashboard-token');

    expect(code).toBe(1);
    expect(output).toContain("the receiver's token differs from the one you passed");
  });

  it('says the path is wrong when the server answers 404', async () => {
    const { code, output } = await cli(
      'verify',
      '--url',
      `${origin}/webhooks/smartcar-typo`,
      '--token',
      TOKEN,
    );

    expect(code).toBe(1);
    expect(output).toContain('wrong path: /webhooks/smartcar-typo is not routed (404 ("Not Found"');
  });

  it('says timeout when the server never answers within --timeout', async () => {
    const { code, output } = await cli(
      'verify',
      '--url',
      `${origin}/hang`,
      '--token',
      TOKEN,
      '--timeout',
      '300',
    );

    expect(code).toBe(1);
    expect(output).toContain('timeout: no answer within 300 ms');
  });

  it('says redirects fail when the server answers 301', async () => {
    const { code, output } = await cli('verify', '--url', `${origin}/redirect`, '--token', TOKEN);

    expect(code).toBe(1);
    expect(output).toContain('the endpoint redirects (301 to /webhooks/smartcar/)');
    expect(output).toContain('Smartcar treats redirects as failed deliveries');
  });
});
