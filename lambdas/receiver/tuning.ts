/** How the receiver spends its time: each setting is runtime tuning, not a deployment choice. */

/**
 * The SQS SendMessage budget. Worst case: 3 attempts × 1.5 s plus back-off, cut off at 4 s by
 * `totalTimeoutMs`; the receiver then answers 503 and Smartcar retries, all inside its 15 s.
 */
export const ENQUEUE_BUDGET = {
  connectionTimeoutMs: 500,
  requestTimeoutMs: 1500,
  maxAttempts: 3,
  totalTimeoutMs: 4000,
} as const;

/** Reading the Application Management Token. */
export const TOKEN_CACHE = {
  /** How long the token is cached between Secrets Manager reads. */
  cacheSeconds: 300,
  /**
   * After a signature mismatch the token is re-read (it may have been rotated), but at most this
   * often, so a flood of forged requests cannot turn into a flood of Secrets Manager calls.
   */
  refreshAfterMismatchSeconds: 15,
} as const;

/** How far in the future `meta.deliveredAt` may be (clock skew) before it is refused as a replay. */
export const FUTURE_SKEW_SECONDS = 5 * 60;
