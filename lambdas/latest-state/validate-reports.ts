import { InvalidSignalReportError } from './errors';
import type { SignalReport } from './signal-state';

/**
 * Checks the arguments of `recordSignals` before anything is written, so a bad call writes
 * nothing. Returns one report per code: should a code appear twice, the last one counts (both
 * would carry the same event id and could otherwise race for the same item).
 */
export function validateReports(
  vehicleId: unknown,
  eventId: unknown,
  signals: readonly SignalReport[],
): SignalReport[] {
  requireText('vehicleId', vehicleId);
  requireText('eventId', eventId);
  if (!Array.isArray(signals)) throw new InvalidSignalReportError('signals', 'must be an array');

  const byCode = new Map<string, SignalReport>();
  signals.forEach((report: SignalReport, index) => {
    const at = `signals[${index}]`;
    requireText(`${at}.code`, report?.code);
    if (
      typeof report.observedAt !== 'number' ||
      !Number.isFinite(report.observedAt) ||
      report.observedAt < 0
    ) {
      throw new InvalidSignalReportError(`${at}.observedAt`, 'must be a finite epoch-millisecond number ≥ 0');
    }
    if (report.error !== undefined) {
      if (typeof report.error?.type !== 'string') {
        throw new InvalidSignalReportError(`${at}.error.type`, 'must be a string');
      }
      if (report.error.code !== null && typeof report.error.code !== 'string') {
        throw new InvalidSignalReportError(`${at}.error.code`, 'must be a string or null');
      }
    } else if (
      report.body !== undefined &&
      (typeof report.body !== 'object' || report.body === null || Array.isArray(report.body))
    ) {
      throw new InvalidSignalReportError(`${at}.body`, 'must be an object (the signal body) when present');
    }
    byCode.delete(report.code);
    byCode.set(report.code, report);
  });
  return [...byCode.values()];
}

function requireText(field: string, value: unknown): void {
  // DynamoDB rejects empty strings in key attributes.
  if (typeof value !== 'string' || value === '') {
    throw new InvalidSignalReportError(field, 'must be a non-empty string');
  }
}
