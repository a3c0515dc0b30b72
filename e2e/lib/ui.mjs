// Steps a person takes in the English pages, shared by the tests.
import assert from 'node:assert/strict';

/** Fills the sign-in form and sends it (does not wait for where it leads). */
export async function signIn(page, email, password) {
  await page.goto('/login');
  const form = page.locator('#login-form');
  await form.getByLabel('E-mail').fill(email);
  await form.getByLabel('Password', { exact: true }).fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
}

/** Fills the change-password form and sends it. */
export async function submitNewPassword(page, current, next) {
  const form = page.locator('#password-form');
  await form.getByLabel('Current password').fill(current);
  await form.getByLabel('New password').fill(next);
  await form.getByRole('button', { name: 'Change password' }).click();
}

/** Signs in with a one-time password and chooses a new one: ends on /admin/users for an administrator. */
export async function firstSignIn(page, email, oneTimePassword, newPassword, landing = '/admin/users') {
  await signIn(page, email, oneTimePassword);
  await page.waitForURL('**/password');
  await submitNewPassword(page, oneTimePassword, newPassword);
  await page.waitForURL(`**${landing}`);
}

/**
 * Waits until the form's error box says `expected` (a string, matched
 * whole, or a RegExp) and returns the text; fails with what it says instead.
 */
export async function expectFormError(form, expected) {
  const box = form.locator('.form-error');
  const matches = (s) => (expected instanceof RegExp ? expected.test(s) : s === expected);
  const deadline = Date.now() + 5_000;
  let text = '';
  while (Date.now() < deadline) {
    text = ((await box.textContent()) || '').trim();
    if (matches(text) && (await box.isVisible())) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`the form's error box says ${JSON.stringify(text)}, not ${expected}`);
}

/** Calls the REST API from the test itself (not the browser). */
export async function api(base, method, path, { token, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  return { status: res.status, data };
}

/** Calls the REST API from inside a signed-in page, as its scripts do (session cookie and CSRF token). */
export function apiIn(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const res = await fetch(p, { method: m, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: b === undefined ? undefined : JSON.stringify(b) });
    const text = await res.text();
    return { status: res.status, data: text ? JSON.parse(text) : null };
  }, [method, path, body]);
}

/** Fails with the list of problems the pages had, if any. */
export function assertNoProblems(problems) {
  assert.deepEqual(problems, [], `the pages logged errors:\n${problems.join('\n')}`);
}
