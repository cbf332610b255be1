/**
 * The forms a delivery's body takes on its way to the receiver when something between Smartcar and
 * it rewrites the bytes (a proxy, a body parser, a charset conversion): what `doctor` tries a
 * signature on besides the raw bytes. Pure; no form ever prints body content.
 */

/** One wrong form of a body, next to the raw bytes. */
interface BodyForm {
  name: string;
  /** Completes "matches the …". */
  label: string;
  /** Completes "something between Smartcar and the receiver …". */
  cause: string;
  /** The bytes of this form, or undefined when the body has no such form. */
  make: (raw: Buffer) => Buffer | undefined;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const ASCII_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

function text(raw: Buffer): string | undefined {
  try {
    return utf8.decode(raw);
  } catch {
    return undefined;
  }
}

function json(raw: Buffer): { value: unknown } | undefined {
  const body = text(raw);
  try {
    return body === undefined ? undefined : { value: JSON.parse(body) as unknown };
  } catch {
    return undefined;
  }
}

function trimmed(raw: Buffer): Buffer {
  let start = 0;
  let end = raw.length;
  while (start < end && ASCII_WHITESPACE.has(raw[start] ?? 0)) start += 1;
  while (end > start && ASCII_WHITESPACE.has(raw[end - 1] ?? 0)) end -= 1;
  return raw.subarray(start, end);
}

const fromText = (value: string | undefined): Buffer | undefined =>
  value === undefined ? undefined : Buffer.from(value, 'utf8');
const fromJson = (raw: Buffer, indent?: number): Buffer | undefined => {
  const parsed = json(raw);
  return parsed === undefined ? undefined : Buffer.from(JSON.stringify(parsed.value, null, indent), 'utf8');
};

/**
 * The forms tried, in order: each is the bytes the signer may have signed, made from the bytes that
 * arrived; add one here to try it. Raw first, so a match on the exact bytes wins; then the smallest
 * changes before whole rewrites, so canonical JSON with a trailing newline is reported as a newline
 * (trimmed), not as a re-serialization, which would also match it.
 */
export const BODY_FORMS = [
  { name: 'raw', label: 'raw body', cause: '', make: (raw) => raw },
  {
    name: 'trimmed',
    label: 'body without the whitespace at its ends',
    cause: 'adds whitespace at the ends of the body (a trailing newline, most often), or the signer trims it',
    make: trimmed,
  },
  {
    name: 'without-bom',
    label: 'body without its byte-order mark',
    cause: 'adds a byte-order mark',
    make: (raw) => (raw.subarray(0, 3).equals(BOM) ? raw.subarray(3) : undefined),
  },
  {
    name: 'with-bom',
    label: 'body with a byte-order mark',
    cause: 'removes a byte-order mark',
    make: (raw) => (raw.subarray(0, 3).equals(BOM) ? undefined : Buffer.concat([BOM, raw])),
  },
  {
    name: 'crlf',
    label: 'body with CRLF line endings',
    cause: 'converts line endings (CRLF to LF)',
    make: (raw) => fromText(text(raw)?.replace(/\r?\n/g, '\r\n')),
  },
  {
    name: 'lf',
    label: 'body with LF line endings',
    cause: 'converts line endings (LF to CRLF)',
    make: (raw) => fromText(text(raw)?.replace(/\r\n/g, '\n')),
  },
  {
    name: 'latin1-reencoded',
    label: 'body read as Latin-1 and encoded as UTF-8',
    cause: 're-encodes the body (charset conversion: UTF-8 bytes taken for Latin-1)',
    make: (raw) => Buffer.from(raw.toString('latin1'), 'utf8'),
  },
  {
    name: 'utf8-from-latin1',
    label: 'body re-encoded as Latin-1',
    cause: 're-encodes the body (charset conversion between Latin-1 and UTF-8)',
    // Latin-1 holds U+0000..U+00FF only; Buffer would silently truncate anything above.
    make: (raw) => {
      const body = text(raw);
      return body === undefined || /[\u0100-\uffff]/.test(body) ? undefined : Buffer.from(body, 'latin1');
    },
  },
  {
    name: 'escaped-unicode',
    label: 'body with its non-ASCII characters as \\u escapes',
    cause: 're-serializes JSON with non-ASCII characters escaped (\\uXXXX)',
    // Outside strings JSON is ASCII, so escaping every non-ASCII code unit changes nothing else.
    make: (raw) =>
      json(raw) === undefined
        ? undefined
        : fromText(
            text(raw)?.replace(
              /[\u0080-\uffff]/g,
              (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
            ),
          ),
  },
  {
    name: 'reserialized',
    label: 're-serialized body (JSON.stringify of the parsed body)',
    cause: "rewrites JSON (a proxy, a framework's body parser, a gateway transform)",
    make: (raw) => fromJson(raw),
  },
  {
    name: 'pretty',
    label: 'pretty-printed body',
    cause: "re-formats JSON (a proxy, a framework's body parser, a gateway transform)",
    make: (raw) => fromJson(raw, 2),
  },
  {
    name: 'base64-text',
    label: 'base64 text of the body',
    cause: 'hands the body over base64-encoded and nothing decodes it (an API Gateway base64 body)',
    make: (raw) => Buffer.from(raw.toString('base64'), 'utf8'),
  },
] as const satisfies readonly BodyForm[];

/** The name of one of {@link BODY_FORMS}. */
export type BodyFormName = (typeof BODY_FORMS)[number]['name'];
