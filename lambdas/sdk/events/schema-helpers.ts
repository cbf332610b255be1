import * as z from 'zod';

/**
 * Building blocks shared by the event schemas. Every object schema in this folder is loose
 * (`z.looseObject`): Smartcar adds fields without notice, and an unknown field must never make a
 * genuine delivery fail.
 */

/** A non-empty string: ids, codes and names. */
export const nonEmptyString = z.string().min(1);

/**
 * A string field whose documented values are known but which Smartcar may extend (error codes,
 * modes, units). Typed as the known values for autocompletion, yet any string is accepted so a new
 * value does not reject the whole event. Closed enums are kept for fields that decide routing.
 * @param _known the documented values; only their type is used
 */
export function openEnum<const T extends readonly string[]>(_known: T) {
  return z.custom<T[number] | (string & {})>((value) => typeof value === 'string', {
    error: 'Invalid input: expected string',
  });
}

/**
 * An optional field nothing depends on (a display name, a count, a delivery time with a fallback):
 * a value that does not match `schema`, null included, is left out of the parsed event instead of
 * refusing it. The key then stays, holding undefined, which is how drift detection tells a dropped
 * value from an absent one (JSON itself cannot hold undefined).
 */
export function lenient<T extends z.ZodType>(schema: T) {
  return schema.optional().catch(undefined);
}

/**
 * An optional field where null means absent, as some serializers write it; any other value must
 * match `schema`. For fields that are checked rather than dropped (`meta` itself, `meta.version`).
 */
export function nullAsAbsent<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.optional());
}

/** Epoch milliseconds or seconds as a positive finite number. */
export const epochNumberSchema = z.number().positive();

/** An ISO-8601 date-time with `Z` or a numeric offset. */
export const isoDateTimeSchema = z.iso.datetime({ offset: true });

/**
 * A point in time as Smartcar writes it: epoch milliseconds (real payloads), epoch seconds (seen
 * once) or an ISO-8601 string (some doc pages). `toEpochMs()` normalizes it.
 */
export const timestampSchema = z.union([epochNumberSchema, isoDateTimeSchema], {
  error: 'Invalid input: expected epoch milliseconds, epoch seconds or an ISO-8601 date-time',
});

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
