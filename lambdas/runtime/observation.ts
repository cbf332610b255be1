import { channel } from 'node:diagnostics_channel';
import type { CustomJsonReplacerFn } from '@aws-lambda-powertools/logger/types';

/**
 * The functions' log records, published on a `node:diagnostics_channel` as they are printed, for
 * whoever hosts the functions and wants to follow them without parsing their output (the local
 * emulator's activity display). A deployed function has no subscriber, and publishing is skipped.
 */
export const LOG_RECORDS_CHANNEL = 'smartcar-webhooks:log-records';

const logRecords = channel(LOG_RECORDS_CHANNEL);

/**
 * A Powertools `jsonReplacerFn` (its documented serialization hook) that publishes each record on
 * {@link LOG_RECORDS_CHANNEL}: JSON.stringify calls it first with the key '' and the whole record.
 * It returns every value unchanged, and with nobody subscribed it costs one comparison per key.
 */
export const publishLogRecord: CustomJsonReplacerFn = (key, value) => {
  if (key === '' && logRecords.hasSubscribers) logRecords.publish(value);
  return value;
};

/**
 * Publishes an EMF document on {@link LOG_RECORDS_CHANNEL} as it is printed: on the happy path it
 * is the function's only line, its metadata standing in for a log record (`message`, `eventId`).
 * `document` is only called when someone subscribes, so a deployed function does not build it twice.
 */
export function publishEmfDocument(document: () => object): void {
  if (logRecords.hasSubscribers) logRecords.publish(document());
}
