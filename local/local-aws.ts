/**
 * Region and credentials for talking to the local emulators. The emulators accept any signature;
 * the SDK only needs something to sign with, and these can never reach a real account.
 */
export const LOCAL_AWS = {
  region: 'us-east-1',
  /** fauxqs' account id, also used in every local ARN. */
  accountId: '000000000000',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;
