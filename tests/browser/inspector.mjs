// Browser test of the inspector page (GET /__specmock/), run by tests/browser.rs.
//
//   node tests/browser/inspector.mjs URL SCREENSHOT_PATH FIELDS_URL
//
// Drives Debian's chromium (/usr/bin/chromium) through playwright-core, the
// way a person would use the page: the four bundled documents are listed, a
// request sent to the mock shows up in the live journal with its violation,
// and the replay form sends it again with `Prefer: code=403`. Then, against
// FIELDS_URL (a server of tests/documents/fields.yaml), known requests show
// up in an operation's field coverage tree, which stays open and folded as
// the user left it while the page polls. Saves full-page screenshots, and
// exits non-zero with a message on any failure.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname } from 'node:path';

const [base, screenshot, fieldsBase] = process.argv.slice(2);
if (!base || !screenshot || !fieldsBase) {
  console.error('usage: node inspector.mjs URL SCREENSHOT_PATH FIELDS_URL');
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

// The field coverage tree of fields/putPet, after the request of
// tests/field_coverage.rs (13 fields used) and then one more.
const PET = '{"name":"Rex","tags":[{"label":"a"}],"labels":{"k":"v"},"owner":{"type":"company","company":"ACME"}}';
async function putPet(fbase, body) {
  const r = await fetch(`${fbase}/v1/pets/7?sort=asc`, {
    method: 'PUT', headers: { 'x-trace': 't1', 'content-type': 'application/json' }, body,
  });
  check(r.status === 200, `PUT /v1/pets/7 answered ${r.status}: ${await r.text()}`);
}
async function putPetFields(fbase) {
  const cov = await (await fetch(`${fbase}/__specmock/coverage?detail=fields`)).json();
  return cov.operations.find((o) => o.operation === 'putPet').fields;
}
async function waitText(locator, want, what) {
  const deadline = Date.now() + WAIT;
  let got = '';
  while (Date.now() < deadline) {
    got = (await locator.innerText().catch(() => '')).trim();
    if (got === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} shows ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

async function fieldTree(fp, fbase) {
  step('field coverage: a known request to tests/documents/fields.yaml');
  await putPet(fbase, PET);
  let f = await putPetFields(fbase);
  check(f.used.length === 13, `the admin API lists ${f.used.length} used fields of putPet, want 13: ${JSON.stringify(f.used)}`);
  await fp.goto(`${fbase}/__specmock/`, { waitUntil: 'load' });
  const opRow = fp.locator('#documents tr[data-operation="fields/putPet"]');
  await opRow.waitFor({ timeout: WAIT }).catch(() => {
    throw new Error('fields/putPet is not listed in #documents');
  });
  const toggle = opRow.locator('button[data-fields-toggle]');
  await waitText(toggle, `13/${f.total} (${f.percent}%)`, "putPet's Fields cell");
  check(f.percent > 0 && f.percent < 100, `putPet's field percentage is ${f.percent}`);
  const tree = fp.locator('#documents tr[data-fields-of="fields/putPet"]');
  check(await toggle.getAttribute('aria-expanded') === 'false' && !(await tree.isVisible()), 'the field tree is open before it is asked for');

  step('Enter on the Fields button opens the field tree');
  await toggle.focus();
  await fp.keyboard.press('Enter');
  await tree.waitFor({ state: 'visible', timeout: WAIT }).catch(() => {
    throw new Error('Enter on the Fields button did not show the field tree');
  });
  check(await toggle.getAttribute('aria-expanded') === 'true', 'the Fields button does not say aria-expanded="true" once open');
  const node = (name) => tree.locator(`li[data-field="${name}"]`);
  const attrs = async (name) => {
    const n = node(name);
    check(await n.count() === 1, `the tree has ${await n.count()} nodes for ${name}, want 1`);
    check(await n.isVisible(), `the tree node ${name} is not visible`);
    return { used: await n.getAttribute('data-used'), state: await n.getAttribute('data-state'), text: await n.innerText() };
  };
  check(await tree.locator('li[data-field="request"] li[data-field="request/owner"] li[data-field="request/owner/company"]').count() === 1,
    'request/owner/company is not nested as request > owner > company');
  check(/\b13 of \d+ fields used \(\d+%\)/.test(await tree.innerText()), 'the tree does not sum up the fields used');

  const company = await attrs('request/owner/company');
  check(company.used === 'true' && company.state === 'used' && /\bused\b/.test(company.text) && !/never/.test(company.text),
    `request/owner/company (sent) is not shown as used: ${JSON.stringify(company)}`);
  const person = await attrs('request/owner/person');
  check(person.used === 'false' && person.state === 'unused' && /never used/.test(person.text),
    `request/owner/person (never sent) is not shown as never used: ${JSON.stringify(person)}`);
  const fallback = await attrs('response/default');
  check(fallback.state === 'unused' && /nothing in it used/.test(fallback.text),
    `response/default (never served) is not shown as wholly unused: ${JSON.stringify(fallback)}`);
  const parent = await attrs('response/200/owner');
  check(parent.state === 'unused' && /never used, nor anything in it/.test(parent.text),
    `response/200/owner (never served, nor its properties) is not shown as wholly unused: ${JSON.stringify(parent)}`);
  const request = await attrs('request');
  check(request.state === 'partial', `the request body is partly used, the tree says ${request.state}`);

  step('enum values and oneOf branches hang under their field');
  const chip = (field, sel) => tree.locator(`li[data-field="${field}"] > .fmarks ${sel}, li[data-field="${field}"] > details > .fmarks ${sel}`);
  const asc = chip('query/sort', '[data-enum="asc"]');
  const desc = chip('query/sort', '[data-enum="desc"]');
  check(await asc.getAttribute('data-used') === 'true' && await asc.isVisible(), 'the enum value asc of query/sort is not shown as used');
  check(await desc.getAttribute('data-used') === 'false' && /never used/.test(await desc.innerText()), 'the enum value desc of query/sort is not shown as never used');
  const matched = chip('request/owner', '[data-branch="oneOf/1"]');
  const never = chip('request/owner', '[data-branch="oneOf/0"]');
  check(await matched.getAttribute('data-used') === 'true' && /oneOf\/1/.test(await matched.innerText()), 'the branch oneOf/1 of request/owner is not shown as matched');
  check(await never.getAttribute('data-used') === 'false' && /never matched/.test(await never.innerText()), 'the branch oneOf/0 of request/owner is not shown as never matched');

  step('the open tree stays as the user left it while other coverage changes');
  const response = tree.locator('details[data-node="response"]');
  await response.locator('> summary').focus();
  await fp.keyboard.press('Enter');
  check(await response.getAttribute('open') === null, 'Enter on the response node did not fold it');
  await tree.locator('.fields-view').evaluate((el) => { el.dataset.probe = 'kept'; });
  check((await fetch(`${fbase}/v1/pets`)).status === 200, 'GET /v1/pets failed');
  await fp.locator('#documents tr[data-operation="fields/listPets"][data-covered="true"]').waitFor({ timeout: WAIT }).catch(() => {
    throw new Error('fields/listPets is not marked covered after GET /v1/pets');
  });
  check(await tree.locator('.fields-view[data-probe="kept"]').count() === 1, "putPet's tree was rebuilt though its fields did not change");
  check(await tree.isVisible() && await response.getAttribute('open') === null, 'the open tree or its fold did not survive the refresh');
  check(await fp.evaluate(() => document.activeElement && document.activeElement.dataset.focus) === 'node:fields/putPet:response',
    'the focused tree node lost focus when the table was refreshed');

  step('a new request updates the open tree and keeps its folds');
  await putPet(fbase, '{"name":"Tom","kind":"cat"}');
  f = await putPetFields(fbase);
  check(f.used.includes('request/kind'), `request/kind is not counted as used: ${JSON.stringify(f.used)}`);
  await waitText(toggle, `${f.used.length}/${f.total} (${f.percent}%)`, "putPet's Fields cell after a second request");
  await node('request/kind').and(fp.locator('[data-used="true"]')).waitFor({ timeout: WAIT }).catch(() => {
    throw new Error('request/kind is not shown as used in the open tree after it was sent');
  });
  check(await chip('request/kind', '[data-enum="cat"]').getAttribute('data-used') === 'true', 'the enum value cat of request/kind is not shown as used');
  check(await tree.isVisible() && await response.getAttribute('open') === null, 'the tree closed or lost its fold when its fields changed');

  await response.locator('> summary').click();
  check(await response.getAttribute('open') !== null, 'a click on the folded response node did not unfold it');
  await fp.screenshot({ path: screenshot.replace(/\.png$/, '-fields.png'), fullPage: true });
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
  const watch = (p) => {
    p.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
    p.on('console', (m) => {
      // A 4xx answer to the replay's fetch() is logged as "Failed to load resource": expected.
      if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) pageErrors.push(`console error: ${m.text()}`);
    });
    return p;
  };
  page = watch(await context.newPage());

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

  page = watch(await context.newPage());
  await fieldTree(page, fieldsBase.replace(/\/+$/, ''));
  check(pageErrors.length === 0, `the page logged errors:\n  ${pageErrors.join('\n  ')}`);
  console.log('field coverage tree: OK');

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
