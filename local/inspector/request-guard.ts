import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { INSPECTOR_ERRORS, InspectorRequestError } from './errors';

/** What a route serves, which decides what it must refuse. */
export type RouteKind = 'page' | 'read' | 'write';

/**
 * The inspector shows payloads (VINs, locations) and runs commands, so it answers only what the
 * user's own browser asks of it from its own page:
 *
 * - `Host` must be an IP address or `localhost`, never a domain: a page whose domain was
 *   re-pointed at 127.0.0.1 (DNS rebinding) is same-origin with itself, not with us, and sends
 *   its own name. (The local API answers `/_local` for this machine only, whatever the address.)
 * - Reads (`read`) must not come from another site (`Sec-Fetch-Site`, which every current browser
 *   sends; curl sends none and is let through).
 * - Actions (`write`) must come from this origin (`Origin`, when sent, and `Sec-Fetch-Site`) with
 *   `content-type: application/json`, which no HTML form can send and which makes a cross-origin
 *   `fetch` ask first (a CORS preflight), a question this API never answers with yes.
 * @throws InspectorRequestError (403, 415) naming what was refused
 */
export function guardRequest(headers: IncomingHttpHeaders, kind: RouteKind): void {
  const host = headers.host;
  if (host === undefined || !isAddressOrLocalhost(host)) {
    throw new InspectorRequestError(
      403,
      INSPECTOR_ERRORS.notLocalHost,
      `The inspector answers requests for an IP address or localhost only (http://127.0.0.1:<port>/_local/), not for host "${host ?? '(none)'}".`,
    );
  }
  if (kind === 'page') return;
  const fetchSite = headers['sec-fetch-site'];
  const allowedSites = kind === 'write' ? ['same-origin'] : ['same-origin', 'none'];
  if (fetchSite !== undefined && !allowedSites.includes(fetchSite)) {
    throw crossSite(`Sec-Fetch-Site is "${fetchSite}"`);
  }
  if (kind === 'read') return;
  const origin = headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) throw crossSite(`Origin is "${origin}"`);
  const mediaType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new InspectorRequestError(
      415,
      INSPECTOR_ERRORS.unsupportedMediaType,
      `Actions take a JSON body: send content-type: application/json (got "${headers['content-type'] ?? '(none)'}").`,
    );
  }
}

function crossSite(why: string): InspectorRequestError {
  return new InspectorRequestError(
    403,
    INSPECTOR_ERRORS.crossSite,
    `Refused: ${why}. The inspector acts only for its own page (open /_local/ on this machine) or for curl.`,
  );
}

function isAddressOrLocalhost(host: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
  return hostname === 'localhost' || isIP(hostname.replace(/^\[(.*)\]$/, '$1')) !== 0;
}
