import fc from 'fast-check';
import { parseJsonObject, summarizeEvent } from '../../lambdas/runtime/envelope';
import { isVerifyEnvelope, readChallenge } from '../../lambdas/receiver/challenge';
import { InvalidChallengeError } from '../../lambdas/receiver/errors';

const RUNS = { numRuns: 300, seed: 20_260_601 };
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+/=';
const MAX_CHALLENGE = 512;

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

function attempt<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

const anyFieldValue = fc.oneof(
  fc.string(),
  fc.constant(''),
  fc.constantFrom('VERIFY', 'VEHICLE_STATE', 'VEHICLE_ERROR', 'verify', 'eventBased'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);

/** Objects that look more or less like an envelope, with any type in every field the receiver reads. */
const envelopeLike = fc.record(
  {
    eventId: anyFieldValue,
    eventType: anyFieldValue,
    eventName: anyFieldValue,
    vehicleId: anyFieldValue,
    data: fc.oneof(
      anyFieldValue,
      fc.record({ vehicle: fc.record({ id: anyFieldValue }), challenge: anyFieldValue }),
    ),
    meta: fc.oneof(anyFieldValue, fc.record({ deliveryId: anyFieldValue, deliveredAt: anyFieldValue })),
    payload: fc.oneof(anyFieldValue, fc.record({ eventId: anyFieldValue, challenge: anyFieldValue })),
  },
  { requiredKeys: [] },
);

const alphabetChar = fc.constantFrom(...ALPHABET);
const outsideChar = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 1 })
  .filter((c) => !ALPHABET.includes(c));
const accepted = fc.string({ unit: alphabetChar, minLength: 1, maxLength: MAX_CHALLENGE });

function verify(challenge: string, legacy: boolean) {
  return legacy
    ? { version: '2.0', eventName: 'verify', payload: { challenge } }
    : { eventId: 'e', eventType: 'VERIFY', data: { challenge } };
}

describe('envelope parser (property)', () => {
  it('parses any JSON text to an object exactly when it is one, never throwing', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = parseJsonObject(JSON.stringify(value));
        const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);

        expect(parsed === undefined).toBe(!isObject);
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (text) => {
        expect(() => parseJsonObject(text)).not.toThrow();
      }),
      RUNS,
    );
  });

  it('summarizes any JSON object without throwing, keyed by a non-empty string', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const text = JSON.stringify(value);
        const document = parseJsonObject(text);
        const summary = document === undefined ? undefined : summarizeEvent(document, Buffer.from(text));

        expect(document).toBeDefined();
        expect(summary?.eventKey).toMatch(/\S/);
      }),
      RUNS,
    );
  });

  it('keys an envelope with any field types by its eventId when that is a non-empty string, else by a body hash', () => {
    fc.assert(
      fc.property(envelopeLike, (envelope) => {
        const text = JSON.stringify(envelope);
        const summary = summarizeEvent(parseJsonObject(text) ?? {}, Buffer.from(text));
        const eventId = (envelope as Record<string, unknown>).eventId;
        const legacyId = (
          (envelope as Record<string, unknown>).payload as Record<string, unknown> | undefined
        )?.eventId;
        const named = [eventId, legacyId].filter((id) => typeof id === 'string' && id.length > 0);

        expect(named.includes(summary.eventKey) || /^sha256:[0-9a-f]{64}$/.test(summary.eventKey)).toBe(true);
        expect(summary.eventType === undefined || summary.eventType.length > 0).toBe(true);
      }),
      RUNS,
    );
  });

  it('reads the challenge of any VERIFY-looking envelope or refuses it with InvalidChallengeError only', () => {
    fc.assert(
      fc.property(envelopeLike, (envelope) => {
        const document = parseJsonObject(JSON.stringify(envelope));
        const isVerify = document !== undefined && isVerifyEnvelope(document);
        const outcome = attempt(() => (document !== undefined && isVerify ? readChallenge(document) : ''));

        expect(outcome.ok || outcome.error instanceof InvalidChallengeError).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('challenge alphabet (property)', () => {
  it('accepts every string of 1 to 512 characters from A-Z a-z 0-9 - _ . ~ + / =', () => {
    fc.assert(
      fc.property(accepted, fc.boolean(), (challenge, legacy) => {
        expect(readChallenge(verify(challenge, legacy))).toBe(challenge);
      }),
      RUNS,
    );
  });

  it('refuses every string holding one character outside the alphabet', () => {
    const withOutsider = fc
      .tuple(
        fc.string({ unit: alphabetChar, maxLength: 40 }),
        outsideChar,
        fc.string({ unit: alphabetChar, maxLength: 40 }),
      )
      .map(([before, outsider, after]) => before + outsider + after);
    fc.assert(
      fc.property(withOutsider, fc.boolean(), (challenge, legacy) => {
        expect(() => readChallenge(verify(challenge, legacy))).toThrow(InvalidChallengeError);
      }),
      RUNS,
    );
  });

  it('refuses every string from the alphabet longer than 512 characters', () => {
    const tooLong = fc.string({
      unit: alphabetChar,
      minLength: MAX_CHALLENGE + 1,
      maxLength: MAX_CHALLENGE + 600,
    });
    fc.assert(
      fc.property(tooLong, fc.boolean(), (challenge, legacy) => {
        expect(() => readChallenge(verify(challenge, legacy))).toThrow(InvalidChallengeError);
      }),
      { ...RUNS, numRuns: 100 },
    );
  });

  it('never accepts a challenge that parses as a JSON object', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const challenge = JSON.stringify(value);
        const outcome = attempt(() => readChallenge(verify(challenge, false)));
        const safe = outcome.ok
          ? parseJsonObject(challenge) === undefined
          : outcome.error instanceof InvalidChallengeError;

        expect(safe).toBe(true);
      }),
      RUNS,
    );
  });
});
