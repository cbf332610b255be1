/**
 * Errors of the CLI. `main` turns each into its message on stderr and its exit code; anything else
 * is a bug and keeps its stack trace.
 */

/** Exit codes: 0 success, 1 the check or verdict failed, 2 bad arguments. */
export const EXIT_CODES = { ok: 0, failed: 1, usage: 2 } as const;

/** Base of the CLI's errors: a message that says what to do, and the exit code it ends with. */
export abstract class CliError extends Error {
  abstract readonly exitCode: number;
}

/** Bad arguments (exit 2). `command` selects the help the message points to. */
export class UsageError extends CliError {
  override readonly name: string = 'UsageError';
  readonly exitCode = EXIT_CODES.usage;
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** No `--token` and none configured (exit 2: the fix is an argument). */
export class MissingTokenError extends UsageError {
  override readonly name = 'MissingTokenError';
}

/** The command ran but could not do its job (exit 1). */
export class CommandFailedError extends CliError {
  override readonly name: string = 'CommandFailedError';
  readonly exitCode = EXIT_CODES.failed;
}

/** `redrive` without targets: nothing answers at the local emulator's status URL. */
export class LocalEmulatorUnavailableError extends CommandFailedError {
  override readonly name = 'LocalEmulatorUnavailableError';
}

/** AWS refused a call for lack of permission; the message names the IAM action. */
export class AwsAccessDeniedError extends CommandFailedError {
  override readonly name = 'AwsAccessDeniedError';
  constructor(
    readonly action: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** `--stack` names no stack in the region, or the stack lacks an output `redrive` needs. */
export class StackLookupError extends CommandFailedError {
  override readonly name = 'StackLookupError';
}

/** A queue named by `--dlq`, `--queue` or a stack output does not exist. */
export class QueueNotFoundError extends CommandFailedError {
  override readonly name = 'QueueNotFoundError';
}

/** The fields of an error the CLI reads. */
export interface ErrorLike {
  name: string;
  message: string;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/**
 * Duck-typed `instanceof Error`: errors thrown by Node itself (fetch, parseArgs) come from another
 * realm under Jest, where `instanceof Error` is false for them.
 */
export function isErrorLike(value: unknown): value is ErrorLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorLike).name === 'string' &&
    typeof (value as ErrorLike).message === 'string'
  );
}
