/**
 * The CDK app's context (`cdk deploy -c key=value`, or the `context` of cdk.json), read and checked
 * in one place, so the stack (bin/app.ts) and the local emulator (`npm start -- -c key=value`) take
 * the same keys with the same meaning and refuse the same mistakes with the same message. Plain
 * TypeScript, no CDK: the emulator loads it without aws-cdk-lib.
 */

/** The keys the app reads, each with what it means. */
export const CONTEXT_KEYS = {
  tokenSecretArn: 'complete ARN of an existing secret holding the Application Management Token',
  tokenSecretKeyArn: 'ARN of the customer-managed KMS key that secret is encrypted with, if any',
  alarmEmail: 'address subscribed to the paging alarm topic (not the informational one)',
  appEntry: 'path of the module exporting your `app` (a WebhookApp), default lambdas/app/index.ts',
  stackName: "stack name, default 'SmartcarWebhooks'",
  webhookPath: "callback path, default '/webhooks/smartcar'",
  latestState: '`true` creates the latest-state table (out-of-order protection)',
} as const;

/** A key the app reads. */
export type ContextKey = keyof typeof CONTEXT_KEYS;

/** The app's context, checked; a text value that is absent or empty is undefined. */
export interface AppContext {
  tokenSecretArn?: string;
  tokenSecretKeyArn?: string;
  alarmEmail?: string;
  appEntry?: string;
  stackName?: string;
  webhookPath?: string;
  /** @default false */
  latestState: boolean;
}

/** A context value the app cannot use, or a key it does not know. */
export class ContextError extends Error {
  override name = 'ContextError';
}

// Keys the CDK itself reads or writes: feature flags (`@aws-cdk/…`), its own settings
// (`aws:cdk:…`, `aws-cdk:enableDiffNoFail`), cached lookups (`availability-zones:account=…`),
// `cdk migrate`'s (`cdk-migrate`), acknowledged notices and `cdk cli-telemetry --disable`'s.
const CDK_KEY = /^@|:|^cdk-/;
const CDK_KEYS: ReadonlySet<string> = new Set(['acknowledged-issue-numbers', 'cli-telemetry']);

/** Whether `key` belongs to the CDK rather than to this app (the app ignores those). */
export function isCdkContextKey(key: string): boolean {
  return CDK_KEY.test(key) || CDK_KEYS.has(key);
}

/**
 * Checks the app's context: every key is one of {@link CONTEXT_KEYS} or the CDK's own, text values
 * are strings, `latestState` is `true` or `false` (from the command line, where every value is
 * text, `"true"` or `"false"`).
 * @param values the context, e.g. `app.node.getAllContext()`, or cdk.json's `context` merged under `-c`
 * @throws ContextError naming the key and what it got
 */
export function readAppContext(values: Readonly<Record<string, unknown>>): AppContext {
  for (const key of Object.keys(values)) {
    if (!isCdkContextKey(key) && !(key in CONTEXT_KEYS)) throw unknownKey(key);
  }
  return {
    tokenSecretArn: text(values, 'tokenSecretArn'),
    tokenSecretKeyArn: text(values, 'tokenSecretKeyArn'),
    alarmEmail: text(values, 'alarmEmail'),
    appEntry: text(values, 'appEntry'),
    stackName: text(values, 'stackName'),
    webhookPath: text(values, 'webhookPath'),
    latestState: flag(values, 'latestState'),
  };
}

/**
 * The context the command line gives, as the CDK CLI reads `-c key=value`: split at the first `=`,
 * the value is always text, a later value for the same key wins.
 * @throws ContextError for an argument without `=` or without a key
 */
export function parseContextArguments(args: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const arg of args) {
    const at = arg.indexOf('=');
    const key = at < 0 ? '' : arg.slice(0, at).trim();
    if (key === '') {
      throw new ContextError(`Context must be given as key=value, such as latestState=true; got "${arg}".`);
    }
    context[key] = arg.slice(at + 1);
  }
  return context;
}

/** A text value, or undefined when it is absent or empty (as `-c key=` leaves it). */
function text(values: Readonly<Record<string, unknown>>, key: ContextKey): string | undefined {
  const value = values[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new ContextError(`Context value "${key}" must be a string; got ${JSON.stringify(value)}.`);
  }
  return value;
}

function flag(values: Readonly<Record<string, unknown>>, key: ContextKey): boolean {
  const value = values[key];
  if (value === undefined || value === null || value === '') return false;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ContextError(`Context value "${key}" must be true or false; got ${JSON.stringify(value)}.`);
}

function unknownKey(key: string): ContextError {
  const known = Object.keys(CONTEXT_KEYS).sort();
  const near = known.find((candidate) => distance(candidate.toLowerCase(), key.toLowerCase()) <= 2);
  return new ContextError(
    `Unknown context key "${key}"${near === undefined ? '' : ` (did you mean "${near}"?)`}. ` +
      `The app reads ${known.join(', ')}; keys with ":" or starting with "@" or "cdk-" are the CDK's own.`,
  );
}

/** Levenshtein distance, for the "did you mean" of a mistyped key. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
