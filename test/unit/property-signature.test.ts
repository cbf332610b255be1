import fc from 'fast-check';
import { SignatureMalformedError, SignatureMissingError } from '../../lambdas/receiver/errors';
import { parseSignatureHeader, signatureMatches } from '../../lambdas/receiver/verify-signature';
import { sign } from '../support/builders';

const RUNS = { numRuns: 300, seed: 20_260_601 };
const HEX_DIGITS = '0123456789abcdef';

const token = fc.string({ minLength: 1, maxLength: 64 });
const body = fc.uint8Array({ maxLength: 2048 });

describe('signature check (property)', () => {
  it('accepts the HMAC of any body under any token', () => {
    fc.assert(
      fc.property(token, body, (key, bytes) => {
        expect(signatureMatches(key, bytes, parseSignatureHeader(sign(bytes, key)))).toBe(true);
      }),
      RUNS,
    );
  });

  it('refuses the signature once any one hex digit changes value', () => {
    fc.assert(
      fc.property(token, body, fc.nat(63), fc.integer({ min: 1, max: 15 }), (key, bytes, at, delta) => {
        const hex = sign(bytes, key);
        const digit = HEX_DIGITS[(HEX_DIGITS.indexOf(hex.charAt(at)) + delta) % 16] ?? '';
        const mutated = hex.slice(0, at) + digit + hex.slice(at + 1);

        expect(signatureMatches(key, bytes, parseSignatureHeader(mutated))).toBe(false);
      }),
      RUNS,
    );
  });

  it('refuses the signature once any one byte of the body changes', () => {
    fc.assert(
      fc.property(
        token,
        body.filter((bytes) => bytes.length > 0),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (key, bytes, index, delta) => {
          const signature = parseSignatureHeader(sign(bytes, key));
          const mutated = Uint8Array.from(bytes);
          const at = index % mutated.length;
          mutated[at] = ((mutated[at] ?? 0) + delta) % 256;

          expect(signatureMatches(key, mutated, signature)).toBe(false);
        },
      ),
      RUNS,
    );
  });

  it('refuses a signature made with any other token', () => {
    fc.assert(
      fc.property(token, token, body, (key, other, bytes) => {
        fc.pre(key !== other);
        expect(signatureMatches(key, bytes, parseSignatureHeader(sign(bytes, other)))).toBe(false);
      }),
      RUNS,
    );
  });

  it('parses any header value into 32 bytes or throws only a signature error', () => {
    const header = fc.option(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.stringMatching(/^\s*[0-9a-fA-F]{60,68}\s*$/),
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(header, (value) => {
        let outcome: string;
        try {
          outcome = `${parseSignatureHeader(value).length} bytes`;
        } catch (error) {
          const expected = error instanceof SignatureMissingError || error instanceof SignatureMalformedError;
          outcome = expected ? 'refused' : `unexpected ${String(error)}`;
        }

        expect(outcome).toBe(/^[0-9a-fA-F]{64}$/.test(value?.trim() ?? '') ? '32 bytes' : 'refused');
      }),
      RUNS,
    );
  });
});
