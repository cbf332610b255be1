import { z } from 'zod';
import { parseJsonObject } from '../../lambdas/runtime/envelope';
import type { LocalRequest, LocalResponse } from '../api-gateway';
import { maskPersonalData } from '../archive/masking';
import {
  type ActionContext,
  type ActionOutcome,
  INSPECTOR_ACTIONS,
  type InspectorAction,
  redrive,
  release,
  replay,
  resend,
} from './actions';
import { INSPECTOR_ERRORS, InspectorRequestError } from './errors';
import { guardRequest, type RouteKind } from './request-guard';
import { errorResponse, json, loadStaticFiles, PAGE_HEADERS, redirect } from './responses';
import type { DeliveryTimeline, TimelineEntry } from './timeline';

/** Settings of {@link inspectorRoutes}. */
export interface InspectorOptions {
  timeline: DeliveryTimeline;
  /** How actions run the CLI and read the token; their `baseUrl` is the origin each request came to. */
  actions?: Omit<ActionContext, 'baseUrl'>;
}

/** Where the inspector's page is on the local API. */
export const INSPECTOR_PATH = '/_local/';

// The API's own /_local routes (local/api-gateway.ts), named here so a wrong method gets a 405.
const API_ROUTES: Readonly<Record<string, string>> = {
  '/_local/status': 'GET',
  '/_local/faults': 'GET, POST',
};

const MAX_ACTION_BODY_BYTES = 16 * 1024;

const KEY = z.string().trim().min(1).max(300);
const ACTION_BODIES = {
  resend: z.object({ key: KEY }).strict(),
  replay: z.object({ key: KEY, reprocess: z.boolean().optional() }).strict(),
  redrive: z.object({}).strict(),
  release: z.object({ id: KEY }).strict(),
} as const satisfies Record<InspectorAction, z.ZodType>;

/** An action's parsed body: the fields of {@link ACTION_BODIES}. */
type ActionInput = { key?: string; id?: string; reprocess?: boolean };

/**
 * The local web inspector under `/_local/`: its page (`GET /_local/`, one HTML file with its
 * script and style), the timeline as JSON (`GET /_local/deliveries?type=&vehicle=`,
 * `GET /_local/deliveries/<key>?unmask=1`) and the CLI's actions
 * (`POST /_local/actions/<resend|replay|redrive|release>`). The page's counts are
 * `GET /_local/status`'s. Unknown routes get a 404, wrong methods a 405, cross-site requests a 403
 * ({@link guardRequest}), each with `{ "error", "message" }`.
 */
export function inspectorRoutes(
  options: InspectorOptions,
): (request: LocalRequest) => Promise<LocalResponse> {
  const files = loadStaticFiles();
  const route = async (request: LocalRequest): Promise<LocalResponse> => {
    const { pathname } = request.url;
    if (pathname === '/_local') return redirect(INSPECTOR_PATH);
    const file = files.get(pathname);
    if (file !== undefined) {
      allow(request, 'GET', 'page');
      return { statusCode: 200, headers: { ...PAGE_HEADERS, 'content-type': file.type }, body: file.content };
    }
    const apiMethod = API_ROUTES[pathname];
    if (apiMethod !== undefined) throw methodNotAllowed(request, apiMethod);
    if (pathname === '/_local/deliveries') {
      allow(request, 'GET', 'read');
      return listDeliveries(request.url, options.timeline);
    }
    const deliveryKey = matchSegment(pathname, '/_local/deliveries/');
    if (deliveryKey !== undefined) {
      allow(request, 'GET', 'read');
      return showDelivery(request.url, deliveryKey, options.timeline);
    }
    const action = matchSegment(pathname, '/_local/actions/');
    if (action !== undefined && isAction(action)) {
      allow(request, 'POST', 'write');
      const context: ActionContext = { ...options.actions, baseUrl: request.url.origin };
      return json(200, await perform(action, readAction(action, request.body), options.timeline, context));
    }
    throw new InspectorRequestError(
      404,
      INSPECTOR_ERRORS.notFound,
      action !== undefined
        ? `No action "${action}": use ${INSPECTOR_ACTIONS.map((name) => `POST /_local/actions/${name}`).join(', ')}.`
        : `No route ${pathname}: the inspector is GET ${INSPECTOR_PATH}, its data GET /_local/deliveries and ` +
            'GET /_local/deliveries/<key>, the counts GET /_local/status.',
    );
  };
  return async (request) => {
    try {
      return await route(request);
    } catch (failure) {
      if (failure instanceof InspectorRequestError) return errorResponse(failure);
      // An action's command failed in a way the CLI does not turn into an exit code (a bug, or the
      // emulator unreachable): the page shows the message.
      return errorResponse(
        new InspectorRequestError(
          502,
          INSPECTOR_ERRORS.actionFailed,
          failure instanceof Error ? failure.message : String(failure),
        ),
      );
    }
  };
}

/** @throws InspectorRequestError unless the method is `method` and the request passes {@link guardRequest} */
function allow(request: LocalRequest, method: 'GET' | 'POST', kind: RouteKind): void {
  if (request.method !== method) throw methodNotAllowed(request, method);
  guardRequest(request.headers, kind);
}

