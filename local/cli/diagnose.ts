import { ERROR_CODES, ROUTES } from '../../lambdas/contract';
import { FUTURE_SKEW_SECONDS } from '../../lambdas/receiver/tuning';
import { RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { TOKEN_ENV_VAR } from '../token';
import { type Exchange, type HttpAnswer, preview } from './http';

/**
 * Turning an exchange with the endpoint into the likely cause and what to do about it. `send` and
 * `verify` share it, so both give the same advice for the same answer.
 */

/** What the advice needs to know about the request. */
export interface DiagnosisContext {
  url: URL;
  timeoutMs: number;
  /** `send --fresh`: the delivery time was set to now before signing. */
  fresh?: boolean;
}

/** `{ error, message }` of the receiver's error answers, or API Gateway's `{ message }`. */
export interface ErrorBody {
  error?: string;
  message?: string;
}

/** The error fields of a JSON answer; empty when the body is not JSON. */
export function readErrorBody(body: string): ErrorBody {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null) return {};
    const { error, message } = value as Record<string, unknown>;
    return {
      error: typeof error === 'string' ? error : undefined,
      message: typeof message === 'string' ? message : undefined,
    };
  } catch {
    return {};
  }
}

/** True for the emulator on this machine, where the fix is `npm start` rather than a DNS record. */
export function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** `401 SIGNATURE_MISMATCH` or `404`: the status and the receiver's error code when it sent one. */
export function statusLabel(answer: HttpAnswer): string {
  const { error } = readErrorBody(answer.body);
  return error === undefined ? String(answer.status) : `${answer.status} ${error}`;
}

/**
 * The likely cause of an exchange that Smartcar would count as failed, with the fix. Undefined for
 * a 2xx: whether its body is right depends on the event.
 */
export function explainFailure(exchange: Exchange, context: DiagnosisContext): string | undefined {
  if (exchange.kind === 'no-answer') return explainNoAnswer(exchange.reason, exchange.detail, context);
  const { status } = exchange;
  if (status >= 200 && status < 300) return undefined;
  const body = readErrorBody(exchange.body);
  if (status >= 300 && status < 400) {
    const location = exchange.headers.get('location');
    return (
      `the endpoint redirects (${status}${location ? ` to ${location}` : ''}), and Smartcar treats redirects ` +
      'as failed deliveries: use the final URL (watch for a trailing slash or http → https).'
    );
  }
  if (status === 404 || status === 403) {
    const said =
      body.message === undefined ? '' : ` ("${body.message}", as API Gateway says for unknown routes)`;
    return (
      `wrong path: ${context.url.pathname} is not routed (${status}${said}). The callback path is ` +
      `${ROUTES.webhookPath} unless the stack was deployed with -c webhookPath=…; copy WebhookUrl from the ` +
      'stack outputs.'
    );
  }
  if (body.error === ERROR_CODES.tokenNotConfigured) {
    return (
      'the receiver has no Application Management Token yet: store it in the secret named by the stack output ' +
      "TokenSecretName: aws secretsmanager put-secret-value --secret-id <TokenSecretName> --secret-string '<token>'"
    );
  }
  if (body.error === ERROR_CODES.signatureMismatch) {
    return (
      "the receiver's token differs from the one used to sign. Pass the receiver's token with --token " +
      `(npm start uses ${TOKEN_ENV_VAR} from the environment or .env; a deployed receiver the secret's value).`
    );
  }
  if (body.error === ERROR_CODES.outsideReplayWindow) return explainReplayWindow(context);
  if (status === 429)
    return 'the API throttled the request (429): Smartcar would retry; check the stage throttling.';
  if (status >= 500) {
    return `the receiver failed (${status}): Smartcar would retry. Its logs say why${body.message ? `; it answered "${body.message}"` : ''}.`;
  }
  return body.message ?? `the endpoint answered ${status}: ${preview(exchange.body, 200)}`;
}

function explainReplayWindow({ fresh }: DiagnosisContext): string {
  if (fresh) {
    return (
      "meta.deliveredAt was set to this machine's time and is still outside the receiver's window: the " +
      `clocks differ by more than the window (or by over ${FUTURE_SKEW_SECONDS / 60} minutes ahead). Check this machine's clock.`
    );
  }
  return (
    `meta.deliveredAt is outside the receiver's replay window (${RECEIVER_DEFAULTS.replayToleranceSeconds / 60} minutes ` +
    'unless replayTolerance says otherwise), as it is for any delivery captured earlier. Send it with --fresh: meta.deliveredAt ' +
    '(and deliveryTime) become now before signing, so the body is no longer byte-identical to the file.'
  );
}

function explainNoAnswer(reason: string, detail: string, { url, timeoutMs }: DiagnosisContext): string {
  switch (reason) {
    case 'timeout':
      return (
        `timeout: no answer within ${timeoutMs} ms. Smartcar waits 15 s, then counts the delivery as ` +
        'failed and retries it: the receiver must answer (after enqueueing) well inside that.'
      );
    case 'refused':
      return isLoopback(url)
        ? `connection refused: nothing listens on ${url.host}. Start the local emulator with \`npm start\`.`
        : `connection refused by ${url.host}: check the host and port in --url.`;
    case 'dns':
      return `the host ${url.hostname} does not resolve (${detail}): check --url; copy WebhookUrl from the stack outputs.`;
    case 'tls':
      return `the TLS handshake failed (${detail}): Smartcar needs a certificate from a public CA that matches ${url.hostname}.`;
    default:
      return `the request failed before an answer arrived (${detail}).`;
  }
}
