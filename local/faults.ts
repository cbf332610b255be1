/**
 * The emulator's fault switches (`POST /_local/faults`): which names exist and which values each
 * takes. Checked before anything changes, so a typo such as `{"dynamodb":"off"}` is refused instead
 * of answering 200 and breaking nothing.
 */

/** Every switch with the values it accepts. */
export const FAULT_SWITCHES = {
  sqs: ['up', 'down'],
  dynamodb: ['up', 'down'],
  archive: ['up', 'down'],
  /** The next processor invocation crashes after its first record, like a Lambda timeout. */
  processor: ['crash'],
} as const;

/** A switch name. */
export type FaultName = keyof typeof FAULT_SWITCHES;

/** A checked request: only the switches it names, each with an accepted value. */
export type FaultRequest = { -readonly [Name in FaultName]?: (typeof FAULT_SWITCHES)[Name][number] };

/** A fault request the emulator refuses: answered 400 with this message. */
export class FaultRequestError extends Error {
  override readonly name = 'FaultRequestError';
  readonly statusCode = 400;
}

/** `sqs|dynamodb|archive: up|down; processor: crash`, for messages and the banner. */
export function acceptedFaults(): string {
  const byValues = new Map<string, string[]>();
  for (const [name, values] of Object.entries(FAULT_SWITCHES)) {
    const key = values.join('|');
    byValues.set(key, [...(byValues.get(key) ?? []), name]);
  }
  return [...byValues].map(([values, names]) => `${names.join('|')}: ${values}`).join('; ');
}

/**
 * Checks a `POST /_local/faults` body: a JSON object of switch names to values. `{}` changes
 * nothing (and the answer shows the state).
 * @param body the request body's bytes
 * @throws FaultRequestError naming what is wrong and what is accepted
 */
export function parseFaultRequest(body: Buffer): FaultRequest {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw refused(`the body is not JSON: ${preview(text)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw refused(`the body must be a JSON object such as {"sqs":"down"}, got ${preview(text)}`);
  }
  const request: Record<string, string> = {};
  for (const [name, setting] of Object.entries(value)) {
    const accepted: readonly string[] | undefined = Object.hasOwn(FAULT_SWITCHES, name)
      ? FAULT_SWITCHES[name as FaultName]
      : undefined;
    if (accepted === undefined) throw refused(`unknown fault "${name}"`);
    if (typeof setting !== 'string' || !accepted.includes(setting)) {
      throw refused(
        `"${name}" takes ${accepted.map((v) => `"${v}"`).join(' or ')}, not ${JSON.stringify(setting)}`,
      );
    }
    request[name] = setting;
  }
  return request as FaultRequest;
}

function refused(what: string): FaultRequestError {
  return new FaultRequestError(`Fault not changed: ${what}. Accepted: ${acceptedFaults()}.`);
}

function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
