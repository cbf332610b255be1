import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { ERROR_CODES, type ErrorCode } from '../../lambdas/contract';
import {
  apiGatewayEvent,
  legacyEvent,
  legacyVerifyEvent,
  sign,
  signedRequest,
  TEST_TOKEN,
  vehicleStateEvent,
  verifyEvent,
} from '../support/builders';

/**
 * Hostile or broken requests, each breaking exactly one thing of an otherwise valid delivery (a
 * signed VEHICLE_STATE, or an unsigned VERIFY for the challenge cases). Every one of them must be
 * refused with the listed 4xx and must enqueue nothing. A signed JSON object is never among them,
 * whatever its shape: see {@link SIGNED_OBJECT_CASES}.
 *
 * Decisions this table pins down:
 * - Duplicated headers: API Gateway HTTP APIs join repeated header values with ",", so two
 *   SC-Signature values arrive as one 129-character value: a malformed signature (401).
 * - The same header under two casings (possible behind REST APIs or proxies) is looked up
 *   case-insensitively and the first one wins; a wrong first value is a mismatch (401).
 * - Duplicate JSON keys: JSON.parse keeps the last value, the envelope is read from it, and the
 *   raw signed bytes are enqueued (see bad-input.test.ts), whatever type the last value has.
 * - Deep nesting is no reason to crash: a 10,000- or 100,000-level array is simply not an envelope.
 * - Methods and paths: API Gateway routes only `POST /webhooks/smartcar` and `GET /health`, so
 *   everything else is its 404 and never reaches the receiver; the receiver's own 405 covers
 *   methods for a route set up differently (direct invocation).
 */

