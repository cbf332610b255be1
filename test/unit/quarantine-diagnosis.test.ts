import type { QuarantineRecord } from '../../lambdas/contract/quarantine';
import { computeSignature } from '../../lambdas/receiver/verify-signature';
import type { BodyFormName } from '../../local/quarantine/body-forms';
import {
  type CandidateToken,
  type Diagnosis,
  diagnoseAll,
  diagnoseRecord,
} from '../../local/quarantine/diagnosis';
import { summarizeQuarantine } from '../../local/quarantine/quarantine-summary';

const CURRENT = 'amt-current-7f3a9c1e';
const PREVIOUS = 'amt-previous-1b2c3d4e';
const GIVEN = 'amt-given-9e8d7c6b';
const UNKNOWN = 'amt-unknown-00000000';
const CURRENT_CREATED = new Date('2026-11-30T14:02:00Z');
const STORED: CandidateToken[] = [
  { label: 'current', token: CURRENT, createdAt: CURRENT_CREATED },
  { label: 'previous', token: PREVIOUS },
];
const WITH_GIVEN: CandidateToken[] = [...STORED, { label: 'given', token: GIVEN }];

/** A Smartcar-shaped body, not canonical JSON (spaces, a \u escape), with a VIN to check for leaks. */
const VIN = '1HGCM82633A004352';
const BODY = `{"eventId": "e-1", "eventType": "VEHICLE_STATE", "data": {"vin": "${VIN}", "note": "caf\\u00e9"}, "meta": {"version": "4.0", "deliveryId": "d-1"}}`;
const CANONICAL = JSON.stringify(JSON.parse(BODY));
const NON_ASCII = '{"eventId": "e-2", "data": {"name": "Café Müller"}}';
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const bytes = (body: string | Buffer): Buffer => (Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));

/** A quarantined delivery of `body` with `signature` as its SC-Signature (none when undefined). */
function quarantineRecord(
  body: string | Buffer,
  signature: string | undefined,
  overrides: Partial<QuarantineRecord> = {},
): QuarantineRecord {
  const raw = bytes(body);
  return {
    quarantined_at: '2026-12-01T21:30:15.123Z',
    reason: 'SIGNATURE_MISMATCH',
    message: 'SC-Signature does not match the request body.',
    status_code: 401,
    signed: false,
    headers: {
      'user-agent': 'Smartcar/webhooks',
      'content-type': 'application/json',
      ...(signature === undefined ? {} : { 'sc-signature': signature }),
    },
    body_base64: raw.toString('base64'),
    body_bytes: raw.length,
    is_base64_encoded: false,
    ...overrides,
  };
}

/** `stored` as it arrived, with the signature `token` made over `signedBytes`. */
function signedRecord(
  stored: string | Buffer,
  signedBytes: string | Buffer,
  token: string,
  overrides: Partial<QuarantineRecord> = {},
): QuarantineRecord {
  return quarantineRecord(stored, computeSignature(token, bytes(signedBytes)), overrides);
}

const texts = (diagnosis: Diagnosis): string[] => [
  diagnosis.summary,
  diagnosis.explanation,
  diagnosis.remedy,
];

