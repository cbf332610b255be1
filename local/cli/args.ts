import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { isErrorLike, UsageError } from './errors';

/** The options and positionals of one command line, as node:util parseArgs returns them. */
export type ParsedArgs<T extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>;

/**
 * Parses a command's arguments strictly. parseArgs' own messages explain its syntax rules rather
 * than the mistake ("argument is ambiguous"), so the common ones are rewritten.
 * @throws UsageError for an unknown option, a missing value, or a value given to a flag
 */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(
  command: string,
  args: readonly string[],
  options: T,
): ParsedArgs<T> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw translateParseError(command, error);
  }
}

function translateParseError(command: string, error: unknown): unknown {
  if (!isErrorLike(error) || typeof error.code !== 'string') return error;
  const { code } = error;
  // An option with a short form is named "'-c, --context <value>'": name it by its long form.
  const option = /'(?:-\w, )?(--?[^' =]+)/.exec(error.message)?.[1] ?? 'an option';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return new UsageError(`Unknown option ${option} for "${command}".`, command);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(error.message)) {
      return new UsageError(`${option} is a flag and takes no value.`, command);
    }
    // "argument missing" (last on the line) and "ambiguous" (followed by another option).
    return new UsageError(
      `${option} needs a value (write ${option}=<value> when the value itself starts with "-").`,
      command,
    );
  }
  return new UsageError(error.message, command);
}

/**
 * A whole number ≥ `min` from an option's text, or `fallback` when the option is absent.
 * @throws UsageError naming the option and the text it got
 */
export function integerOption(
  command: string,
  name: string,
  text: string | undefined,
  fallback: number,
  min = 1,
): number {
  if (text === undefined) return fallback;
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < min) {
    const wanted = min === 0 ? 'a whole number ≥ 0' : `a whole number ≥ ${min}`;
    throw new UsageError(`--${name} must be ${wanted}, got "${text}".`, command);
  }
  return value;
}

/**
 * An http(s) URL from an option's text.
 * @throws UsageError when it is not an absolute http or https URL
 */
export function urlOption(command: string, name: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `--${name} must be an absolute URL such as https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/smartcar, got "${text}".`,
      command,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--${name} must be an http or https URL, got "${text}".`, command);
  }
  return url;
}

/**
 * A string option that, when given, must not be blank (`--token=` is a typo, not a choice).
 * @throws UsageError when the value is empty
 */
export function nonBlankOption(command: string, name: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === '') throw new UsageError(`--${name} needs a non-empty value.`, command);
  return text.trim();
}

/**
 * Refuses positionals a command does not take.
 * @throws UsageError naming the first extra argument
 */
export function noMorePositionals(command: string, positionals: readonly string[], allowed: number): void {
  const extra = positionals[allowed];
  if (extra !== undefined) {
    throw new UsageError(`Unexpected argument "${extra}" for "${command}".`, command);
  }
}