/** A request sent over HTTP to the local API Gateway stand-in instead of straight to the receiver. */
export interface HttpRequest {
  via: 'http';
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One row of the table. */
export interface BadInputCase {
  name: string;
  request: () => APIGatewayProxyEventV2 | HttpRequest;
  expectStatus: number;
  /** The `error` field of the receiver's answer; undefined for API Gateway's own 404. */
  expectCode: ErrorCode | undefined;
  expectMessage: RegExp;
}

/** The body limit the table is written for (the receiver's default). */
export const MAX_BODY_BYTES = RECEIVER_DEFAULTS.maxBodyBytes;

const MISSING = /SC-Signature header is missing/;
const MALFORMED = /exactly 64 hexadecimal characters/;
const MISMATCH = /does not match the request body/;
const NOT_AN_OBJECT = /must be a JSON object/;
const NOT_UTF8 = /not valid UTF-8/;
const CHALLENGE_ALPHABET = /data\.challenge must be 1 to 512 characters/;
const CHALLENGE_NOT_STRING = /must carry a string at data\.challenge/;

function validBody(): string {
  return JSON.stringify(vehicleStateEvent());
}

/** A valid delivery body with `signature` (or no header at all) in SC-Signature. */
function withSignature(signature: (body: string) => string | undefined) {
  return () => {
    const body = validBody();
    const value = signature(body);
    return apiGatewayEvent({ body, headers: value === undefined ? {} : { 'sc-signature': value } });
  };
}

/** A delivery of these exact bytes, handed over base64-encoded, with a valid signature for them. */
function signedBytes(bytes: () => Buffer) {
  return () => {
    const body = bytes();
    return apiGatewayEvent({
      body: body.toString('base64'),
      isBase64Encoded: true,
      headers: { 'sc-signature': sign(body) },
    });
  };
}

/** A valid delivery body with these bytes spliced into the middle of a string value. */
function withBytesInString(inner: number[]): Buffer {
  const [head, tail] = validBody().split('"Fleet"');
  return Buffer.concat([Buffer.from(`${head}"Fle`), Buffer.from(inner), Buffer.from(`et"${tail}`)]);
}

function signedText(body: () => string) {
  return () => signedRequest(body());
}

function unsignedVerify(challenge: unknown) {
  return () => apiGatewayEvent({ body: JSON.stringify(verifyEvent(challenge)) });
}

function nestedArray(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function minutesAgo(minutes: number): number {
  return Date.now() - minutes * 60 * 1000;
}

function http(method: string, path: string): () => HttpRequest {
  return () => {
    const body = validBody();
    return {
      via: 'http',
      method,
      path,
      headers: { 'content-type': 'application/json', 'sc-signature': sign(body) },
      body: method === 'GET' || method === 'HEAD' ? undefined : body,
    };
  };
}

const signatureCases: BadInputCase[] = [
  {
    name: 'SC-Signature is absent',
    request: withSignature(() => undefined),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMissing,
    expectMessage: MISSING,
  },
  {
    name: 'SC-Signature is empty',
    request: withSignature(() => ''),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMissing,
    expectMessage: MISSING,
  },
  {
    name: 'SC-Signature is only whitespace',
    request: withSignature(() => ' \t '),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMissing,
    expectMessage: MISSING,
  },
  {
    name: 'the signature is sent as X-SC-Signature',
    request: () => {
      const body = validBody();
      return apiGatewayEvent({ body, headers: { 'x-sc-signature': sign(body) } });
    },
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMissing,
    expectMessage: MISSING,
  },
  {
    name: 'the signature is sent as sc_signature (underscore)',
    request: () => {
      const body = validBody();
      return apiGatewayEvent({ body, headers: { sc_signature: sign(body) } });
    },
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMissing,
    expectMessage: MISSING,
  },
  {
    name: 'SC-Signature is one hex character short (63)',
    request: withSignature((body) => sign(body).slice(1)),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMalformed,
    expectMessage: MALFORMED,
  },
  {
    name: 'SC-Signature is one hex character long (65)',
    request: withSignature((body) => `${sign(body)}0`),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMalformed,
    expectMessage: MALFORMED,
  },
  {
    name: 'SC-Signature is 64 characters that are not hex',
    request: withSignature(() => 'g'.repeat(64)),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMalformed,
    expectMessage: MALFORMED,
  },
  {
    name: 'SC-Signature carries a sha256= prefix (GitHub style)',
    request: withSignature((body) => `sha256=${sign(body)}`),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMalformed,
    expectMessage: MALFORMED,
  },
  {
    name: 'SC-Signature is in the t=…,v1=… form (Stripe style)',
    request: withSignature((body) => `t=1769937943,v1=${sign(body)}`),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMalformed,
    expectMessage: MALFORMED,
  },
  {
    name: 'SC-Signature is the digest in base64',
    request: withSignature((body) => Buffer.from(sign(body), 'hex').toString('base64')),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMalformed,
    expectMessage: MALFORMED,
  },
  {
    name: 'SC-Signature was sent twice and joined with "," (API Gateway)',
    request: withSignature((body) => `${sign(body)},${sign(body)}`),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMalformed,
    expectMessage: MALFORMED,
  },
  {
    name: 'SC-Signature holds a wrong and a right value joined with ", "',
    request: withSignature((body) => `${'0'.repeat(64)}, ${sign(body)}`),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMalformed,
    expectMessage: MALFORMED,
  },
  {
    name: 'SC-Signature has a space inside the hex',
    request: withSignature((body) => `${sign(body).slice(0, 32)} ${sign(body).slice(32)}`),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMalformed,
    expectMessage: MALFORMED,
  },
  {
    name: 'SC-Signature uses full-width digits',
    request: withSignature(() => '\uFF10'.repeat(64)),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMalformed,
    expectMessage: MALFORMED,
  },
  {
    name: 'SC-Signature ends in a NUL character',
    request: withSignature((body) => `${sign(body)}\u0000`),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMalformed,
    expectMessage: MALFORMED,
  },
  {
    name: 'SC-Signature is an HMAC-SHA1 (40 hex characters)',
    request: withSignature((body) => sign(body).slice(0, 40)),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMalformed,
    expectMessage: MALFORMED,
  },
  {
    name: 'SC-Signature is 10,000 characters long',
    request: withSignature(() => 'a'.repeat(10_000)),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMalformed,
    expectMessage: MALFORMED,
  },
  {
    name: 'SC-Signature signs a different body',
    request: withSignature(() => sign(validBody())),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMismatch,
    expectMessage: MISMATCH,
  },
  {
    name: 'SC-Signature was made with another token',
    request: withSignature((body) => sign(body, `${TEST_TOKEN}x`)),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMismatch,
    expectMessage: MISMATCH,
  },
  {
    name: 'SC-Signature is all zeros',
    request: withSignature(() => '0'.repeat(64)),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMismatch,
    expectMessage: MISMATCH,
  },
  {
    name: 'SC-Signature signs the empty body instead of the one sent',
    request: withSignature(() => sign('')),
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMismatch,
    expectMessage: MISMATCH,
  },
  {
    name: 'the body gained a trailing newline after signing',
    request: () => {
      const body = validBody();
      return apiGatewayEvent({ body: `${body}\n`, headers: { 'sc-signature': sign(body) } });
    },
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMismatch,
    expectMessage: MISMATCH,
  },
  {
    name: 'the body was re-serialized after signing (pretty-printed)',
    request: () => {
      const body = validBody();
      const reserialized = JSON.stringify(JSON.parse(body), null, 2);
      return apiGatewayEvent({ body: reserialized, headers: { 'sc-signature': sign(body) } });
    },
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMismatch,
    expectMessage: MISMATCH,
  },
  {
    name: 'the signature covers the base64 text instead of the decoded bytes',
    request: () => {
      const base64 = Buffer.from(validBody()).toString('base64');
      return apiGatewayEvent({
        body: base64,
        isBase64Encoded: true,
        headers: { 'sc-signature': sign(base64) },
      });
    },
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMismatch,
    expectMessage: MISMATCH,
  },
  {
    name: 'a plain JSON body is flagged isBase64Encoded',
    request: () => {
      const body = validBody();
      return apiGatewayEvent({ body, isBase64Encoded: true, headers: { 'sc-signature': sign(body) } });
    },
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMismatch,
    expectMessage: MISMATCH,
  },
  {
    name: 'SC-Signature appears under two casings and the first is wrong',
    request: () => {
      const body = validBody();
      return apiGatewayEvent({
        body,
        headers: { 'sc-signature': '0'.repeat(64), 'SC-Signature': sign(body) },
      });
    },
    expectStatus: 401,
    expectCode: ERROR_CODES.signatureMismatch,
    expectMessage: MISMATCH,
  },
];

const bodyCases: BadInputCase[] = [
  {
    name: 'a signed empty body',
    request: signedText(() => ''),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'no body at all, signed as empty',
    request: () => apiGatewayEvent({ headers: { 'sc-signature': sign('') } }),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed body of only whitespace',
    request: signedText(() => ' \r\n\t '),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed body truncated in the middle',
    request: signedText(() => {
      const body = validBody();
      return body.slice(0, Math.floor(body.length / 2));
    }),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed body missing its closing brace',
    request: signedText(() => validBody().slice(0, -1)),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed JSON array holding the envelope',
    request: signedText(() => `[${validBody()}]`),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed JSON string holding the envelope',
    request: signedText(() => JSON.stringify(validBody())),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed JSON number',
    request: signedText(() => '12345'),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed JSON null',
    request: signedText(() => 'null'),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed JSON true',
    request: signedText(() => 'true'),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed form-encoded body',
    request: signedText(() => 'eventId=1&eventType=VEHICLE_STATE'),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'two signed envelopes as NDJSON',
    request: signedText(() => `${validBody()}\n${validBody()}\n`),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed envelope followed by garbage',
    request: signedText(() => `${validBody()}x`),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed envelope with a trailing comma (JSON5)',
    request: signedText(() => `${validBody().slice(0, -1)},}`),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed envelope with a comment',
    request: signedText(() => `/* hi */${validBody()}`),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed envelope with a NaN literal',
    request: signedText(() => `${validBody().slice(0, -1)},"x":NaN}`),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed envelope with a raw control character inside a string',
    request: signedText(() => validBody().replace('"Fleet"', '"Fle\u0001et"')),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed array nested 10,000 levels deep',
    request: signedText(() => nestedArray(10_000)),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed array nested 120,000 levels deep (just under the body limit)',
    request: signedText(() => nestedArray(120_000)),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed envelope encoded as UTF-16LE',
    request: signedBytes(() => Buffer.from(validBody(), 'utf16le')),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_AN_OBJECT,
  },
  {
    name: 'a signed envelope encoded as UTF-16LE with a byte order mark',
    request: signedBytes(() =>
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(validBody(), 'utf16le')]),
    ),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_UTF8,
  },
  {
    name: 'a signed body with an invalid UTF-8 sequence (C3 28)',
    request: signedBytes(() => withBytesInString([0xc3, 0x28])),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_UTF8,
  },
  {
    name: 'a signed body with an overlong UTF-8 encoding of "/" (C0 AF)',
    request: signedBytes(() => withBytesInString([0xc0, 0xaf])),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_UTF8,
  },
  {
    name: 'a signed body with a UTF-8-encoded lone surrogate (ED A0 80)',
    request: signedBytes(() => withBytesInString([0xed, 0xa0, 0x80])),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_UTF8,
  },
  {
    name: 'a signed body in Latin-1 ("é" as E9)',
    request: signedBytes(() => withBytesInString([0xe9])),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_UTF8,
  },
  {
    name: 'a signed body ending in a truncated multi-byte sequence',
    request: signedBytes(() => Buffer.concat([Buffer.from(validBody()), Buffer.from([0xe2, 0x82])])),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidPayload,
    expectMessage: NOT_UTF8,
  },
];