describe('diagnoseRecord', () => {
  it('says a delivery verifies now with the current token and can be released', () => {
    const diagnosis = diagnoseRecord(signedRecord(BODY, BODY, CURRENT), STORED);

    expect(diagnosis).toMatchObject({ verdict: 'verifies', token: 'current', form: 'raw', releasable: true });
    expect(diagnosis.explanation).toContain('the token was fixed after this arrived');
    expect(diagnosis.remedy).toContain('npm run cli -- quarantine release');
  });

  it('names the previous token and when the stored one changed', () => {
    const diagnosis = diagnoseRecord(signedRecord(BODY, BODY, PREVIOUS), STORED);

    expect(diagnosis).toMatchObject({
      verdict: 'previous-token',
      token: 'previous',
      form: 'raw',
      releasable: true,
    });
    expect(diagnosis.explanation).toContain('the stored token changed on 2026-11-30');
    expect(diagnosis.remedy).toContain('Put the previous value back, or regenerate it in the Dashboard');
  });

  it('leaves the date out when the current token has no createdAt', () => {
    const tokens: CandidateToken[] = [
      { label: 'current', token: CURRENT },
      { label: 'previous', token: PREVIOUS },
    ];

    const diagnosis = diagnoseRecord(signedRecord(BODY, BODY, PREVIOUS), tokens);

    expect(diagnosis.explanation).toContain(
      'the stored token changed but Smartcar still signs with the old one',
    );
  });

  it('says to store the given token, with the store command passed in', () => {
    const diagnosis = diagnoseRecord(signedRecord(BODY, BODY, GIVEN), WITH_GIVEN, {
      storeTokenHint: 'npm run cli -- token set',
    });

    expect(diagnosis).toMatchObject({
      verdict: 'given-token',
      token: 'given',
      form: 'raw',
      releasable: false,
    });
    expect(diagnosis.remedy).toContain(
      'Store it as the Application Management Token: npm run cli -- token set.',
    );
  });

  it('names the TokenSecretName output when no store command is passed', () => {
    const diagnosis = diagnoseRecord(signedRecord(BODY, BODY, GIVEN), WITH_GIVEN);

    expect(diagnosis.remedy).toContain('TokenSecretName');
  });

  it('says nothing matches when an unknown token signed it', () => {
    const diagnosis = diagnoseRecord(signedRecord(BODY, BODY, UNKNOWN), STORED);

    expect(diagnosis).toMatchObject({ verdict: 'no-match', releasable: false });
    expect(diagnosis.token).toBeUndefined();
    expect(diagnosis.explanation).toContain('none of the 2 tokens tried is the Application Management Token');
    expect(diagnosis.remedy).toContain('not the client id/secret or the webhook id');
    expect(diagnosis.explanation).not.toContain('v3 API');
  });

  it('adds the v3 field report when nothing matches a "4.0" envelope', () => {
    const record = signedRecord(BODY, BODY, UNKNOWN, { envelope_version: '4.0' });

    const diagnosis = diagnoseRecord(record, STORED);

    expect(diagnosis.verdict).toBe('no-match');
    expect(diagnosis.explanation).toContain("after a migration to Smartcar's v3 API");
    expect(diagnosis.explanation).toContain('recreating the Smartcar application did');
  });

  it('says the signing token is gone when a record that verified on arrival matches nothing now', () => {
    const record = signedRecord(BODY, BODY, UNKNOWN, { reason: 'OUTSIDE_REPLAY_WINDOW', signed: true });

    const diagnosis = diagnoseRecord(record, [{ label: 'current', token: CURRENT }]);

    expect(diagnosis.verdict).toBe('no-match');
    expect(diagnosis.explanation).toContain('this token is not the Application Management Token');
    expect(diagnosis.explanation).toContain('the token that signed it is no longer stored');
  });

  it('says so when there is no token to try', () => {
    expect(diagnoseRecord(signedRecord(BODY, BODY, CURRENT), []).summary).toBe('no token to try');
  });

  it.each([
    ['OUTSIDE_REPLAY_WINDOW', 'refused for its age', "Check the receiver's clock against meta.deliveredAt"],
    ['PAYLOAD_TOO_LARGE', 'refused for its size', 'maxBodyBytes'],
  ] as const)('calls a signed %s refusal genuine', (reason, summary, remedy) => {
    const record = signedRecord(BODY, BODY, CURRENT, { reason, signed: true, status_code: 400 });

    const diagnosis = diagnoseRecord(record, STORED);

    expect(diagnosis).toMatchObject({
      verdict: 'genuine-refused',
      token: 'current',
      form: 'raw',
      releasable: true,
    });
    expect(diagnosis.summary).toBe(`genuine (signed with the current token), ${summary}`);
    expect(diagnosis.remedy).toContain(remedy);
  });

  it('reports the raw form when another form gives the same bytes', () => {
    const diagnosis = diagnoseRecord(signedRecord(CANONICAL, CANONICAL, CURRENT), STORED);

    expect(diagnosis.form).toBe('raw');
  });

  it('reports the current token when the given one is the same value', () => {
    const tokens: CandidateToken[] = [{ label: 'given', token: CURRENT }, ...STORED];

    expect(diagnoseRecord(signedRecord(BODY, BODY, CURRENT), tokens).token).toBe('current');
  });

  it('reports a trailing newline on canonical JSON as trimmed, the smaller change', () => {
    const diagnosis = diagnoseRecord(signedRecord(`${CANONICAL}\n`, CANONICAL, CURRENT), STORED);

    expect(diagnosis.form).toBe('trimmed');
  });
});

