/** A JSON object under test: a fixture to send as it is, or to break one field of. */
export type Json = Record<string, unknown>;

/** A path into a JSON document: object keys and array indices. */
export type JsonPath = readonly (string | number)[];

function parentOf(document: unknown, path: JsonPath): Record<string | number, unknown> {
  let node = document;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  if (typeof node !== 'object' || node === null) throw new Error(`No container at ${path.join('.')}`);
  return node as Record<string | number, unknown>;
}

/** Sets the value at `path` (mutates and returns the document). */
export function setAt<T>(document: T, path: JsonPath, value: unknown): T {
  parentOf(document, path)[path[path.length - 1]!] = value;
  return document;
}

/** Removes the field at `path` (mutates and returns the document). */
export function removeAt<T>(document: T, path: JsonPath): T {
  delete parentOf(document, path)[path[path.length - 1]!];
  return document;
}
