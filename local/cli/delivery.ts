import { isObject, type JsonObject, parseJsonObject } from '../../lambdas/runtime/envelope';
import { EPOCH_SECONDS_BELOW } from '../../lambdas/sdk/events/delivered-at';
import { signDelivery } from '../../lambdas/sdk';
import { sampleEvent, type SampleEventType } from '../kit/deliveries';
import { explainFailure, type DiagnosisContext, readErrorBody, statusLabel } from './diagnose';
import { type Exchange, preview } from './http';

/** One request body, serialized once: the bytes signed are the bytes sent. */
export interface Delivery {
  body: Buffer;
  /** `eventType` of the body when it is a current envelope. */
  eventType?: string;
  eventId?: string;
  /** Set for VERIFY: the answer must be HMAC(token, challenge). */
  challenge?: string;
}

/** What one exchange means for the user. */
export interface Verdict {
  ok: boolean;
  line: string;
  /** The likely cause and fix, for failures. */
  advice?: string;
}

/** A fresh sample event of `type`, serialized. */
export function generatedDelivery(type: SampleEventType): Delivery {
  return describeBody(Buffer.from(JSON.stringify(sampleEvent(type)), 'utf8'));
}

/** Reads what the verdict needs from a body; any bytes are accepted, JSON or not. */
export function describeBody(body: Buffer): Delivery {
  const document = parseJsonObject(body.toString('utf8'));
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const eventType = text(document?.eventType) ?? text(document?.eventName);
  const data = (document?.data ?? document?.payload) as Record<string, unknown> | undefined;
  const isVerify = eventType === 'VERIFY' || eventType === 'verify';
  return {
    body,
    eventType,
    eventId:
      text(document?.eventId) ?? text((document?.payload as Record<string, unknown> | undefined)?.eventId),
    challenge: isVerify ? text(data?.challenge) : undefined,
  };
}

/** The `meta` fields that say when Smartcar sent an attempt: `deliveryTime` appears in Dashboard test deliveries. */
const DELIVERY_TIME_FIELDS = ['deliveredAt', 'deliveryTime'] as const;

/**
 * A captured delivery as Smartcar would send it now: `meta.deliveredAt` (and `meta.deliveryTime`
 * when present) set to `nowMs`, each in the form it had (epoch milliseconds, epoch seconds or an
 * ISO string), so the receiver's replay window accepts it. The body is serialized anew: it is no
 * longer byte-identical to the capture (whitespace and number forms may differ, too).
 * @param document the parsed capture; not changed
 */
export function freshDelivery(document: JsonObject, nowMs: number): Delivery {
  const meta = isObject(document.meta) ? { ...document.meta } : {};
  for (const field of DELIVERY_TIME_FIELDS) {
    if (meta[field] !== undefined) meta[field] = sameForm(meta[field], nowMs);
  }
  return describeBody(Buffer.from(JSON.stringify({ ...document, meta }), 'utf8'));
}

function sameForm(previous: unknown, nowMs: number): number | string {
  if (typeof previous === 'string') return new Date(nowMs).toISOString();
  if (typeof previous === 'number' && previous < EPOCH_SECONDS_BELOW) return Math.floor(nowMs / 1000);
  return nowMs;
}

/** The SC-Signature header Smartcar would send with these exact bytes. */
export function signatureHeaders(token: string, body: Uint8Array): Record<string, string> {
  return { 'sc-signature': signDelivery(body, token) };
}

/** Whether Smartcar would count the exchange as delivered, and for VERIFY whether the hash is right. */
export function judge(
  delivery: Delivery,
  exchange: Exchange,
  token: string,
  context: DiagnosisContext,
): Verdict {
  const advice = explainFailure(exchange, context);
  if (exchange.kind === 'no-answer') return { ok: false, line: `✘ no answer: ${advice}` };
  if (advice !== undefined) {
    const { message } = readErrorBody(exchange.body);
    const said = message ?? preview(exchange.body, 200);
    return { ok: false, line: `✘ rejected (${statusLabel(exchange)}): ${said}`, advice };
  }
  if (delivery.challenge !== undefined)
    return judgeVerify(delivery.challenge, exchange.status, exchange.body, token);
  return { ok: true, line: `✔ accepted (${exchange.status}) eventId ${delivery.eventId ?? '(none)'}` };
}

function judgeVerify(challenge: string, status: number, body: string, token: string): Verdict {
  if (status !== 200) {
    return { ok: false, line: `✘ VERIFY answered ${status}; Smartcar requires 200 with {"challenge": …}` };
  }
  const answered = readChallengeAnswer(body);
  if (answered === undefined) {
    return { ok: false, line: `✘ VERIFY answered 200 without a "challenge" string: ${preview(body, 200)}` };
  }
  if (answered !== signDelivery(challenge, token)) {
    return {
      ok: false,
      line: '✘ VERIFY answered 200 with the wrong hash',
      advice: "the receiver's token differs from --token.",
    };
  }
  return { ok: true, line: '✔ VERIFY answered (200) with HMAC-SHA256(token, challenge)' };
}

/** `challenge` of a VERIFY answer, or undefined when the body is not JSON or lacks it. */
export function readChallengeAnswer(body: string): string | undefined {
  const value = parseJsonObject(body)?.challenge;
  return typeof value === 'string' ? value : undefined;
}
