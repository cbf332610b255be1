/* global document, fetch, setTimeout, URLSearchParams */
// The inspector's page (served at /_local/ by local/inspector/routes.ts, no build step): polls
// GET /_local/status for the counts and GET /_local/deliveries for the list every second, shows
// the selected event from GET /_local/deliveries/<key>, and runs POST /_local/actions/<action>.
// Everything from a delivery is put on the page as text, never as HTML: anyone can POST a body.
'use strict';

(() => {
  const POLL_MS = 1000;
  const COUNTS = [
    ['received', (s) => s.received],
    ['enqueued', (s) => s.enqueued],
    ['processed', (s) => s.processed],
    ['duplicates', (s) => s.duplicates],
    ['failed', (s) => s.failed],
    ['dead-lettered', (s) => s.deadLettered],
    ['refused', (s) => s.refused],
    ['quarantined', (s) => s.quarantine && s.quarantine.kept],
    ['released', (s) => s.quarantine && s.quarantine.released],
    ['in the DLQ', (s) => s.deadLetterQueue && s.deadLetterQueue.visible],
    ['queued', (s) => s.queue && s.queue.visible + s.queue.inFlight],
  ];

  const view = { selected: undefined, unmask: false, type: '', vehicle: '', shown: {}, refreshes: 0 };
  const byId = (id) => document.getElementById(id);

  /** An element with text and attributes; children are elements or strings (added as text). */
  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null) node.setAttribute(name, String(value));
    }
    for (const child of children) {
      if (child !== undefined && child !== null) node.append(child);
    }
    return node;
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    const body = await response.json();
    if (!response.ok) throw Object.assign(new Error(body.message || String(response.status)), { response });
    return body;
  }

  const clock = (iso) => (typeof iso === 'string' ? iso.slice(11, 23) : '');
  const short = (key) => (key.startsWith('sha256:') ? key.slice(0, 15) : key.slice(0, 8));
  const stateBadge = (state) => element('span', { class: `state state-${state}` }, state);

  /** Renders `render(data)` only when `data` changed, so selections and scroll positions survive polls. */
  function changed(name, data) {
    const text = JSON.stringify(data);
    if (view.shown[name] === text) return false;
    view.shown[name] = text;
    return true;
  }

  function renderCounts(status) {
    if (!changed('counts', status)) return;
    const items = COUNTS.flatMap(([label, read]) => [
      element('dt', {}, label),
      element('dd', { 'data-count': label }, String(read(status) ?? 0)),
    ]);
    byId('counts').replaceChildren(...items);
    const reasons = Object.entries(status.refusedByReason || {})
      .map(([code, count]) => `${code} ${count}`)
      .join(', ');
    byId('counts').title = reasons === '' ? 'nothing refused' : `refused: ${reasons}`;
  }

  function renderTypes(types) {
    if (!changed('types', types)) return;
    const select = byId('filter-type');
    const options = ['', ...types].map((type) =>
      element('option', { value: type, ...(type === view.type ? { selected: '' } : {}) }, type || 'all'),
    );
    select.replaceChildren(...options);
  }

  function renderList(list) {
    renderTypes(list.eventTypes);
    if (!changed('list', [list.deliveries, view.selected])) return;
    const rows = list.deliveries.map((delivery) =>
      element(
        'tr',
        {
          'data-key': delivery.key,
          'data-state': delivery.state,
          'data-type': delivery.eventType,
          tabindex: 0,
          'aria-selected': delivery.key === view.selected ? 'true' : 'false',
        },
        element('td', {}, clock(delivery.firstSeenAt)),
        element('td', {}, delivery.eventType || '?'),
        element('td', { title: delivery.key }, short(delivery.key)),
        element(
          'td',
          { title: delivery.vehicleId },
          delivery.vehicleId ? delivery.vehicleId.slice(0, 8) : '',
        ),
        element('td', {}, stateBadge(delivery.state)),
        element('td', { class: 'detail' }, delivery.detail || ''),
      ),
    );
    byId('deliveries').tBodies[0].replaceChildren(...rows);
    byId('empty').hidden = list.events > 0;
    byId('shown').textContent =
      `${list.deliveries.length} shown, ${list.events} held (the last ${list.maxEvents})`;
  }

  function renderDetail(entry) {
    if (!changed('detail', entry)) return;
    byId('detail').hidden = false;
    byId('detail-title').replaceChildren(`${entry.eventType || '?'} ${entry.key} `, stateBadge(entry.state));
    byId('detail-ids').textContent =
      `vehicle ${entry.vehicleId || '?'} · ${entry.deliveries} deliver${entry.deliveries === 1 ? 'y' : 'ies'}` +
      ` · first seen ${entry.firstSeenAt}`;
    byId('resend').disabled = !entry.hasBody;
    byId('release').disabled = !entry.quarantined;
    byId('steps').replaceChildren(
      ...entry.steps.map((step) =>
        element(
          'li',
          {},
          element('time', {}, clock(step.at)),
          ' ',
          stateBadge(step.state),
          ' ',
          step.detail || '',
        ),
      ),
    );
    byId('masked-note').textContent = entry.masked ? '(VIN and locations masked)' : '(as it arrived)';
    byId('unmask').textContent = entry.masked ? 'Unmask' : 'Mask';
    byId('unmask').setAttribute('aria-pressed', entry.masked ? 'false' : 'true');
    byId('payload').textContent =
      entry.payload !== null
        ? JSON.stringify(entry.payload, null, 2)
        : (entry.bodyText ?? entry.bodyNote ?? 'no body');
    byId('logs-note').textContent = entry.logsDropped > 0 ? `(the last ${entry.logs.length})` : '';
    byId('logs').replaceChildren(
      ...entry.logs.map((record) => {
        const { timestamp, level, message, service, ...fields } = record;
        return element(
          'li',
          { class: `log log-${String(level).toLowerCase()}` },
          element('time', {}, clock(timestamp)),
          ` ${service || '?'} ${level || ''} ${message || ''} `,
          element('code', {}, JSON.stringify(fields)),
        );
      }),
    );
  }

  async function refresh() {
    // A filter change refreshes at once, beside the poll: only the latest answer is shown.
    const refreshNumber = ++view.refreshes;
    try {
      const query = new URLSearchParams();
      if (view.type) query.set('type', view.type);
      if (view.vehicle) query.set('vehicle', view.vehicle);
      const [status, list] = await Promise.all([
        getJson('/_local/status'),
        getJson(`/_local/deliveries?${query}`),
      ]);
      if (refreshNumber !== view.refreshes) return;
      renderCounts(status);
      renderList(list);
      await refreshDetail();
      byId('connection').textContent = `updated ${new Date().toISOString().slice(11, 19)} UTC`;
      byId('connection').className = '';
    } catch (error) {
      byId('connection').textContent = `npm start unreachable: ${error.message}`;
      byId('connection').className = 'fail';
    }
  }

  async function refreshDetail() {
    if (view.selected === undefined) return;
    const key = view.selected;
    try {
      const entry = await getJson(
        `/_local/deliveries/${encodeURIComponent(key)}${view.unmask ? '?unmask=1' : ''}`,
      );
      if (view.selected === key) renderDetail(entry);
    } catch (error) {
      // Dropped from the timeline (it holds the last events only): nothing left to show.
      if (error.response && error.response.status === 404) select(undefined);
      else throw error;
    }
  }

  function select(key) {
    view.selected = key;
    view.unmask = false;
    view.shown.detail = undefined;
    byId('detail').hidden = key === undefined;
    for (const row of byId('deliveries').tBodies[0].rows) {
      row.setAttribute('aria-selected', row.dataset.key === key ? 'true' : 'false');
    }
    void refreshDetail();
  }

  async function act(action, body) {
    const outcome = byId('outcome');
    outcome.hidden = false;
    outcome.className = 'running';
    outcome.textContent = `${action}: running…`;
    const buttons = document.querySelectorAll('button[data-action]');
    for (const button of buttons) button.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(`/_local/actions/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const result = await response.json();
      // A release that kept what does not verify did its job: a warning, not a failure.
      outcome.className = !response.ok
        ? 'fail'
        : result.ok
          ? 'ok'
          : result.outcome === 'kept'
            ? 'warn'
            : 'fail';
      outcome.dataset.action = action;
      outcome.dataset.outcome = result.outcome || (result.ok ? 'ok' : 'failed');
      outcome.replaceChildren(
        `${action}: ${response.ok ? result.summary : result.message}`,
        ...(response.ok ? [element('pre', {}, result.output.join('\n'))] : []),
      );
    } catch (error) {
      outcome.className = 'fail';
      outcome.textContent = `${action}: ${error.message}`;
    } finally {
      for (const button of buttons) button.removeAttribute('aria-busy');
      void refresh();
    }
  }

  function start() {
    byId('deliveries').addEventListener('click', (event) => {
      const row = event.target.closest('tr[data-key]');
      if (row) select(row.dataset.key);
    });
    byId('deliveries').addEventListener('keydown', (event) => {
      const row = event.target.closest('tr[data-key]');
      if (row && (event.key === 'Enter' || event.key === ' ')) {
        event.preventDefault();
        select(row.dataset.key);
      }
    });
    byId('filter-type').addEventListener('change', (event) => {
      view.type = event.target.value;
      void refresh();
    });
    byId('filter-vehicle').addEventListener('input', (event) => {
      view.vehicle = event.target.value.trim();
      void refresh();
    });
    byId('unmask').addEventListener('click', () => {
      view.unmask = !view.unmask;
      void refreshDetail();
    });
    byId('resend').addEventListener('click', () => act('resend', { key: view.selected }));
    byId('replay').addEventListener('click', () =>
      act('replay', { key: view.selected, reprocess: byId('reprocess').checked }),
    );
    byId('release').addEventListener('click', () => act('release', { id: view.selected }));
    byId('redrive').addEventListener('click', () => act('redrive', {}));
    const poll = async () => {
      await refresh();
      setTimeout(poll, POLL_MS);
    };
    void poll();
  }

  start();
})();
