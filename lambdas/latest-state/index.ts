/**
 * The optional latest-state store: each vehicle's newest value per signal, written with
 * conditional updates so late or repeated deliveries never overwrite newer data. See
 * latest-state-store.ts for the table design and the ordering rules.
 */
export { CorruptStateItemError, InvalidSignalReportError, LatestStateError } from './errors';
export {
  createLatestStateStore,
  type LatestStateStore,
  type LatestStateStoreOptions,
} from './latest-state-store';
export {
  compareVersions,
  type RecordedError,
  type RecordResult,
  type ReportVersion,
  SIGNAL_STATUS,
  type SignalError,
  type SignalReport,
  type SignalState,
  type SignalStatus,
  STATE_ATTRIBUTES,
} from './signal-state';
export { latestStateTableInput } from './table-definition';
