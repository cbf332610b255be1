import type { ArchiveRecord } from '../../lambdas/contract';
import { type ArchiveLocation, readSelection } from '../archive/archive-reader';
import type { ArchiveSelection } from '../archive/selection';
import { callAws } from './aws-errors';
import { CommandFailedError, isErrorLike } from './errors';

/** One archived delivery as `--json` prints it: the receipt, without the body. */
export interface ArchivedEventSummary {
  receivedAt: string;
  eventType?: string;
  eventId?: string;
  eventKey: string;
  vehicleId?: string;
  mode?: string;
  deliveryId?: string;
  verifiedWith?: string;
}

/** The receipt of an archived delivery, for `--json`. No payload: that is `events --show`'s. */
export function summarize(record: ArchiveRecord): ArchivedEventSummary {
  return {
    receivedAt: record.received_at,
    eventType: record.event_type,
    eventId: record.event_id,
    eventKey: record.event_key,
    vehicleId: record.vehicle_id,
    mode: record.mode,
    deliveryId: record.delivery_id,
    verifiedWith: record.verified_with,
  };
}

/** One line per delivery: time, type, event id, vehicle, mode. */
export function eventLine(record: ArchiveRecord): string {
  return [
    record.received_at,
    (record.event_type ?? '(no type)').padEnd(13),
    record.event_id ?? record.event_key,
    `vehicle ${record.vehicle_id ?? '(none)'}`,
    record.mode ?? '',
  ]
    .join('  ')
    .trimEnd();
}

/** The selection in words, for headers: "2026-12-01T20:00:00.000Z … 2026-12-01T22:00:00.000Z, type VEHICLE_STATE". */
export function describeSelection(selection: ArchiveSelection): string {
  const narrowed = [
    selection.eventType === undefined ? undefined : `type ${selection.eventType}`,
    selection.vehicleId === undefined ? undefined : `vehicle ${selection.vehicleId}`,
    selection.eventId === undefined ? undefined : `event ${selection.eventId}`,
  ].filter((part) => part !== undefined);
  const range = `${new Date(selection.sinceMs).toISOString()} … ${new Date(selection.untilMs).toISOString()}`;
  return [range, ...narrowed].join(', ');
}

/**
 * The selected deliveries, each once, oldest first, with S3's failures said in CLI terms.
 * @throws CommandFailedError (the bucket is gone), AwsAccessDeniedError (no s3:ListBucket/GetObject)
 */
export async function readArchive(
  location: ArchiveLocation,
  selection: ArchiveSelection,
): Promise<ArchiveRecord[]> {
  try {
    return await callAws(
      {
        action: 's3:ListBucket and s3:GetObject',
        subject: `s3://${location.bucket}`,
        permissionHint: 'Reading the archive needs both, on the bucket and on its events/ prefix.',
      },
      () => readSelection(location, selection),
    );
  } catch (error) {
    if (
      isErrorLike(error) &&
      (error.name === 'NoSuchBucket' || (isErrorLike(error.cause) && error.cause.name === 'NoSuchBucket'))
    ) {
      throw new CommandFailedError(
        `The archive bucket ${location.bucket} does not exist: was it deleted, or is this another stack's region (--region)?`,
        { cause: error },
      );
    }
    throw error;
  }
}
