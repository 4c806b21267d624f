// Browser test of the inspector page (GET /__specmock/), run by tests/browser.rs.
//
//   node tests/browser/inspector.mjs URL SCREENSHOT_PATH
//
// Drives Debian's chromium (/usr/bin/chromium) through playwright-core, the
// way a person would use the page: the four bundled documents are listed, a
// request sent to the mock shows up in the live journal with its violation,
// and the replay form sends it again with `Prefer: code=403`. Saves a
// full-page screenshot, and exits non-zero with a message on any failure.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname } from 'node:path';

const [base, screenshot] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error('usage: node inspector.mjs URL SCREENSHOT_PATH');
  process.exit(2);
}
const url = base.replace(/\/+$/, '');
const VENDORS = ['adafruit-io', 'axiom', 'softwareone', 'unleash'];
const WAIT = 20_000;
// Whatever happens, never hang the test suite.
const guard = setTimeout(() => {
  console.error('FAIL: the browser test did not finish within 100 s');
  process.exit(3);
}, 100_000);
guard.unref();

function step(text) {
  console.log(`- ${text}`);
}
function check(cond, message) {
  if (!cond) throw new Error(message);
}

let browser;
let page;
const pageErrors = [];
try {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A 4xx answer to the replay's fetch() is logged as "Failed to load resource": expected.
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) pageErrors.push(`console error: ${m.text()}`);
  });

  step(`open ${url}/__specmock/`);
  const res = await page.goto(`${url}/__specmock/`, { waitUntil: 'load' });
  check(res && res.status() === 200, `GET /__specmock/ answered ${res && res.status()}, want 200`);
  check(/text\/html/.test(res.headers()['content-type'] || ''), `content-type ${res.headers()['content-type']}, want text/html`);
  check(/default-src 'self'/.test(res.headers()['content-security-policy'] || ''), 'no content-security-policy header on the page');

  step('the four bundled documents are shown with their operations');
  for (const name of VENDORS) {
    const doc = page.locator(`#documents [data-document="${name}"]`);
    await doc.waitFor({ state: 'visible', timeout: WAIT }).catch(() => {
      throw new Error(`document ${name} is not shown in #documents`);
    });
    const heading = (await doc.locator('h3').first().innerText()).trim();
    check(heading === name, `document section ${name} is headed ${JSON.stringify(heading)}`);
    const ops = await doc.locator('tr[data-operation]').count();
    check(ops > 0, `document ${name} lists no operation`);
  }
  const unleashOp = page.locator('#documents [data-operation="unleash/update-api-token"]');
  check(await unleashOp.getAttribute('data-covered') === 'false', 'unleash/update-api-token is not marked uncovered before any request');
  check(/not called/.test(await unleashOp.innerText()), 'an uncovered operation does not say "not called"');

  step('a request sent to the mock appears in the journal with its violation');
  const sent = await fetch(`${url}/api/admin/api-tokens/abc`, {
    method: 'PUT',
    headers: { authorization: 'x', 'content-type': 'application/json' },
    body: '{"expiresAt":"tomorrow"}',
  });
  check(sent.status === 422, `the mock answered the invalid request with ${sent.status}, want 422`);
  const row = page.locator('#journal [data-request-id]', { hasText: 'body/expiresAt' }).first();
  await row.waitFor({ state: 'visible', timeout: WAIT }).catch(() => {
    throw new Error(`the request did not appear in #journal with its violation body/expiresAt within ${WAIT / 1000} s`);
  });
  const violation = row.locator('.violation', { hasText: 'body/expiresAt' });
  check(await violation.isVisible(), 'the violation body/expiresAt is not visible in the journal row');
  check(/date-time/.test(await violation.innerText()), 'the violation message is not shown in the journal row');
  const rowText = await row.innerText();
  check(/PUT/.test(rowText) && /422/.test(rowText) && /update-api-token/.test(rowText),
    `the journal row lacks method, status or operation: ${JSON.stringify(rowText)}`);

  step('selecting the row shows its redacted headers and body');
  await row.click();
  const detail = page.locator('#request-detail');
  await page.locator('#detail-body[data-detail-id]').waitFor({ timeout: WAIT });
  const detailText = await detail.innerText();
  check(/<redacted>/.test(detailText), 'the detail does not show the redacted authorization header');
  check(!/authorization\s+x\b/i.test(detailText), 'the detail shows a credential');
  check(/tomorrow/.test(detailText), 'the detail does not show the body');

  step('the replay form is prefilled; send it with Prefer: code=403');
  const form = page.locator('#replay-form');
  check(await form.locator('#replay-method').inputValue() === 'PUT', 'the replay method is not prefilled');
  check(/\/api\/admin\/api-tokens\//.test(await form.locator('#replay-path').inputValue()), 'the replay path is not prefilled');
  check(/application\/json/.test(await form.locator('#replay-content-type').inputValue()), 'the replay content type is not prefilled');
  await form.locator('#replay-path').fill('/api/admin/api-tokens/abc');
  await form.locator('#replay-body').fill('{"expiresAt":"2030-01-01T00:00:00Z"}');
  await form.locator('#replay-auth-name').fill('Authorization');
  await form.locator('#replay-auth-value').fill('x');
  await form.locator('#replay-code').fill('403');
  check(/Prefer: code=403/.test(await page.locator('#replay-prefer').innerText()), 'the Prefer header preview does not show code=403');
  await form.locator('button[type="submit"]').click();
  const result = page.locator('#replay-result[data-status="403"]');
  await result.waitFor({ state: 'visible', timeout: WAIT }).catch(async () => {
    const got = await page.locator('#replay-result').innerText().catch(() => '');
    throw new Error(`#replay-result did not show status 403; it shows: ${JSON.stringify(got.slice(0, 500))}`);
  });
  const resultText = await result.innerText();
  check(/403/.test(await page.locator('#replay-status').innerText()), 'the replay status is not 403');
  check(/preference-applied\s+code=403/i.test(resultText), `the replay result does not list Preference-Applied: ${JSON.stringify(resultText.slice(0, 500))}`);

  step('the replayed request appears in the journal and the operation is covered');
  await page.locator('#journal [data-request-id][data-status="403"]').first().waitFor({ timeout: WAIT }).catch(() => {
    throw new Error('the replayed request (403) did not appear in the journal');
  });
  await page.locator('#documents [data-operation="unleash/update-api-token"][data-covered="true"]').waitFor({ timeout: WAIT }).catch(() => {
    throw new Error('unleash/update-api-token is not marked covered after two requests');
  });
  const summary = await page.locator('#summary').innerText();
  check(/2\s+requests/.test(summary) && /1\/22|1\/\d+\s+operations covered/.test(summary),
    `the summary line is not up to date: ${JSON.stringify(summary)}`);

  check(pageErrors.length === 0, `the page logged errors:\n  ${pageErrors.join('\n  ')}`);

  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  step(`screenshot saved to ${screenshot}`);
  console.log('inspector page: OK');

  // examples/frontend: a page on another origin (a tiny static server here)
  // calling the mock with fetch; CORS must let it read the answers.
  const html = readFileSync(new URL('../../examples/frontend/index.html', import.meta.url));
  const devServer = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise((resolve) => devServer.listen(0, '127.0.0.1', resolve));
  try {
    const origin = `http://localhost:${devServer.address().port}`;
    const fe = await context.newPage();
    await fe.goto(`${origin}/?api=${encodeURIComponent(base)}`);
    await fe.click('#rotate');
    await fe.locator('#status', { hasText: '200 regenerateAPIToken' }).waitFor({ timeout: WAIT });
    const token = JSON.parse(await fe.locator('#result').innerText());
    check(token.id && token.token !== undefined, `the frontend did not get a token: ${JSON.stringify(token)}`);
    await fe.click('#broken');
    await fe.locator('#status', { hasText: '422' }).waitFor({ timeout: WAIT });
    check((await fe.locator('#result').innerText()).includes('body/existingTokenExpiresAt'),
      'the frontend could not read x-specmock-violations across origins');
    await fe.screenshot({ path: screenshot.replace(/\.png$/, '-frontend.png'), fullPage: true });
    console.log('frontend example: OK');
  } finally {
    devServer.close();
  }
} catch (err) {
  console.error(`FAIL: ${err.message}`);
  if (pageErrors.length) console.error(`page errors:\n  ${pageErrors.join('\n  ')}`);
  if (page) {
    try {
      mkdirSync(dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
      console.error(`screenshot of the failure saved to ${screenshot}`);
    } catch (_) { /* the browser may be gone */ }
  }
  process.exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
}
