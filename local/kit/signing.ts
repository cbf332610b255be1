import { signDelivery } from '../../lambdas/sdk';

/** A made-up Application Management Token for tests and local runs. */
export const TEST_TOKEN = 'test-application-management-token-0123456789';

/**
 * What Smartcar puts in SC-Signature for these exact bytes: the SDK's {@link signDelivery}, keyed
 * with {@link TEST_TOKEN} unless another token is given.
 */
export function sign(body: string | Uint8Array, token: string = TEST_TOKEN): string {
  return signDelivery(body, token);
}
