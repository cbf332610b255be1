/**
 * Personal data in a delivery shown on a terminal: the VIN and locations are masked unless the
 * user asks (`--unmask`). What is masked is named, not guessed from values.
 */

/** Signal codes whose whole body is personal data. */
const PERSONAL_SIGNALS = new Set([
  'vehicleidentification-vin',
  'location-preciselocation',
  'location-isathome',
]);
/** Keys whose values are personal data wherever they appear. */
const PERSONAL_KEYS = new Set(['vin', 'latitude', 'longitude', 'heading', 'direction']);

const MASK = '«masked»';

/** A copy of a parsed delivery with the VIN and locations masked. */
export function maskPersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskPersonalData);
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  const masked: Record<string, unknown> = {};
  const personalSignal = typeof object.code === 'string' && PERSONAL_SIGNALS.has(object.code);
  for (const [key, inner] of Object.entries(object)) {
    if (PERSONAL_KEYS.has(key.toLowerCase()) || (personalSignal && key === 'body')) masked[key] = MASK;
    else masked[key] = maskPersonalData(inner);
  }
  return masked;
}