function listDeliveries(url: URL, timeline: DeliveryTimeline): LocalResponse {
  const { type, vehicle } = readParams(url, ['type', 'vehicle']);
  const filter = { type, vehicle };
  return json(200, {
    deliveries: timeline.list(filter),
    filter,
    ...timeline.size(),
    eventTypes: timeline.eventTypes(),
  });
}

function showDelivery(url: URL, key: string, timeline: DeliveryTimeline): LocalResponse {
  const { unmask } = readParams(url, ['unmask']);
  if (unmask !== undefined && !['1', 'true', '0', 'false'].includes(unmask)) {
    throw invalid(`unmask must be 1 or 0, got "${unmask}".`);
  }
  const { body, ...entry } = known(timeline, key);
  const show = unmask === '1' || unmask === 'true';
  return json(200, { ...entry, masked: !show, ...presentBody(body, show) });
}

/** The payload with the VIN and locations masked unless `unmask`; a body that is no JSON object only unmasked. */
function presentBody(body: string | undefined, unmask: boolean): Record<string, unknown> {
  if (body === undefined) return { payload: null };
  const document = parseJsonObject(body);
  if (document !== undefined) return { payload: unmask ? document : maskPersonalData(document) };
  if (unmask) return { payload: null, bodyText: body };
  return {
    payload: null,
    bodyNote: `${Buffer.byteLength(body)} bytes, not a JSON object: unmask to see them as text`,
  };
}

function isAction(name: string): name is InspectorAction {
  return (INSPECTOR_ACTIONS as readonly string[]).includes(name);
}

/** @throws InspectorRequestError (400, 413) for a body that is too large, not JSON or not the action's fields */
function readAction(action: InspectorAction, body: Buffer): ActionInput {
  if (body.length > MAX_ACTION_BODY_BYTES) {
    throw new InspectorRequestError(
      413,
      INSPECTOR_ERRORS.tooLarge,
      `An action's body is a few fields, at most ${MAX_ACTION_BODY_BYTES} bytes.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8'));
  } catch {
    throw invalid(`${action}: the body is not valid JSON.`);
  }
  const parsed = ACTION_BODIES[action].safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.join('.');
  throw invalid(`${action}: ${where}: ${issue?.message ?? 'invalid'}.`);
}

async function perform(
  action: InspectorAction,
  input: ActionInput,
  timeline: DeliveryTimeline,
  context: ActionContext,
): Promise<ActionOutcome> {
  switch (action) {
    case 'redrive':
      return redrive(context);
    case 'release':
      return release(input.id ?? '', context);
    case 'replay':
      return replay(known(timeline, input.key ?? ''), input.reprocess ?? false, context);
    case 'resend': {
      const entry = known(timeline, input.key ?? '');
      if (entry.body === undefined) {
        throw new InspectorRequestError(
          409,
          INSPECTOR_ERRORS.bodyNotKept,
          `No body to resend for ${entry.key}: ${entry.bodyNote ?? 'not kept'}.`,
        );
      }
      return resend(entry, entry.body, context);
    }
  }
}

function known(timeline: DeliveryTimeline, key: string): TimelineEntry {
  const entry = timeline.get(key);
  if (entry !== undefined) return entry;
  throw new InspectorRequestError(
    404,
    INSPECTOR_ERRORS.unknownEvent,
    `No event ${key} in the inspector's timeline (it holds the last events of this run).`,
  );
}

/** The path's one segment after `prefix`, decoded; undefined when the path is not `prefix<segment>`. */
function matchSegment(pathname: string, prefix: string): string | undefined {
  if (!pathname.startsWith(prefix)) return undefined;
  const rest = pathname.slice(prefix.length);
  if (rest === '' || rest.includes('/')) return undefined;
  try {
    return decodeURIComponent(rest);
  } catch {
    return undefined;
  }
}

/**
 * The query's parameters, blank ones as absent.
 * @throws InspectorRequestError (400) for an unknown parameter or one given twice
 */
function readParams<Name extends string>(url: URL, names: readonly Name[]): Partial<Record<Name, string>> {
  const values: Partial<Record<Name, string>> = {};
  for (const name of new Set(url.searchParams.keys())) {
    if (!(names as readonly string[]).includes(name)) {
      throw invalid(`Unknown parameter "${name}": use ${names.join(', ')}.`);
    }
    const all = url.searchParams.getAll(name);
    if (all.length > 1) throw invalid(`Parameter "${name}" is given ${all.length} times.`);
    const value = all[0]?.trim();
    if (value !== undefined && value !== '') values[name as Name] = value;
  }
  return values;
}

function methodNotAllowed(request: LocalRequest, allowed: string): InspectorRequestError {
  return new InspectorRequestError(
    405,
    INSPECTOR_ERRORS.methodNotAllowed,
    `${request.method} ${request.url.pathname} is not supported: use ${allowed}.`,
    { allow: allowed },
  );
}

function invalid(message: string): InspectorRequestError {
  return new InspectorRequestError(400, INSPECTOR_ERRORS.invalidRequest, message);
}
