import { isJsonObject } from './schema-helpers';

/**
 * True when the schema left a value out somewhere: a key of the parsed event that holds undefined
 * while the document had a non-null value there. Only `lenient()` fields do that (JSON cannot
 * hold undefined), so this finds every dropped field without a list of paths to keep in step
 * with the schemas. Arrays are compared entry by entry, also with an object normalized to a list
 * (`signals` keyed by name), whose values keep their order.
 */
export function hasDroppedValue(document: unknown, parsed: unknown): boolean {
  if (Array.isArray(parsed)) {
    const entries = Array.isArray(document)
      ? document
      : isJsonObject(document)
        ? Object.values(document)
        : [];
    return parsed.some((entry, index) => hasDroppedValue(entries[index], entry));
  }
  if (!isJsonObject(parsed) || !isJsonObject(document)) return false;
  for (const [key, value] of Object.entries(parsed)) {
    const original = document[key];
    if (
      value === undefined ? original !== undefined && original !== null : hasDroppedValue(original, value)
    ) {
      return true;
    }
  }
  return false;
}