const sizeCases: BadInputCase[] = [
  {
    name: 'a signed body one byte over the limit',
    request: signedText(() => {
      const body = validBody();
      return `${body.slice(0, -1)},"pad":"${'x'.repeat(MAX_BODY_BYTES - body.length - 8)}"}`;
    }),
    expectStatus: 413,
    expectCode: ERROR_CODES.payloadTooLarge,
    expectMessage: new RegExp(`is ${MAX_BODY_BYTES + 1} bytes; the limit is ${MAX_BODY_BYTES} bytes`),
  },
  {
    name: 'a signed 10 MB body',
    request: signedText(() => `${validBody().slice(0, -1)},"pad":"${'x'.repeat(10 * 1024 * 1024)}"}`),
    expectStatus: 413,
    expectCode: ERROR_CODES.payloadTooLarge,
    expectMessage: /the limit is 256000 bytes/,
  },
  {
    name: 'a signed base64 body whose decoded size is over the limit',
    request: () =>
      signedRequest(`${validBody().slice(0, -1)},"pad":"${'x'.repeat(MAX_BODY_BYTES)}"}`, { base64: true }),
    expectStatus: 413,
    expectCode: ERROR_CODES.payloadTooLarge,
    expectMessage: /the limit is 256000 bytes/,
  },
  {
    name: 'an unsigned body over the limit (size is checked first)',
    request: () => apiGatewayEvent({ body: 'x'.repeat(MAX_BODY_BYTES + 1) }),
    expectStatus: 413,
    expectCode: ERROR_CODES.payloadTooLarge,
    expectMessage: /the limit is 256000 bytes/,
  },
  {
    name: 'a VERIFY over the limit',
    request: unsignedVerify('a'.repeat(MAX_BODY_BYTES)),
    expectStatus: 413,
    expectCode: ERROR_CODES.payloadTooLarge,
    expectMessage: /the limit is 256000 bytes/,
  },
];

