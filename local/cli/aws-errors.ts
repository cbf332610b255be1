import {
  AwsAccessDeniedError,
  CommandFailedError,
  isErrorLike,
  QueueNotFoundError,
  UsageError,
} from './errors';

/**
 * AWS SDK exceptions translated where the call is made, so the message can name the IAM action and
 * the resource. Errors that are not AWS's (bugs) pass through untouched.
 */

/** What to say about a call that fails. */
export interface AwsCall {
  /** IAM action, e.g. `sqs:StartMessageMoveTask`. */
  action: string;
  /** What it was called on, e.g. the queue URL or stack name. */
  subject: string;
  /** Message for "no such queue"; the call's not-found errors become a {@link QueueNotFoundError}. */
  notFound?: string;
  /** Extra advice for AccessDenied, e.g. the other actions the same operation needs. */
  permissionHint?: string;
}

const NOT_FOUND = /QueueDoesNotExist|NonExistentQueue|ResourceNotFoundException/;
const ACCESS_DENIED = /AccessDenied|UnauthorizedOperation|AuthorizationError|NotAuthorized/;
const BAD_CREDENTIALS =
  /InvalidClientTokenId|UnrecognizedClientException|InvalidSignatureException|SignatureDoesNotMatch/;

/**
 * Runs one SDK call, translating its failure.
 * @throws AwsAccessDeniedError, QueueNotFoundError, CommandFailedError or UsageError (no region)
 */
export async function callAws<T>(call: AwsCall, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translateAwsError(error, call);
  }
}

/** The CLI error for an SDK failure, or the error itself when it is not one AWS raised. */
export function translateAwsError(error: unknown, call: AwsCall): unknown {
  if (!isErrorLike(error)) return error;
  const { name, message, code } = error;
  const options = { cause: error };
  if (call.notFound !== undefined && (NOT_FOUND.test(name) || NOT_FOUND.test(message))) {
    return new QueueNotFoundError(call.notFound, options);
  }
  if (ACCESS_DENIED.test(name)) {
    const hint = call.permissionHint === undefined ? '' : ` ${call.permissionHint}`;
    return new AwsAccessDeniedError(
      call.action,
      `AWS denied ${call.action} on ${call.subject}: your credentials need that permission.${hint} (${message})`,
      options,
    );
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new CommandFailedError(
      'No AWS credentials found: run `aws configure` or `aws sso login`, or set AWS_PROFILE.',
      options,
    );
  }
  if (/ExpiredToken/.test(name)) {
    return new CommandFailedError(
      'Your AWS credentials have expired: refresh them (e.g. `aws sso login`).',
      options,
    );
  }
  if (BAD_CREDENTIALS.test(name)) {
    return new CommandFailedError(
      `AWS rejected the credentials (${name}): check AWS_PROFILE and your keys.`,
      options,
    );
  }
  if (/Region is missing/i.test(message)) {
    return new UsageError('No AWS region: pass --region or set AWS_REGION.', 'redrive');
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') {
    return new CommandFailedError(`${call.action} on ${call.subject} could not connect (${code}).`, options);
  }
  if ('$metadata' in error) {
    return new CommandFailedError(`${call.action} on ${call.subject} failed: ${name}: ${message}`, options);
  }
  return error;
}
