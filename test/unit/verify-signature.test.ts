import { randomBytes } from 'node:crypto';
import { hashChallenge } from 'smartcar';
import {
  computeSignature,
  findHeader,
  parseSignatureHeader,
  secureCompare,
  signatureMatches,
} from '../../lambdas/receiver/verify-signature';

describe('computeSignature', () => {
  it('matches the known-answer vector used by the official SDKs', () => {
    expect(computeSignature('amt', 'challenge')).toBe(
      '9baf5a7464bd86740ad5a06e439dcf535a075022ed2c92d74efacf646d79328e',
    );
  });

  it('signs an empty body with the HMAC-SHA256 of zero bytes', () => {
    expect(computeSignature('amt', '')).toBe(
      '8121f40c2dd80d17701cd496159018a55da5f0656fccfeefcb18206b60b5c019',
    );
  });

  it('signs the UTF-8 bytes of non-ASCII text', () => {
    expect(computeSignature('amt', 'Škoda €')).toBe(computeSignature('amt', Buffer.from('Škoda €', 'utf8')));
  });

  it('agrees with the smartcar SDK hashChallenge on random tokens and challenges', () => {
    for (let i = 0; i < 50; i++) {
      const token = randomBytes(16).toString('hex');
      const challenge = randomBytes(24).toString('base64url');
      expect(computeSignature(token, challenge)).toBe(hashChallenge(token, challenge));
    }
  });
});

describe('findHeader', () => {
  it.each(['SC-Signature', 'sc-signature', 'SC-SIGNATURE', 'Sc-Signature'])(
    'finds %s case-insensitively',
    (name) => {
      expect(findHeader({ [name]: 'value' }, 'sc-signature')).toBe('value');
    },
  );

  it('returns undefined when the header is absent', () => {
    expect(findHeader({ 'content-type': 'application/json' }, 'sc-signature')).toBeUndefined();
  });
});

describe('parseSignatureHeader', () => {
  const valid = 'a'.repeat(64);

  it('decodes 64 hex characters into 32 bytes', () => {
    expect(parseSignatureHeader(valid)).toHaveLength(32);
  });

  it('accepts upper-case hex, which encodes the same digest', () => {
    expect(parseSignatureHeader(valid.toUpperCase())).toEqual(parseSignatureHeader(valid));
  });

  it.each([undefined, '', '   '])('reports %p as missing', (value) => {
    expect(() => parseSignatureHeader(value)).toThrow(expect.objectContaining({ code: 'SIGNATURE_MISSING' }));
  });

  it.each([
    ['too short', 'a'.repeat(63)],
    ['too long', 'a'.repeat(65)],
    ['not hex', 'g'.repeat(64)],
    ['two values joined by a proxy', `${valid},${valid}`],
    ['a scheme prefix', `sha256=${valid}`],
  ])('reports a signature that is %s as malformed', (_label, value) => {
    expect(() => parseSignatureHeader(value)).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_MALFORMED' }),
    );
  });
});

describe('secureCompare', () => {
  it('is false for inputs of different length instead of throwing', () => {
    expect(secureCompare(Buffer.alloc(32), Buffer.alloc(31))).toBe(false);
  });

  it('is true only for identical bytes', () => {
    const a = randomBytes(32);
    expect(secureCompare(a, Buffer.from(a))).toBe(true);
    expect(secureCompare(a, randomBytes(32))).toBe(false);
  });
});

describe('signatureMatches', () => {
  const body = Buffer.from('{"eventId": "1",  "eventType":"VEHICLE_STATE"}');

  it('accepts the signature of the exact bytes', () => {
    expect(signatureMatches('amt', body, parseSignatureHeader(computeSignature('amt', body)))).toBe(true);
  });

  it('rejects the signature of the re-serialized JSON, which has different bytes', () => {
    const reserialized = JSON.stringify(JSON.parse(body.toString()));
    expect(signatureMatches('amt', body, parseSignatureHeader(computeSignature('amt', reserialized)))).toBe(
      false,
    );
  });

  it('rejects a signature made with another token', () => {
    expect(signatureMatches('amt', body, parseSignatureHeader(computeSignature('other', body)))).toBe(false);
  });
});
