// Bad input in the forms: the page says what is wrong next to the form,
// keeps what was typed, and nothing changes on the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage } from '../lib/browser.mjs';
import { signIn, submitNewPassword, expectFormError, api, assertNoProblems } from '../lib/ui.mjs';

const NEW_PASSWORD = 'the administrator passphrase';
let srv, browser, page, problems;

before(async () => {
  srv = await startServer();
  browser = await launch();
  ({ page, problems } = await openPage(browser, { baseURL: srv.url }));
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

const loginWith = (password) => api(srv.url, 'POST', '/api/v1/auth/login', { body: { email: srv.email, password } });

test('a too-short new password shows the rule next to the form, and nothing changes', async () => {
  await signIn(page, srv.email, srv.oneTimePassword);
  await page.waitForURL('**/password');
  const form = page.locator('#password-form');
  await submitNewPassword(page, srv.oneTimePassword, 'short pw');
  await expectFormError(form, 'The password must be at least 12 characters.');
  assert.ok(await form.locator('.form-error').isVisible());
  assert.match(page.url(), /\/password$/);
  assert.equal(await form.getByLabel('New password').inputValue(), 'short pw', 'what was typed stays');
  // The rule itself is spelt out under the field.
  await form.locator('small', { hasText: 'At least 12 characters.' }).waitFor();

  // Nothing changed: the one-time password still signs in, and must still be replaced.
  const still = await loginWith(srv.oneTimePassword);
  assert.equal(still.status, 200, JSON.stringify(still.data));
  assert.equal(still.data.must_change_password, true);
  await page.goto('/admin/users');
  await page.waitForURL('**/password');
});

test('a wrong current password is refused', async () => {
  const form = page.locator('#password-form');
  await submitNewPassword(page, 'not my password', NEW_PASSWORD);
  await expectFormError(form, 'The current password is wrong.');
  assert.equal(await form.locator('[name="current_password"]').getAttribute('aria-invalid'), 'true');
  assert.equal((await loginWith(NEW_PASSWORD)).status, 401, 'the new password was not set');
});

test('fixing the input clears the error and goes on', async () => {
  await submitNewPassword(page, srv.oneTimePassword, NEW_PASSWORD);
  await page.waitForURL('**/console');
  await page.goto('/admin/users');
});

test('a duplicate user e-mail shows the duplicate message', async () => {
  const form = page.locator('#user-form');
  const add = async (name, email, password) => {
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('E-mail').fill(email);
    await form.getByLabel('Initial password').fill(password);
    await form.getByRole('button', { name: 'Add user' }).click();
  };
  await add('Grace Hopper', 'grace@example.com', 'graces first passphrase');
  await page.locator('#users tr[data-user="grace@example.com"]').waitFor();
  assert.equal(await page.locator('#users tbody tr').count(), 2);

  await add('Another Grace', 'grace@example.com', 'another long passphrase');
  await expectFormError(form, 'This email is already in use.');
  assert.equal(await form.getByLabel('E-mail').getAttribute('aria-invalid'), 'true');
  assert.equal(await form.getByLabel('Name').inputValue(), 'Another Grace', 'what was typed stays');
  await page.reload();
  assert.equal(await page.locator('#users tbody tr').count(), 2, 'no second user');
  assert.equal(await page.getByText('Another Grace').count(), 0);
});

test('other bad user input: an e-mail that is not one, a short initial password', async () => {
  const form = page.locator('#user-form');
  await form.getByLabel('Name').fill('Alan Turing');
  await form.getByLabel('E-mail').fill('not-an-address');
  await form.getByLabel('Initial password').fill('alans long passphrase');
  await form.getByRole('button', { name: 'Add user' }).click();
  await expectFormError(form, /is not a valid e-mail address/);

  await form.getByLabel('E-mail').fill('alan@example.com');
  await form.getByLabel('Initial password').fill('too short');
  await form.getByRole('button', { name: 'Add user' }).click();
  await form.locator('.form-error', { hasText: 'The password must be at least 12 characters.' }).waitFor();
  await page.reload();
  assert.equal(await page.locator('#users tbody tr').count(), 2, 'nobody was added');
});

test('a duplicate team name and an empty one are refused', async () => {
  await page.goto('/admin/teams');
  const form = page.locator('#team-form');
  await form.getByRole('button', { name: 'Add team' }).click();
  await expectFormError(form, /name/);
  assert.equal(await page.locator('article.team').count(), 0);

  await form.getByLabel('Name').fill('Support');
  await form.getByRole('button', { name: 'Add team' }).click();
  await page.locator('article.team[data-team="Support"]').waitFor();
  await form.getByLabel('Name').fill('Support');
  await form.getByRole('button', { name: 'Add team' }).click();
  await expectFormError(form, 'This name is already in use.');
  await page.reload();
  assert.equal(await page.locator('article.team').count(), 1);
});

test('an address in two organisations is asked which one, and only then', async () => {
  await srv.cli('tenant', 'create', '--slug', 'acme', '--name', 'Acme');
  await srv.cli('user', 'create', '--tenant', 'acme', '--email', srv.email, '--name', 'Acme Admin', '--role', 'admin', '--password', NEW_PASSWORD);
  await page.locator('#logout').click();
  await page.waitForURL('**/login');
  const form = page.locator('#login-form');
  const tenant = form.getByLabel('Organisation');
  assert.equal(await tenant.isVisible(), false, 'the organisation field is hidden at first');

  await form.getByLabel('E-mail').fill(srv.email);
  await form.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expectFormError(form, 'This address works in several organisations: enter the one to sign in to.');
  assert.ok(await tenant.isVisible(), 'now it shows');
  await form.getByText('The short name of your organisation, e.g. default.').waitFor();
  assert.equal(await tenant.getAttribute('aria-invalid'), 'true');
  assert.ok(await tenant.evaluate((el) => el === document.activeElement), 'and has the focus');

  await tenant.fill('acme');
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname !== '/login');
  assert.match(await page.locator('header a.me').textContent(), /^Acme Admin · Acme$/);
});

test('no console errors, uncaught exceptions or CSP violations', () => {
  assertNoProblems(problems);
});
