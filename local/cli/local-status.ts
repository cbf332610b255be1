import { LOCAL_STATUS_PATH } from './config';
import { LocalEmulatorUnavailableError } from './errors';
import { classifyFailure } from './http';

/** The SQS part of the emulator's status document (`GET /_local/status`). */
export interface LocalSqsStatus {
  endpoint: string;
  region: string;
  queueArn: string;
  deadLetterQueueUrl: string;
}

const REQUIRED_FIELDS = ['endpoint', 'region', 'queueArn', 'deadLetterQueueUrl'] as const;
// The status page is local and answers at once; waiting long only delays the error.
const STATUS_TIMEOUT_MS = 5000;

/**
 * Reads and checks the emulator's status page.
 * @throws LocalEmulatorUnavailableError when nothing, or something other than the emulator, answers
 */
export async function readLocalStatus(baseUrl: string, fetchFn: typeof fetch): Promise<LocalSqsStatus> {
  const url = `${baseUrl.replace(/\/+$/, '')}${LOCAL_STATUS_PATH}`;
  const notEmulator = (what: string) =>
    new LocalEmulatorUnavailableError(
      `${url} ${what}: is something other than the emulator listening there? Start the emulator with ` +
        '`npm start`, or pass --local <baseUrl>, or --dlq/--stack to redrive on AWS.',
    );
  let response: Response;
  try {
    response = await fetchFn(url, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
  } catch (error) {
    const { reason, detail } = classifyFailure(error);
    const what = reason === 'refused' ? 'connection refused' : reason === 'timeout' ? 'no answer' : detail;
    throw new LocalEmulatorUnavailableError(
      `The local emulator is not running at ${baseUrl} (${what}): start it with \`npm start\`, or pass ` +
        '--local <baseUrl>, or --dlq/--stack to redrive on AWS.',
      { cause: error },
    );
  }
  if (!response.ok) throw notEmulator(`answered ${response.status}`);
  let document: unknown;
  try {
    document = await response.json();
  } catch {
    throw notEmulator('answered with something other than JSON');
  }
  const sqs = (document as { sqs?: Record<string, unknown> } | null)?.sqs;
  const missing = REQUIRED_FIELDS.find((key) => typeof sqs?.[key] !== 'string' || sqs[key] === '');
  if (missing !== undefined) throw notEmulator(`has no sqs.${missing}`);
  return sqs as unknown as LocalSqsStatus;
}
