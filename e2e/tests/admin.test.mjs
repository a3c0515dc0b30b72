// A new administrator's first session: sign in with the printed one-time
// password, choose a password, add an agent and a team, create an API token,
// and use that token from outside the browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { signIn, firstSignIn, submitNewPassword, api, assertNoProblems } from '../lib/ui.mjs';

const ADMIN_PASSWORD = 'a long admin passphrase 1';
const AGENT = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'initial agent passphrase', own: 'ada chose this passphrase' };

let srv, browser, context, page, problems, acceptDialog;
let secret, teamId, agentId;

before(async () => {
  srv = await startServer();
  browser = await launch();
  ({ context, page, problems, acceptDialog } = await openPage(browser, { baseURL: srv.url }));
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('a new visitor is sent to the sign-in page', async () => {
  await page.goto('/');
  await page.waitForURL('**/login');
  await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
  await screenshot(page, 'login');
  assert.equal(await page.locator('#login-form .tenant-field').isVisible(), false, 'no organisation field unless needed');
});

test('the administrator signs in with the one-time password and must choose a new one', async () => {
  assert.match(srv.oneTimePassword, /^\S{8,}$/, 'the server printed a one-time password');
  await signIn(page, srv.email, srv.oneTimePassword);
  await page.waitForURL('**/password');
  await page.getByText('Your password was set for one use only').waitFor();
  // Until the password is changed, the admin pages send the reader back here.
  await page.goto('/admin/users');
  await page.waitForURL('**/password');
  await screenshot(page, 'password');

  await submitNewPassword(page, srv.oneTimePassword, ADMIN_PASSWORD);
  // Signed-in users start in the console; the admin area is in the navigation.
  await page.waitForURL('**/console');
  await page.goto('/admin/users');
  await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
  assert.equal(await page.locator('nav.mainnav a[aria-current="page"]').textContent(), 'Users');

  const again = await api(srv.url, 'POST', '/api/v1/auth/login', { body: { email: srv.email, password: srv.oneTimePassword } });
  assert.equal(again.status, 401, 'the one-time password works only once');
});

test('an agent is added on /admin/users and appears in the list', async () => {
  const form = page.locator('#user-form');
  await form.getByLabel('Name').fill(AGENT.name);
  await form.getByLabel('E-mail').fill(AGENT.email);
  await form.getByLabel('Role').selectOption({ label: 'Agent' });
  await form.getByLabel('Initial password').fill(AGENT.password);
  await form.getByRole('button', { name: 'Add user' }).click();

  const row = page.locator(`#users tr[data-user="${AGENT.email}"]`);
  await row.waitFor();
  const cells = (await row.locator('td').allTextContents()).map((s) => s.trim());
  assert.equal(cells[0], AGENT.name);
  assert.equal(cells[1], AGENT.email);
  assert.equal(await row.getByLabel('Role').inputValue(), 'agent');
  assert.equal(cells[3], 'Must change password');
  assert.equal(await page.locator('#users tbody tr').count(), 2, 'the administrator and the agent');
  await screenshot(page, 'users');

  // Choosing another role saves it at once; the administrator's own role cannot be changed here.
  assert.ok(await page.locator(`#users tr[data-user="${srv.email}"]`).getByLabel('Role').isDisabled());
  await Promise.all([page.waitForEvent('load'), row.getByLabel('Role').selectOption('supervisor')]);
  assert.equal(await page.locator(`#users tr[data-user="${AGENT.email}"]`).getByLabel('Role').inputValue(), 'supervisor');
  await Promise.all([page.waitForEvent('load'), page.locator(`#users tr[data-user="${AGENT.email}"]`).getByLabel('Role').selectOption('agent')]);
  assert.equal(await page.locator(`#users tr[data-user="${AGENT.email}"]`).getByLabel('Role').inputValue(), 'agent');
});

test('a team is added on /admin/teams and the agent joins it', async () => {
  await page.getByRole('link', { name: 'Teams' }).click();
  await page.waitForURL('**/admin/teams');
  await page.getByText('No teams yet.').waitFor();

  const form = page.locator('#team-form');
  await form.getByLabel('Name').fill('Billing');
  await form.getByLabel('Description').fill('Invoices and refunds');
  await form.getByRole('button', { name: 'Add team' }).click();

  const team = page.locator('article.team[data-team="Billing"]');
  await team.waitFor();
  await team.getByText('Invoices and refunds').waitFor();
  await team.getByText('No members yet.').waitFor();
  await team.getByLabel('Add member').selectOption({ label: `${AGENT.name} (${AGENT.email})` });
  await team.getByRole('button', { name: 'Add member' }).click();
  await team.locator('ul.members li', { hasText: AGENT.name }).waitFor();
  assert.equal(await team.getByText('No members yet.').count(), 0);
  await screenshot(page, 'teams');
});

test('an API token is created on /admin/tokens: its secret is shown once and works', async () => {
  await page.getByRole('link', { name: 'API tokens' }).click();
  await page.waitForURL('**/admin/tokens');
  await page.getByText('No API tokens yet.').waitFor();
  const box = page.locator('#token-secret');
  assert.equal(await box.isVisible(), false);

  const form = page.locator('#token-form');
  await form.getByLabel('Name').fill('CRM sync');
  await form.getByLabel('Scope').selectOption({ label: 'Read and write' });
  await form.getByRole('button', { name: 'Create token' }).click();
  await box.waitFor({ state: 'visible' });
  await box.getByText('Copy the token now: it is shown only once.').waitFor();
  secret = (await box.locator('.secret-value').textContent()).trim();
  assert.match(secret, /^sbt_[A-Za-z0-9_-]{20,}$/);
  assert.equal(await form.getByLabel('Name').inputValue(), '', 'the form is cleared');
  await box.getByRole('button', { name: 'Copy' }).click();
  await box.getByRole('button', { name: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  await screenshot(page, 'tokens');

  const me = await api(srv.url, 'GET', '/api/v1/me', { token: secret });
  assert.equal(me.status, 200, JSON.stringify(me.data));
  assert.equal(me.data.tenant.slug, 'default');
  assert.ok(me.data.tenant.id);
  assert.deepEqual({ name: me.data.token.name, scope: me.data.token.scope }, { name: 'CRM sync', scope: 'write' });
  assert.equal(me.data.user, undefined);

  // Done: the list shows the token by its first characters, never the secret again.
  await box.getByRole('link', { name: 'Done' }).click();
  const row = page.locator('#tokens tr[data-token="CRM sync"]');
  await row.waitFor();
  const prefix = (await row.locator('code').textContent()).replace('…', '');
  assert.ok(prefix.length >= 4 && secret.startsWith(prefix), `prefix ${prefix} starts the secret`);
  assert.equal(await page.locator('#token-secret').isVisible(), false);
  assert.ok(!(await page.content()).includes(secret), 'the secret is not in the page any more');
});

test('the token drives the REST API: a contact and a conversation', async () => {
  const teams = await api(srv.url, 'GET', '/api/v1/teams', { token: secret });
  assert.equal(teams.status, 200);
  teamId = teams.data.items.find((t) => t.name === 'Billing')?.id;
  assert.ok(teamId, 'the team made in the browser is in the API');
  const members = await api(srv.url, 'GET', `/api/v1/teams/${teamId}/members`, { token: secret });
  agentId = members.data.items.find((u) => u.email === AGENT.email)?.id;
  assert.ok(agentId, 'the agent is a member of the team');

  const contact = await api(srv.url, 'POST', '/api/v1/contacts', {
    token: secret, body: { name: '王小明', emails: ['xiaoming@example.com'], phones: ['+8613800138000'] },
  });
  assert.equal(contact.status, 201, JSON.stringify(contact.data));
  assert.equal(contact.data.name, '王小明');
  assert.deepEqual(contact.data.emails, ['xiaoming@example.com']);

  const conv = await api(srv.url, 'POST', '/api/v1/conversations', {
    token: secret,
    body: { contact_id: contact.data.id, subject: 'Refund for order 1042', team_id: teamId, assignee_id: agentId, message: { body: 'Hello, I was charged twice.' } },
  });
  assert.equal(conv.status, 201, JSON.stringify(conv.data));
  assert.equal(conv.data.conversation.contact_id, contact.data.id);
  assert.equal(conv.data.conversation.status, 'open');
  assert.equal(conv.data.conversation.team_id, teamId);
  assert.equal(conv.data.conversation.assignee_id, agentId);
  assert.equal(conv.data.message.body, 'Hello, I was charged twice.');

  const list = await api(srv.url, 'GET', `/api/v1/conversations?contact_id=${contact.data.id}`, { token: secret });
  assert.equal(list.status, 200);
  assert.deepEqual(list.data.items.map((c) => c.id), [conv.data.conversation.id]);

  // A write token cannot do an administrator's work.
  const denied = await api(srv.url, 'POST', '/api/v1/users', { token: secret, body: { email: 'x@example.com', name: 'X', role: 'agent', password: 'some long password' } });
  assert.equal(denied.status, 403);

  // The browser's token list now shows when the token was last used.
  await page.reload();
  const lastUsed = (await page.locator('#tokens tr[data-token="CRM sync"] td').nth(4).textContent()).trim();
  assert.notEqual(lastUsed, 'Never');
});

test('the account page lists this session', async () => {
  await page.locator('header a.me').click();
  await page.waitForURL('**/account');
  await page.getByRole('heading', { name: 'My account' }).waitFor();
  await page.getByText(srv.email).first().waitFor();
  const rows = page.locator('#sessions tbody tr');
  assert.equal(await rows.count(), 1);
  await rows.first().getByText('This session').waitFor();
  await screenshot(page, 'account');
});

test('the agent signs in, chooses a password, and is kept out of the admin area', async () => {
  const { context, page: agent, problems: agentProblems, expectFailedLoad } = await openPage(browser, { baseURL: srv.url });
  try {
    await firstSignIn(agent, AGENT.email, AGENT.password, AGENT.own, '/console');
    await agent.goto('/account');
    await agent.getByText(`${AGENT.name} · ${AGENT.email} · Agent`).waitFor();
    assert.equal(await agent.locator('nav.mainnav').count(), 0, 'no admin menu for an agent');
    expectFailedLoad('/admin/users', 403);
    const res = await agent.goto('/admin/users');
    assert.equal(res.status(), 403);
    await agent.getByRole('heading', { name: 'Not allowed' }).waitFor();
    assertNoProblems(agentProblems);
  } finally {
    await context.close();
  }
  // The administrator sees the agent as active now.
  await page.goto('/admin/users');
  const state = (await page.locator(`#users tr[data-user="${AGENT.email}"] td`).nth(3).textContent()).trim();
  assert.equal(state, 'Active');
});

test('signing out ends the session; signing in again returns to the page asked for', async () => {
  await page.locator('#logout').click();
  await page.waitForURL('**/login');
  await page.goto('/admin/teams');
  await page.waitForURL('**/login?next=%2Fadmin%2Fteams');
  const form = page.locator('#login-form');
  await form.getByLabel('E-mail').fill(srv.email);
  await form.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/admin/teams');
  await page.locator('article.team[data-team="Billing"]').waitFor();
});

test('revoking the token asks first, and the token stops working', async () => {
  await page.getByRole('link', { name: 'API tokens' }).click();
  const row = page.locator('#tokens tr[data-token="CRM sync"]');
  acceptDialog('Revoke this token? Programs using it will stop working.');
  await Promise.all([page.waitForEvent('load'), row.getByRole('button', { name: 'Revoke' }).click()]);
  await row.getByText('Revoked').waitFor();
  const me = await api(srv.url, 'GET', '/api/v1/me', { token: secret });
  assert.equal(me.status, 401);
});

test('no console errors, uncaught exceptions or CSP violations', () => {
  assertNoProblems(problems);
});