/** Signed deliveries refused for their signed meta.deliveredAt: replays. */
const replayCases: BadInputCase[] = [
  {
    name: 'meta.deliveredAt is two hours old (a replay)',
    request: () => {
      const event = vehicleStateEvent();
      return signedRequest({ ...event, meta: { ...(event.meta as object), deliveredAt: minutesAgo(120) } });
    },
    expectStatus: 400,
    expectCode: ERROR_CODES.outsideReplayWindow,
    expectMessage: /s old; deliveries older than 3600 s are refused/,
  },
  {
    name: 'meta.deliveredAt is an ISO string two hours old',
    request: () => {
      const event = vehicleStateEvent();
      const deliveredAt = new Date(minutesAgo(120)).toISOString();
      return signedRequest({ ...event, meta: { ...(event.meta as object), deliveredAt } });
    },
    expectStatus: 400,
    expectCode: ERROR_CODES.outsideReplayWindow,
    expectMessage: /s old/,
  },
  {
    name: 'meta.deliveredAt is ten minutes in the future',
    request: () => {
      const event = vehicleStateEvent();
      return signedRequest({ ...event, meta: { ...(event.meta as object), deliveredAt: minutesAgo(-10) } });
    },
    expectStatus: 400,
    expectCode: ERROR_CODES.outsideReplayWindow,
    expectMessage: /in the future/,
  },
];

