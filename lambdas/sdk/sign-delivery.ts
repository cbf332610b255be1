import { createHmac } from 'node:crypto';

/**
 * The `SC-Signature` Smartcar sends with a delivery: the lower-case hex HMAC-SHA256 of the body's
 * exact bytes, keyed with the Application Management Token. For tests and tools that play
 * Smartcar; a VERIFY answer is the same construction over the challenge.
 * @example fetch(url, { method: 'POST', body, headers: { 'SC-Signature': signDelivery(body, token) } })
 */
export function signDelivery(body: string | Uint8Array, token: string): string {
  return createHmac('sha256', token).update(body).digest('hex');
}