describe('diagnoseRecord on altered bodies', () => {
  const mojibake = (body: string): Buffer =>
    Buffer.from(Buffer.from(body, 'utf8').toString('latin1'), 'utf8');
  const cases: [BodyFormName, string | Buffer, string | Buffer, string][] = [
    ['reserialized', BODY, CANONICAL, 'rewrites JSON'],
    ['pretty', CANONICAL, JSON.stringify(JSON.parse(BODY), null, 2), 're-formats JSON'],
    ['trimmed', `${BODY}\n`, BODY, 'whitespace'],
    ['without-bom', Buffer.concat([BOM, bytes(BODY)]), BODY, 'adds a byte-order mark'],
    ['with-bom', BODY, Buffer.concat([BOM, bytes(BODY)]), 'removes a byte-order mark'],
    ['crlf', '{\n  "eventId": "e-3"\n}', '{\r\n  "eventId": "e-3"\r\n}', 'line endings'],
    ['lf', '{\r\n  "eventId": "e-3"\r\n}', '{\n  "eventId": "e-3"\n}', 'line endings'],
    ['latin1-reencoded', NON_ASCII, mojibake(NON_ASCII), 're-encodes the body'],
    ['utf8-from-latin1', NON_ASCII, Buffer.from(NON_ASCII, 'latin1'), 're-encodes the body'],
    ['escaped-unicode', NON_ASCII, NON_ASCII.replace('é', '\\u00e9').replace('ü', '\\u00fc'), '\\uXXXX'],
    ['base64-text', BODY, bytes(BODY).toString('base64'), 'base64-encoded and nothing decodes it'],
  ];

  it.each(cases)('detects the %s form', (form, stored, signed, cause) => {
    const diagnosis = diagnoseRecord(signedRecord(stored, signed, CURRENT), STORED);

    expect(diagnosis).toMatchObject({ verdict: 'altered-body', token: 'current', form, releasable: false });
    expect(diagnosis.explanation).toContain('something between Smartcar and the receiver');
    expect(diagnosis.explanation).toContain(cause);
    expect(diagnosis.remedy).toContain('Deliver the raw bytes');
  });

  it('names the token that signed the altered form', () => {
    const diagnosis = diagnoseRecord(signedRecord(BODY, CANONICAL, PREVIOUS), STORED);

    expect(diagnosis).toMatchObject({ verdict: 'altered-body', token: 'previous', form: 'reserialized' });
    expect(diagnosis.summary).toContain('signed with the previous token (AWSPREVIOUS)');
  });
});

describe('diagnoseRecord on the SC-Signature header', () => {
  it('says a missing header means nothing signed it', () => {
    const diagnosis = diagnoseRecord(
      quarantineRecord(BODY, undefined, { reason: 'SIGNATURE_MISSING' }),
      STORED,
    );

    expect(diagnosis).toMatchObject({ verdict: 'no-signature', releasable: false });
    expect(diagnosis.explanation).toContain('whatever sent this is not signing');
  });

  it.each([
    ['short', 'abc123', '6 characters long, not 64'],
    ['not hex', 'z'.repeat(64), 'has characters that are not hex digits ("z")'],
    [
      'prefixed',
      `sha256=${computeSignature(CURRENT, BODY)}`,
      '71 characters long, not 64 and has characters',
    ],
  ])('describes a %s header', (_name, header, problem) => {
    const diagnosis = diagnoseRecord(
      quarantineRecord(BODY, header, { reason: 'SIGNATURE_MALFORMED' }),
      STORED,
    );

    expect(diagnosis).toMatchObject({ verdict: 'malformed-signature', releasable: false });
    expect(diagnosis.summary).toContain(problem);
    expect(diagnosis.explanation).toContain(`starts with "${header.slice(0, 8)}"`);
  });

  it('accepts upper-case hex and says so', () => {
    const record = quarantineRecord(BODY, computeSignature(CURRENT, BODY).toUpperCase());

    const diagnosis = diagnoseRecord(record, STORED);

    expect(diagnosis).toMatchObject({ verdict: 'verifies', token: 'current', form: 'raw' });
    expect(diagnosis.explanation).toMatch(/^upper-case hex: /);
  });
});

describe('diagnoseRecord output', () => {
  const signature = computeSignature(GIVEN, BODY);
  const records: [string, QuarantineRecord][] = [
    ['given token', quarantineRecord(BODY, signature)],
    ['altered body', signedRecord(BODY, CANONICAL, GIVEN)],
    ['no match', signedRecord(BODY, BODY, UNKNOWN, { envelope_version: '4.0' })],
    ['previous token', signedRecord(BODY, BODY, PREVIOUS)],
    ['genuine', signedRecord(BODY, BODY, GIVEN, { reason: 'OUTSIDE_REPLAY_WINDOW', signed: true })],
    ['upper-case', quarantineRecord(BODY, signature.toUpperCase())],
    ['malformed', quarantineRecord(BODY, `${signature},${signature}`)],
  ];

  it.each(records)('never contains a token, the signature or the body (%s)', (_name, record) => {
    const output = texts(diagnoseRecord(record, WITH_GIVEN)).join('\n');

    for (const secret of [CURRENT, PREVIOUS, GIVEN, UNKNOWN, signature, signature.toUpperCase(), VIN]) {
      expect(output).not.toContain(secret);
    }
    expect(output).not.toContain(record.body_base64);
  });

  it('keeps the summary to one line', () => {
    for (const [, record] of records) expect(diagnoseRecord(record, WITH_GIVEN).summary).not.toContain('\n');
  });
});

