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

/** The archive part of the status document: where `npm start` archives, and how much. */
export interface LocalArchiveStatus {
  /** S3 endpoint (fauxqs), path-style. */
  endpoint: string;
  region: string;
  bucket: string;
  /** `up`, or `down` while the `archive` fault is on. */
  state: string;
  objects: number;
}

/** The main queue of the status document, where `replay` sends. */
export interface LocalQueueStatus {
  endpoint: string;
  region: string;
  queueUrl: string;
}
// The status page is local and answers at once; waiting long only delays the error.
const STATUS_TIMEOUT_MS = 5000;

/**
 * Reads and checks the emulator's status page.
 * @throws LocalEmulatorUnavailableError when nothing, or something other than the emulator, answers
 */
export async function readLocalStatus(baseUrl: string, fetchFn: typeof fetch): Promise<LocalSqsStatus> {
  const { document, notEmulator } = await readStatusDocument(baseUrl, fetchFn);
  const sqs = (document as { sqs?: Record<string, unknown> } | null)?.sqs;
  const missing = REQUIRED_FIELDS.find((key) => typeof sqs?.[key] !== 'string' || sqs[key] === '');
  if (missing !== undefined) throw notEmulator(`has no sqs.${missing}`);
  return sqs as unknown as LocalSqsStatus;
}

/**
 * The archive and the main queue of the emulator's status page, for `replay` and `events`.
 * @throws LocalEmulatorUnavailableError when nothing, or an emulator without an archive, answers
 */
export async function readLocalArchiveStatus(
  baseUrl: string,
  fetchFn: typeof fetch,
): Promise<{ archive: LocalArchiveStatus; queue: LocalQueueStatus }> {
  const { document, notEmulator } = await readStatusDocument(baseUrl, fetchFn);
  const { archive, sqs } = (document ?? {}) as {
    archive?: Record<string, unknown>;
    sqs?: Record<string, unknown>;
  };
  const missingArchive = (['endpoint', 'region', 'bucket'] as const).find(
    (key) => typeof archive?.[key] !== 'string' || archive[key] === '',
  );
  if (missingArchive !== undefined) {
    throw notEmulator(
      `has no archive.${missingArchive}: is it an emulator from before the archive? Restart \`npm start\``,
    );
  }
  const missingQueue = (['endpoint', 'region', 'queueUrl'] as const).find(
    (key) => typeof sqs?.[key] !== 'string' || sqs[key] === '',
  );
  if (missingQueue !== undefined) throw notEmulator(`has no sqs.${missingQueue}`);
  return {
    archive: archive as unknown as LocalArchiveStatus,
    queue: sqs as unknown as LocalQueueStatus,
  };
}

/** The emulator's whole status document, checked only to be the emulator's. */
export async function readLocalStatusDocument(baseUrl: string, fetchFn: typeof fetch): Promise<unknown> {
  return (await readStatusDocument(baseUrl, fetchFn)).document;
}

async function readStatusDocument(
  baseUrl: string,
  fetchFn: typeof fetch,
): Promise<{ document: unknown; notEmulator: (what: string) => LocalEmulatorUnavailableError }> {
  const url = `${baseUrl.replace(/\/+$/, '')}${LOCAL_STATUS_PATH}`;
  const notEmulator = (what: string) =>
    new LocalEmulatorUnavailableError(
      `${url} ${what}: is something other than the emulator listening there? Start the emulator with ` +
        '`npm start`, or pass --local <baseUrl>, or --stack to work on a deployed stack.',
    );
  let response: Response;
  try {
    response = await fetchFn(url, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
  } catch (error) {
    const { reason, detail } = classifyFailure(error);
    const what = reason === 'refused' ? 'connection refused' : reason === 'timeout' ? 'no answer' : detail;
    throw new LocalEmulatorUnavailableError(
      `The local emulator is not running at ${baseUrl} (${what}): start it with \`npm start\`, or pass ` +
        '--local <baseUrl>, or --stack to work on a deployed stack.',
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
  return { document, notEmulator };
}
