import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { isObject, parseJsonObject } from '../../lambdas/runtime/envelope';
import { CURRENT_EVENT_TYPES } from '../../lambdas/sdk/events/event-types';
import type { SampleEventType } from '../kit/deliveries';
import { integerOption, nonBlankOption, noMorePositionals, parseCommandArgs, urlOption } from './args';
import { CLI_DEFAULTS, localWebhookUrl, resolveToken } from './config';
import {
  type Delivery,
  describeBody,
  freshDelivery,
  generatedDelivery,
  judge,
  signatureHeaders,
} from './delivery';
import { EXIT_CODES, UsageError } from './errors';
import { postJson } from './http';
import { type CliIo, writeLine } from './io';
import { type Outcome, printFailures, printOutcome, printSummary } from './send-report';
import { runPool } from './summary';

const COMMAND = 'send';

/** Options `send` accepts. */
export const SEND_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  count: { type: 'string' },
  concurrency: { type: 'string' },
  duplicate: { type: 'boolean' },
  file: { type: 'string' },
  fresh: { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

/** `send`'s arguments, checked. */
export interface SendSettings {
  url: URL;
  token: string;
  /** Set unless `--file` is given. */
  eventType?: SampleEventType;
  file?: string;
  /** Set `--file`'s `meta.deliveredAt` (and `deliveryTime`) to now before each signing. */
  fresh: boolean;
  count: number;
  concurrency: number;
  duplicate: boolean;
  timeoutMs: number;
}

const TYPE_NAMES = Object.values(CURRENT_EVENT_TYPES).join(', ');

/**
 * Checks `send`'s arguments.
 * @throws UsageError (exit 2) saying which argument is wrong
 */
export function parseSendArgs(args: readonly string[], io: CliIo): SendSettings {
  const { values, positionals } = parseCommandArgs(COMMAND, args, SEND_OPTIONS);
  noMorePositionals(COMMAND, positionals, 1);
  const file = nonBlankOption(COMMAND, 'file', values.file);
  const eventType = parseEventType(positionals[0]);
  if (eventType === undefined && file === undefined) {
    throw new UsageError(`"send" needs an event type (${TYPE_NAMES}) or --file <payload.json>.`, COMMAND);
  }
  if (values.fresh && file === undefined) {
    throw new UsageError(
      '--fresh refreshes the delivery time of a --file payload; sample events are fresh already.',
      COMMAND,
    );
  }
  return {
    url: urlOption(COMMAND, 'url', nonBlankOption(COMMAND, 'url', values.url) ?? localWebhookUrl(io.env)),
    token: resolveToken(nonBlankOption(COMMAND, 'token', values.token), io, COMMAND),
    eventType,
    file,
    fresh: values.fresh ?? false,
    count: integerOption(COMMAND, 'count', values.count, CLI_DEFAULTS.count),
    concurrency: integerOption(COMMAND, 'concurrency', values.concurrency, CLI_DEFAULTS.concurrency),
    duplicate: values.duplicate ?? false,
    timeoutMs: integerOption(COMMAND, 'timeout', values.timeout, CLI_DEFAULTS.timeoutMs),
  };
}

function parseEventType(text: string | undefined): SampleEventType | undefined {
  if (text === undefined) return undefined;
  // Case-insensitive, so `send vehicle_state` works too; the wire value stays upper case.
  const type = Object.values(CURRENT_EVENT_TYPES).find((candidate) => candidate === text.toUpperCase());
  if (type === undefined) throw new UsageError(`Unknown event type "${text}": use ${TYPE_NAMES}.`, COMMAND);
  return type;
}

/**
 * A source of bodies: the file's bytes every time (with `--fresh`, re-serialized with this moment's
 * delivery time), or a fresh sample event per call.
 */
function deliverySource(settings: SendSettings): () => Delivery {
  if (settings.file === undefined) return () => generatedDelivery(settings.eventType as SampleEventType);
  let bytes: Buffer;
  try {
    bytes = readFileSync(settings.file);
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'no such file' : String(error);
    throw new UsageError(`--file ${settings.file}: ${reason}.`, COMMAND);
  }
  const fromFile = describeBody(bytes);
  if (settings.eventType !== undefined && fromFile.eventType !== settings.eventType) {
    throw new UsageError(
      `--file ${settings.file} holds eventType ${fromFile.eventType ?? '(none)'}, not ${settings.eventType}; ` +
        'leave the event type out to send the file as it is.',
      COMMAND,
    );
  }
  if (!settings.fresh) return () => fromFile;
  const document = parseJsonObject(bytes.toString('utf8'));
  const meta = document?.meta;
  if (document === undefined || !isObject(meta) || meta.deliveredAt === undefined) {
    throw new UsageError(
      `--fresh: ${settings.file} has no meta.deliveredAt to refresh; without one the receiver checks no ` +
        'replay window, so send it without --fresh.',
      COMMAND,
    );
  }
  return () => freshDelivery(document, Date.now());
}

/**
 * `send`: signed deliveries to a receiver, as Smartcar makes them.
 * @returns 0 when every request got a 2xx (and every VERIFY the right hash), else 1
 */
export async function runSend(args: readonly string[], io: CliIo): Promise<number> {
  const settings = parseSendArgs(args, io);
  const nextDelivery = deliverySource(settings);
  const fetchFn = io.fetch ?? fetch;
  const context = { url: settings.url, timeoutMs: settings.timeoutMs, fresh: settings.fresh };
  const attempts = settings.duplicate ? 2 : 1;
  const total = settings.count * attempts;
  const verbose = total <= 2;
  const outcomes: Outcome[] = [];

  const post = async (delivery: Delivery, label: string): Promise<Outcome> => {
    if (verbose) writeLine(io.stdout, `→ POST ${settings.url.href}: ${label}`);
    const exchange = await postJson({
      url: settings.url.href,
      body: delivery.body,
      headers: signatureHeaders(settings.token, delivery.body),
      timeoutMs: settings.timeoutMs,
      fetch: fetchFn,
    });
    const outcome = { delivery, exchange, verdict: judge(delivery, exchange, settings.token, context) };
    outcomes.push(outcome);
    if (verbose) printOutcome(io, outcome);
    return outcome;
  };

  if (!verbose) {
    writeLine(
      io.stdout,
      `→ POST ${settings.url.href}: ${total} requests (${describeWork(settings)}), at most ${Math.min(settings.concurrency, settings.count)} in flight`,
    );
  }
  const started = performance.now();
  await runPool(settings.count, settings.concurrency, async () => {
    const delivery = nextDelivery();
    const label = `${delivery.eventType ?? 'payload'} eventId ${delivery.eventId ?? '(none)'} (${delivery.body.length} bytes)`;
    await post(delivery, settings.duplicate ? `${label}, 1st delivery` : label);
    // The duplicate goes after the first has its answer: a retry, not a race.
    if (settings.duplicate) await post(delivery, `${label}, 2nd delivery: same eventId, same bytes`);
  });
  const seconds = (performance.now() - started) / 1000;

  const failed = outcomes.filter((outcome) => !outcome.verdict.ok);
  if (!verbose) printFailures(io, failed);
  printSummary(io, outcomes, failed.length, verbose ? undefined : seconds);
  return failed.length === 0 ? EXIT_CODES.ok : EXIT_CODES.failed;
}

function describeWork(settings: SendSettings): string {
  const what = settings.file ?? settings.eventType ?? 'payload';
  return settings.duplicate ? `${settings.count} × ${what}, each sent twice` : `${settings.count} × ${what}`;
}