describe('summarizeQuarantine', () => {
  const records = [
    quarantineRecord(BODY, undefined, {
      reason: 'SIGNATURE_MISSING',
      quarantined_at: '2026-12-02T08:00:00.000Z',
    }),
    quarantineRecord(BODY, 'x', { quarantined_at: '2026-11-30T10:00:00.000Z', envelope_version: '4.0' }),
    quarantineRecord(BODY, 'x', {
      quarantined_at: '2026-12-01T09:00:00.000Z',
      envelope_version: '4.0',
      headers: { 'user-agent': 'curl/8.5.0' },
    }),
    quarantineRecord(BODY, 'x', {
      reason: 'OUTSIDE_REPLAY_WINDOW',
      signed: true,
      quarantined_at: '2026-12-01T12:00:00.000Z',
    }),
  ];

  it('counts by reason, every reason included', () => {
    expect(summarizeQuarantine(records).byReason).toEqual({
      SIGNATURE_MISSING: 1,
      SIGNATURE_MALFORMED: 0,
      SIGNATURE_MISMATCH: 2,
      OUTSIDE_REPLAY_WINDOW: 1,
      PAYLOAD_TOO_LARGE: 0,
    });
  });

  it('gives the total, the first and last arrival and how many were signed', () => {
    expect(summarizeQuarantine(records)).toMatchObject({
      total: 4,
      first: '2026-11-30T10:00:00.000Z',
      last: '2026-12-02T08:00:00.000Z',
      signed: 1,
    });
  });

  it('counts user agents and envelope versions, most frequent first', () => {
    const summary = summarizeQuarantine(records);

    expect(summary.userAgents).toEqual([
      { value: 'Smartcar/webhooks', count: 3 },
      { value: 'curl/8.5.0', count: 1 },
    ]);
    expect(summary.envelopeVersions).toEqual([
      { value: '4.0', count: 2 },
      { value: undefined, count: 2 },
    ]);
  });

  it('has no first or last when the quarantine is empty', () => {
    expect(summarizeQuarantine([])).toMatchObject({
      total: 0,
      first: undefined,
      last: undefined,
      userAgents: [],
    });
  });
});

describe('diagnoseAll', () => {
  const byPrevious = [1, 2, 3].map((n) => signedRecord(BODY, BODY, PREVIOUS, { delivery_id: `d-prev-${n}` }));
  const records = [
    signedRecord(BODY, BODY, CURRENT, { delivery_id: 'd-current' }),
    ...byPrevious,
    signedRecord(BODY, BODY, UNKNOWN, { request_id: 'req-unknown' }),
  ];

  it('groups by verdict, token and form, most records first, with one example each', () => {
    const report = diagnoseAll(records, STORED);

    expect(report.total).toBe(5);
    expect(
      report.groups.map(({ verdict, token, form, count, example }) => ({
        verdict,
        token,
        form,
        count,
        example,
      })),
    ).toEqual([
      { verdict: 'previous-token', token: 'previous', form: 'raw', count: 3, example: 'd-prev-1' },
      { verdict: 'verifies', token: 'current', form: 'raw', count: 1, example: 'd-current' },
      { verdict: 'no-match', token: undefined, form: undefined, count: 1, example: 'req-unknown' },
    ]);
  });

  it('counts the releasable records', () => {
    expect(diagnoseAll(records, STORED).releasable).toBe(4);
  });

  it('names the examples with keyOf when given', () => {
    const report = diagnoseAll(records, STORED, { keyOf: (_record, index) => `key-${index}` });

    expect(report.groups.map((group) => group.example)).toEqual(['key-1', 'key-0', 'key-4']);
  });

  it('separates the same verdict signed over different forms', () => {
    const report = diagnoseAll(
      [signedRecord(BODY, CANONICAL, CURRENT), signedRecord(`${BODY}\n`, BODY, CURRENT)],
      STORED,
    );

    expect(report.groups.map((group) => group.form)).toEqual(['reserialized', 'trimmed']);
  });
});
