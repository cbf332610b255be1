import { createHmac, timingSafeEqual } from 'node:crypto';
import { signDelivery } from '../sdk/sign-delivery';
import { SignatureMalformedError, SignatureMissingError } from './errors';

/** Header Smartcar signs every delivery with. Looked up case-insensitively. */
export const SIGNATURE_HEADER = 'sc-signature';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * Lower-case hex HMAC-SHA256 of `message` keyed with the Application Management Token. The same
 * construction answers VERIFY challenges and signs delivery bodies.
 */
export function computeSignature(token: string, message: string | Uint8Array): string {
  return signDelivery(message, token);
}

/** Case-insensitive header lookup: HTTP APIs lower-case names, REST APIs and proxies may not. */
export function findHeader(
  headers: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  // HTTP APIs hand over lower-case names, so the scan is for REST APIs and proxies.
  const lowerCase = headers[wanted];
  if (lowerCase !== undefined) return lowerCase;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * Turns an `SC-Signature` value into the 32 digest bytes, or says why it cannot be one. Checking the
 * shape first keeps a short or garbled header a 401: `timingSafeEqual` throws on unequal lengths.
 */
export function parseSignatureHeader(value: string | undefined): Buffer {
  if (value === undefined || value.trim() === '') throw new SignatureMissingError();
  const hex = value.trim();
  if (!SHA256_HEX.test(hex)) throw new SignatureMalformedError();
  return Buffer.from(hex, 'hex');
}

/** Constant-time equality of two digests; unequal lengths are simply unequal. */
export function secureCompare(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when `signature` is the HMAC of exactly these body bytes under `token`. */
export function signatureMatches(token: string, body: Uint8Array, signature: Uint8Array): boolean {
  const expected = createHmac('sha256', token).update(body).digest();
  return secureCompare(expected, signature);
}