const verifyCases: BadInputCase[] = [
  {
    name: 'VERIFY challenge is a JSON document',
    request: unsignedVerify(validBody()),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_ALPHABET,
  },
  {
    name: 'VERIFY challenge is a JSON object, not a string',
    request: unsignedVerify({ eventId: 'x', eventType: 'VEHICLE_STATE' }),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_NOT_STRING,
  },
  {
    name: 'VERIFY challenge is empty',
    request: unsignedVerify(''),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_ALPHABET,
  },
  {
    name: 'VERIFY challenge is 513 characters',
    request: unsignedVerify('a'.repeat(513)),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_ALPHABET,
  },
  {
    name: 'VERIFY challenge is 200 KB',
    request: unsignedVerify('a'.repeat(200_000)),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_ALPHABET,
  },
  {
    name: 'VERIFY challenge contains a space',
    request: unsignedVerify('abc def'),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_ALPHABET,
  },
  {
    name: 'VERIFY challenge ends in a newline',
    request: unsignedVerify('3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f\n'),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_ALPHABET,
  },
  {
    name: 'VERIFY challenge contains a non-ASCII letter',
    request: unsignedVerify('caf\u00e9'),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_ALPHABET,
  },
  {
    name: 'VERIFY challenge contains a quote',
    request: unsignedVerify('"abc"'),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_ALPHABET,
  },
  {
    name: 'VERIFY challenge is a number',
    request: unsignedVerify(12345),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_NOT_STRING,
  },
  {
    name: 'VERIFY challenge is null',
    request: unsignedVerify(null),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_NOT_STRING,
  },
  {
    name: 'VERIFY challenge is an array',
    request: unsignedVerify(['abc']),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_NOT_STRING,
  },
  {
    name: 'VERIFY without data.challenge',
    request: () => apiGatewayEvent({ body: JSON.stringify({ ...verifyEvent(), data: {} }) }),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_NOT_STRING,
  },
  {
    name: 'VERIFY whose data is a string',
    request: () => apiGatewayEvent({ body: JSON.stringify({ ...verifyEvent(), data: 'abc' }) }),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_NOT_STRING,
  },
  {
    name: 'VERIFY whose data is an array',
    request: () =>
      apiGatewayEvent({ body: JSON.stringify({ ...verifyEvent(), data: [{ challenge: 'abc' }] }) }),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: CHALLENGE_NOT_STRING,
  },
  {
    name: 'legacy verify challenge is a JSON document',
    request: () => apiGatewayEvent({ body: JSON.stringify(legacyVerifyEvent(validBody())) }),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: /payload\.challenge must be 1 to 512 characters/,
  },
  {
    name: 'legacy verify without payload',
    request: () => apiGatewayEvent({ body: JSON.stringify({ ...legacyVerifyEvent(), payload: undefined }) }),
    expectStatus: 400,
    expectCode: ERROR_CODES.invalidChallenge,
    expectMessage: /must carry a string at payload\.challenge/,
  },
];

