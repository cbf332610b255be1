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

/**
 * Quarantining a refused Smartcar-shaped delivery: bounded so that it cannot delay a refusal by
 * more than `writeTimeoutMs`, nor let a flood turn into storage.
 */
export const QUARANTINE_BUDGET = {
  /** The S3 PUT's whole budget: a refusal waits at most this long for it, then answers anyway. */
  writeTimeoutMs: 150,
  /**
   * Largest body kept: every body the receiver accepts (256,000 bytes), and oversize ones up to
   * four times that; bigger ones are only counted (Smartcar's deliveries are at most 50 KB).
   */
  maxBodyBytes: 1_048_576,
  /** A body costs one write of the rate bound per this many bytes (so big bodies spend it faster). */
  bytesPerWrite: 65_536,
  /**
   * Recently quarantined deliveries remembered per environment: Smartcar's retries of one already
   * kept are not written again (they would spend the bound and store the same bytes).
   */
  recentDeliveries: 1_000,
} as const;
