import { existsSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CLI_DEFAULTS } from '../../local/cli/config';
import { SAMPLE_VIN } from '../../local/kit';
import { sign, TEST_TOKEN, vehicleErrorEvent, vehicleStateEvent } from '../support/builders';
import {
  PIPELINE_DEADLINE_MS,
  PIPELINE_TEST_TIMEOUT_MS,
  type RunningPipeline,
  startPipelineProcess,
} from './support/local-pipeline';

jest.setTimeout(PIPELINE_TEST_TIMEOUT_MS);

/** Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it): playwright-core downloads none. */
const CHROMIUM = '/usr/bin/chromium';
/** The README's picture of the inspector, rewritten only with UPDATE_SCREENSHOT=1. */
const SCREENSHOT = path.join(__dirname, '..', '..', 'docs', 'inspector.png');
const WRONG_TOKEN = 'the-dashboard-token-the-receiver-does-not-hold';

/** A delivery as Smartcar makes it: its User-Agent, signed with `token`; throws unless answered `status`. */
async function deliver(pipeline: RunningPipeline, body: string, status: number, token = TEST_TOKEN) {
  const response = await fetch(pipeline.webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': CLI_DEFAULTS.userAgent,
      'sc-signature': sign(body, token),
    },
    body,
  });
  const answer = await response.text();
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${answer}`);
}

/** The rows on the page: event key → state, top to bottom. */
async function rows(page: Page): Promise<[string, string][]> {
  return page.$$eval('#deliveries tbody tr', (trs) =>
    trs.map((tr) => [tr.getAttribute('data-key') ?? '', tr.getAttribute('data-state') ?? '']),
  );
}

const row = (key: string) => `#deliveries tr[data-key="${key}"]`;

const HAS_CHROMIUM = existsSync(CHROMIUM);
// Skipped only where the browser is missing (a machine that never ran .ci/run): the title says what to install.
const describeInBrowser = HAS_CHROMIUM ? describe : describe.skip;

describeInBrowser(
  HAS_CHROMIUM
    ? 'the inspector at /_local/, in Chromium'
    : `the inspector at /_local/, in Chromium: SKIPPED, ${CHROMIUM} is missing (apt-get install -y chromium)`,
  () => {
    let pipeline: RunningPipeline;
    let browser: Browser;
    let page: Page;
    const pageErrors: string[] = [];
    const processed = vehicleStateEvent();
    const quarantined = vehicleStateEvent();
    const duplicated = vehicleErrorEvent();

    beforeAll(async () => {
      pipeline = await startPipelineProcess(TEST_TOKEN, ['--visibility-timeout', '1']);
      await deliver(pipeline, JSON.stringify(processed), 200);
      await deliver(pipeline, JSON.stringify(quarantined), 401, WRONG_TOKEN);
      await deliver(pipeline, JSON.stringify(duplicated), 200);
      await pipeline.waitFor((s) => s.processed === 2 && s.quarantine.kept === 1);
      // Smartcar's retry of an event already processed.
      await deliver(pipeline, JSON.stringify(duplicated), 200);
      await pipeline.waitFor((s) => s.duplicates === 1);

      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
      page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      page.setDefaultTimeout(PIPELINE_DEADLINE_MS);
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`${pipeline.url}/_local/`);
    });

    afterAll(async () => {
      if (process.env.UPDATE_SCREENSHOT === '1' && page !== undefined) {
        await page.click(row(processed.eventId));
        await page.waitForSelector(`#detail-title:has-text("${processed.eventId}")`);
        mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT });
      }
      await browser?.close();
      await pipeline?.stop();
      for (const dir of [pipeline?.archiveDir, pipeline?.stateDir]) {
        if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      }
    });

    it('lists each delivery, newest first, with its state through the pipeline', async () => {
      await page.waitForSelector(row(duplicated.eventId));

      expect(await rows(page)).toEqual([
        [duplicated.eventId, 'duplicate'],
        [quarantined.eventId, 'quarantined'],
        [processed.eventId, 'processed'],
      ]);
    });

    it('shows the counts of GET /_local/status', async () => {
      await page.waitForSelector('[data-count="processed"]');

      expect(await page.textContent('[data-count="processed"]')).toBe('2');
      expect(await page.textContent('[data-count="quarantined"]')).toBe('1');
    });

    it('filters by event type', async () => {
      await page.selectOption('#filter-type', 'VEHICLE_ERROR');
      await page.waitForSelector(row(quarantined.eventId), { state: 'detached' });

      expect(await rows(page)).toEqual([[duplicated.eventId, 'duplicate']]);
      await page.selectOption('#filter-type', '');
      await page.waitForSelector(row(processed.eventId));
    });

    it('opens a delivery with its timeline and log lines, the VIN masked until unmasked', async () => {
      await page.click(row(processed.eventId));
      await page.waitForSelector('#payload:has-text("«masked»")');

      expect(await page.textContent('#steps')).toContain('processed');
      expect(await page.textContent('#logs')).toContain('Event processed');
      expect(await page.innerText('body')).not.toContain(SAMPLE_VIN);

      await page.click('#unmask');
      await page.waitForSelector(`#payload:has-text("${SAMPLE_VIN}")`);
      await page.click('#unmask');
      await page.waitForSelector('#payload:has-text("«masked»")');
      expect(await page.innerText('body')).not.toContain(SAMPLE_VIN);
    });

    it('resends the delivery: the receiver accepts it, the processor skips it as a duplicate', async () => {
      await page.click('#resend');
      await page.waitForSelector('#outcome[data-action="resend"]:has-text("accepted")');

      await page.waitForSelector(`${row(processed.eventId)}[data-state="duplicate"]`);
      expect((await pipeline.status()).duplicates).toBe(2);
    });

    it('replays it from the archive', async () => {
      await page.click('#replay');
      await page.waitForSelector('#outcome[data-action="replay"]:has-text("Replayed 1")');

      await page.waitForSelector(`${row(processed.eventId)}[data-state="replayed"]`);
      expect(await page.textContent(`${row(processed.eventId)} td.detail`)).toContain('replay replay-');
    });

    it('redrives the DLQ, which is empty', async () => {
      await page.click('#redrive');

      await page.waitForSelector('#outcome[data-action="redrive"]');
      expect(await page.textContent('#outcome')).toContain('Nothing to redrive');
    });

    it('keeps a quarantined delivery on release: it does not verify with the current token', async () => {
      await page.click(row(quarantined.eventId));
      await page.waitForSelector('#release:not([disabled])');

      await page.click('#release');

      await page.waitForSelector('#outcome[data-action="release"][data-outcome="kept"]');
      expect(await page.textContent('#outcome')).toContain('kept: does not verify');
      expect(await page.getAttribute(row(quarantined.eventId), 'data-state')).toBe('quarantined');
    });

    it('ran without a script error', () => {
      expect(pageErrors).toEqual([]);
    });
  },
);