const methodCases: BadInputCase[] = [
  ...['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'post'].map((method): BadInputCase => ({
    name: `${method} straight to the receiver`,
    request: () => {
      const body = validBody();
      return apiGatewayEvent({ method, body, headers: { 'sc-signature': sign(body) } });
    },
    expectStatus: 405,
    expectCode: ERROR_CODES.methodNotAllowed,
    expectMessage: new RegExp(`Method ${method} is not allowed`),
  })),
  ...(
    [
      ['GET', '/webhooks/smartcar'],
      ['PUT', '/webhooks/smartcar'],
      ['DELETE', '/webhooks/smartcar'],
      ['POST', '/webhooks/smartcar/'],
      ['POST', '/Webhooks/Smartcar'],
      ['POST', '/webhooks'],
      ['POST', '/'],
      ['POST', '/health'],
      ['DELETE', '/health'],
      ['POST', '/webhooks/smartcar.json'],
    ] as const
  ).map(([method, path]): BadInputCase => ({
    name: `${method} ${path} through API Gateway`,
    request: http(method, path),
    expectStatus: 404,
    expectCode: undefined,
    expectMessage: /Not Found/,
  })),
];

/** All of them. */
export const BAD_INPUT_CASES: readonly BadInputCase[] = [
  ...signatureCases,
  ...bodyCases,
  ...sizeCases,
  ...replayCases,
  ...verifyCases,
  ...methodCases,
];

/**
 * Signed JSON objects of shapes no Smartcar event should have. A valid signature means Smartcar
 * sent them, so each is enqueued as signed (and the processor parks what it cannot handle): refusing
 * one would lose it for good, since Smartcar drops an event after its retries.
 */
export interface SignedObjectCase {
  name: string;
  body: () => string;
}

const wrongTypes = [
  ['a number', 42],
  ['null', null],
  ['empty', ''],
  ['an object', { id: 'x' }],
  ['an array', ['x']],
  ['a boolean', true],
  ['missing', undefined],
] as const;

/** All of them. */
export const SIGNED_OBJECT_CASES: readonly SignedObjectCase[] = [
  {
    name: 'a signed JSON object that is no Smartcar envelope',
    body: () => JSON.stringify({ hello: 'world' }),
  },
  { name: 'a signed empty JSON object', body: () => '{}' },
  {
    name: 'a signed object nested 10,000 levels deep without envelope fields',
    body: () => '{"a":'.repeat(10_000) + '{}' + '}'.repeat(10_000),
  },
  ...wrongTypes.map(([label, value]) => ({
    name: `eventId is ${label}`,
    body: () => JSON.stringify(vehicleStateEvent({ eventId: value })),
  })),
  ...wrongTypes.map(([label, value]) => ({
    name: `eventType is ${label}`,
    body: () => JSON.stringify(vehicleStateEvent({ eventType: value })),
  })),
  ...wrongTypes.map(([label, value]) => ({
    name: `legacy eventName is ${label}`,
    body: () => JSON.stringify(legacyEvent({ eventName: value })),
  })),
  {
    name: 'eventId appears twice and the last one is a number',
    body: () => `{"eventId":"first",${validBody().slice(1, -1)},"eventId":42}`,
  },
  {
    name: 'an eventType this version does not know',
    body: () => JSON.stringify(vehicleStateEvent({ eventType: 'TRIP_ENDED' })),
  },
  {
    name: 'a meta.version this version does not know',
    body: () =>
      JSON.stringify(
        vehicleStateEvent({ meta: { version: '5.0', deliveryId: 'd', deliveredAt: Date.now() } }),
      ),
  },
];
