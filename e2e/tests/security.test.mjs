// Names that look like markup are shown as text; the Content Security Policy
// is on and would stop injected script; redirects never leave the site.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage } from '../lib/browser.mjs';
import { firstSignIn, assertNoProblems } from '../lib/ui.mjs';

const IMG = '<img src=x onerror="window.__xss=1">';
const SCRIPT = '<script>window.__xss=1</script>';
const EVIL = { email: 'xss@example.com', password: 'initial passphrase 1', own: 'my own passphrase 1' };
const ADMIN_PASSWORD = 'a long admin passphrase 2';

let srv, browser, page, problems;

before(async () => {
  srv = await startServer();
  browser = await launch();
  ({ page, problems } = await openPage(browser, { baseURL: srv.url }));
  await firstSignIn(page, srv.email, srv.oneTimePassword, ADMIN_PASSWORD, '/console');
  await page.goto('/admin/users');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

const xss = (p = page) => p.evaluate(() => window.__xss);
const texts = async (loc) => (await loc.allTextContents()).map((s) => s.trim());

test('a user named <img onerror> is listed as text on /admin/users', async () => {
  const form = page.locator('#user-form');
  await form.getByLabel('Name').fill(IMG);
  await form.getByLabel('E-mail').fill(EVIL.email);
  await form.getByLabel('Initial password').fill(EVIL.password);
  await form.getByRole('button', { name: 'Add user' }).click();
  const row = page.locator(`#users tr[data-user="${EVIL.email}"]`);
  await row.waitFor();
  assert.equal((await row.locator('td').first().textContent()).trim(), IMG);
  assert.equal(await page.locator('main img').count(), 0, 'no <img> element was made');
  assert.equal(await xss(), undefined);
});

test('a team named <script> is shown as text on /admin/teams, with the user as a member', async () => {
  await page.goto('/admin/teams');
  const form = page.locator('#team-form');
  await form.getByLabel('Name').fill(SCRIPT);
  await form.getByLabel('Description').fill(IMG);
  await form.getByRole('button', { name: 'Add team' }).click();
  const team = page.locator('article.team').first();
  await team.waitFor();
  assert.equal(await team.getAttribute('data-team'), SCRIPT);
  assert.ok((await team.locator('h2').textContent()).trim().startsWith(SCRIPT));
  assert.deepEqual(await texts(team.locator('> p')), [IMG]);
  assert.ok((await texts(team.locator('option'))).includes(`${IMG} (${EVIL.email})`));

  await team.getByLabel('Add member').selectOption({ label: `${IMG} (${EVIL.email})` });
  await team.getByRole('button', { name: 'Add member' }).click();
  await page.locator('ul.members li', { hasText: IMG }).waitFor();
  assert.equal(await page.locator('main script, main img').count(), 0);
  assert.equal(await xss(), undefined);
});

test('a token named like markup is listed as text on /admin/tokens', async () => {
  await page.goto('/admin/tokens');
  const form = page.locator('#token-form');
  await form.getByLabel('Name').fill(SCRIPT);
  await form.getByRole('button', { name: 'Create token' }).click();
  await page.locator('#token-secret').waitFor({ state: 'visible' });
  await page.reload();
  assert.equal((await page.locator('#tokens tbody td').first().textContent()).trim(), SCRIPT);
  assert.equal(await page.locator('main script').count(), 0);
  assert.equal(await xss(), undefined);
});

test('the user with the markup name sees it as text in the header and on /account', async () => {
  const { context, page: evil, problems: evilProblems } = await openPage(browser, { baseURL: srv.url });
  try {
    await firstSignIn(evil, EVIL.email, EVIL.password, EVIL.own, '/console');
    await evil.goto('/account');
    assert.equal((await evil.locator('header a.me').textContent()).trim(), `${IMG} · Default`);
    await evil.getByText(`${IMG} · ${EVIL.email} · Agent`).waitFor();
    assert.equal(await evil.locator('img').count(), 0);
    assert.equal(await xss(evil), undefined);
    assertNoProblems(evilProblems);
  } finally {
    await context.close();
  }
});

test('every page is sent with the strict Content Security Policy and names its icon', async () => {
  for (const path of ['/login', '/admin/users', '/admin/teams', '/admin/tokens', '/account', '/password']) {
    const res = await page.goto(path);
    const csp = res.headers()['content-security-policy'] || '';
    assert.match(csp, /script-src 'self'(;|$)/, `${path}: ${csp}`);
    assert.match(csp, /default-src 'self'/, path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
    // The page names its icon, so that the browser does not ask for a missing /favicon.ico.
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    assert.ok(icon?.startsWith('/static/'), `${path}: icon ${icon}`);
  }
  const icon = await page.request.get('/static/favicon.svg');
  assert.equal(icon.status(), 200);
  assert.equal(icon.headers()['content-type'], 'image/svg+xml');
});

test('the policy stops injected inline script, and the tests would notice', async () => {
  const { context, page: probe, problems: seen } = await openPage(browser, { baseURL: srv.url });
  try {
    await probe.goto('/login');
    await probe.evaluate((html) => {
      const div = document.createElement('div');
      div.innerHTML = html;
      document.body.append(div);
    }, '<img src="data:image/png;base64,AAAA" onerror="window.__xss=1">');
    for (let i = 0; i < 40 && !seen.some((p) => /CSP violation/.test(p)); i++) await probe.waitForTimeout(50);
    assert.equal(await xss(probe), undefined, 'the inline handler did not run');
    assert.ok(seen.some((p) => /CSP violation: script-src/.test(p)), `a violation was recorded: ${seen.join('\n')}`);
  } finally {
    await context.close();
  }
});

test('language links and sign-in never send the reader off the site', async () => {
  // Browsers read "\" as "/" and drop tabs: "/\host" and "/<tab>/host" lead to another site.
  for (const back of ['/%5Cexample.invalid/', '/%09/example.invalid/', '//example.invalid/', 'https://example.invalid/']) {
    await page.goto(`/lang/en?back=${back}`);
    assert.equal(new URL(page.url()).origin, srv.url, `/lang/en?back=${back} led to ${page.url()}`);
  }
  for (const next of ['/%5Cexample.invalid/', '/%09/example.invalid/']) {
    await page.locator('#logout').click();
    await page.waitForURL('**/login');
    await page.goto(`/login?next=${next}`);
    const form = page.locator('#login-form');
    await form.getByLabel('E-mail').fill(srv.email);
    await form.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname !== '/login');
    await page.waitForLoadState();
    assert.equal(new URL(page.url()).origin, srv.url, `/login?next=${next} led to ${page.url()}`);
  }
});

test('no console errors, uncaught exceptions or CSP violations', () => {
  assertNoProblems(problems);
});
