// Browser check of the inspector's journal for callbacks, run by tests/callbacks.rs.
//
//   node tests/browser/callbacks.mjs URL SCREENSHOT_PATH
//
// The server has already sent two callbacks (one answered outside the
// contract). The page must list them as callback rows, distinct from the
// request that triggered them, with the target URL and the violation.
import { chromium } from 'playwright-core';

const [base, screenshot] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error('usage: node callbacks.mjs URL SCREENSHOT_PATH');
  process.exit(2);
}
const url = base.replace(/\/+$/, '');
const WAIT = 20_000;
const guard = setTimeout(() => {
  console.error('FAIL: the browser check did not finish within 100 s');
  process.exit(3);
}, 100_000);
guard.unref();

function check(cond, message) {
  if (!cond) throw new Error(message);
}

let browser;
try {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/__specmock/`, { waitUntil: 'load' });
  const rows = page.locator('#requests tbody tr[data-kind="callback"]');
  await rows.nth(1).waitFor({ state: 'visible', timeout: WAIT });
  check(await rows.count() === 2, `want 2 callback rows, found ${await rows.count()}`);
  const served = page.locator('#requests tbody tr[data-kind="request"]');
  check(await served.count() === 1, `want 1 request row, found ${await served.count()}`);
  const text = (await rows.allInnerTexts()).join('\n');
  check(/callback/.test(text), `the rows do not say "callback": ${text}`);
  check(/\/bad/.test(text), `the rows do not show the target URL: ${text}`);
  check(/answer\.status/.test(text), `the rows do not show the answer's violation: ${text}`);
  check(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log('ok: the journal shows 2 callback rows apart from the request');
} catch (e) {
  console.error(`FAIL: ${e.message}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
}
