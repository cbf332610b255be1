import { randomBytes, randomUUID } from 'node:crypto';
import { parseJsonObject } from '../../lambdas/runtime/envelope';
import { signDelivery } from '../../lambdas/sdk';
import { sampleVehicleStateEvent, sampleVerifyEvent } from '../kit/deliveries';
import { TOKEN_ENV_VAR } from '../token';
import { integerOption, nonBlankOption, noMorePositionals, parseCommandArgs, urlOption } from './args';
import { CLI_DEFAULTS, localWebhookUrl, resolveToken } from './config';
import { type DiagnosisContext, explainFailure, isLoopback } from './diagnose';
import { EXIT_CODES } from './errors';
import { type HttpAnswer, postJson, preview } from './http';
import { type CliIo, writeLine } from './io';

const COMMAND = 'verify';

/** Options `verify` accepts. */
export const VERIFY_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  timeout: { type: 'string' },
} as const;

/** `verify`'s arguments, checked. */
export interface VerifySettings {
  url: URL;
  token: string;
  timeoutMs: number;
}

/**
 * Checks `verify`'s arguments.
 * @throws UsageError (exit 2) saying which argument is wrong
 */
export function parseVerifyArgs(args: readonly string[], io: CliIo): VerifySettings {
  const { values, positionals } = parseCommandArgs(COMMAND, args, VERIFY_OPTIONS);
  noMorePositionals(COMMAND, positionals, 0);
  return {
    url: urlOption(COMMAND, 'url', nonBlankOption(COMMAND, 'url', values.url) ?? localWebhookUrl(io.env)),
    token: resolveToken(nonBlankOption(COMMAND, 'token', values.token), io, COMMAND),
    timeoutMs: integerOption(COMMAND, 'timeout', values.timeout, CLI_DEFAULTS.timeoutMs),
  };
}

/** The verdict on the VERIFY answer: undefined when Smartcar would accept it, else why not. */
export function checkVerifyAnswer(
  answer: HttpAnswer,
  challenge: string,
  token: string,
  context: DiagnosisContext,
): string | undefined {
  if (answer.status === 401) {
    return (
      'the endpoint refused the unsigned VERIFY (401). Smartcar does not document signing VERIFY: answer ' +
      'it before checking SC-Signature.'
    );
  }
  if (answer.status !== 200) {
    return (
      explainFailure(answer, context) ??
      `Smartcar requires status 200 with a JSON body; the endpoint answered ${answer.status}.`
    );
  }
  const document = parseJsonObject(answer.body);
  if (document === undefined) {
    return `the answer is not JSON (${preview(answer.body, 120)}); Smartcar expects {"challenge": "<hex HMAC>"}.`;
  }
  const answered = document.challenge;
  if (typeof answered !== 'string') {
    const asDelivery = document.status === 'accepted' ? ' It handled VERIFY as an ordinary delivery.' : '';
    return `the JSON answer has no "challenge" string: ${preview(answer.body, 120)}.${asDelivery}`;
  }
  if (answered === challenge) {
    return 'the endpoint echoes the challenge; Smartcar expects its hex HMAC-SHA256 keyed with the token.';
  }
  if (answered.toLowerCase() !== signDelivery(challenge, token)) {
    const local = isLoopback(context.url) ? ` (npm start reads it from ${TOKEN_ENV_VAR} or .env)` : '';
    return (
      "the challenge hash does not match: the receiver's token differs from the one you passed; store the " +
      `Dashboard's Application Management Token in the secret${local}: aws secretsmanager put-secret-value ` +
      "--secret-id <TokenSecretName> --secret-string '<token>'"
    );
  }
  return undefined;
}

/**
 * `verify`: the Dashboard's VERIFY handshake, then a delivery with a wrong SC-Signature to see that
 * the endpoint refuses it.
 * @returns 0 when Smartcar would accept the endpoint (warnings allowed), else 1
 */
export async function runVerify(args: readonly string[], io: CliIo): Promise<number> {
  const settings = parseVerifyArgs(args, io);
  const context = { url: settings.url, timeoutMs: settings.timeoutMs };
  const post = (body: string, headers?: Record<string, string>) =>
    postJson({
      url: settings.url.href,
      body,
      headers,
      timeoutMs: settings.timeoutMs,
      fetch: io.fetch ?? fetch,
    });

  if (settings.url.protocol === 'http:' && !isLoopback(settings.url)) {
    writeLine(io.stdout, '⚠ Smartcar delivers to https:// callback URIs only.');
  }
  const challenge = randomUUID();
  const verify = sampleVerifyEvent(challenge);
  writeLine(
    io.stdout,
    `→ POST ${settings.url.href}: VERIFY eventId ${verify.eventId}, challenge ${challenge}`,
  );
  // Unsigned: Smartcar does not document signing VERIFY, and an endpoint that answers an unsigned
  // VERIFY answers a signed one too.
  const exchange = await post(JSON.stringify(verify));
  if (exchange.kind === 'no-answer') return reject(io, explainFailure(exchange, context) ?? exchange.detail);
  writeLine(io.stdout, `← ${exchange.status} in ${exchange.elapsedMs} ms: ${preview(exchange.body)}`);
  const problem = checkVerifyAnswer(exchange, challenge, settings.token, context);
  if (problem !== undefined) return reject(io, problem);
  writeLine(io.stdout, '✔ 200 with {"challenge": HMAC-SHA256(token, challenge)}');
  if (!/^application\/json\b/i.test(exchange.headers.get('content-type') ?? '')) {
    writeLine(
      io.stdout,
      `⚠ Content-Type is "${exchange.headers.get('content-type') ?? ''}"; Smartcar expects application/json.`,
    );
  }

  await probeSignatureCheck(io, post);
  writeLine(io.stdout, '✔ Smartcar would accept this endpoint.');
  return EXIT_CODES.ok;
}

function reject(io: CliIo, problem: string): number {
  writeLine(io.stdout, `✘ Smartcar would not accept this endpoint: ${problem}`);
  return EXIT_CODES.failed;
}

/**
 * Sends a realistic delivery signed with a random key. A warning, not a failure: Smartcar's
 * handshake does not test it, but an endpoint that takes it takes anyone's events.
 */
async function probeSignatureCheck(
  io: CliIo,
  post: (body: string, headers?: Record<string, string>) => ReturnType<typeof postJson>,
): Promise<void> {
  const body = JSON.stringify(sampleVehicleStateEvent());
  writeLine(io.stdout, '→ POST a VEHICLE_STATE (mode TEST) with a wrong SC-Signature');
  const exchange = await post(body, {
    'sc-signature': signDelivery(body, randomBytes(32).toString('hex')),
  });
  if (exchange.kind === 'no-answer') {
    writeLine(
      io.stdout,
      `⚠ no answer to the wrongly signed delivery (${exchange.reason}); could not check the signature check.`,
    );
  } else if (exchange.status === 401) {
    writeLine(io.stdout, '✔ refused with 401: deliveries with a wrong SC-Signature are rejected');
  } else if (exchange.status >= 200 && exchange.status < 300) {
    writeLine(
      io.stdout,
      `⚠ the endpoint accepts unsigned deliveries: it answered ${exchange.status} to a wrong SC-Signature, so ` +
        'anyone who finds the URL can inject events. Verify SC-Signature over the raw body and answer 401.',
    );
  } else {
    writeLine(
      io.stdout,
      `⚠ a wrongly signed delivery got ${exchange.status}, not 401: ${preview(exchange.body, 200)}`,
    );
  }
}
