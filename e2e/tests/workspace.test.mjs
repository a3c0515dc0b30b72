// The agent's workspace: an administrator sets the close-summary categories
// on /admin/workspace and makes a summary required; a customer's message
// waiting for an answer shows a live timer in the console (in the thread
// and in the inbox) that turns red once the response target has passed and
// goes away when the agent answers; the agent's close without a category is
// refused with a visible reason, and with a category and a note it closes
// the conversation and the summary can be read back; with nothing to ask
// (no categories, summary optional) Close closes at once.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { firstSignIn, signIn, assertNoProblems, apiIn, api } from '../lib/ui.mjs';
import { until, expectText, stepper, consoleOf } from '../lib/livechat.mjs';

const test = stepper(nodeTest);

const ADMIN_PASSWORD = 'a long admin passphrase workspace';
const AGENT = { email: 'mia@example.com', name: 'Mia Chen', password: 'mia has a long passphrase' };
const QUESTION = 'My parcel has not arrived yet, order 20261118.';

let srv, browser, admin, agent, con, convId, token;

before(async () => {
  srv = await startServer();
  browser = await launch();
  admin = await openPage(browser, { baseURL: srv.url });
  agent = await openPage(browser, { baseURL: srv.url });
  con = consoleOf(agent.page);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

/** saveSettings presses Save on the workspace page and waits for the confirmation. */
async function saveSettings(page) {
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expectText(page.locator('#ws-flash'), 'Settings saved.');
  assert.equal((await page.locator('#workspace-form .form-error').textContent()).trim(), '');
}

test('the administrator sets the summary categories, makes a summary required and keeps the target', async () => {
  const { page } = admin;
  await firstSignIn(page, srv.email, srv.oneTimePassword, ADMIN_PASSWORD, '/console');
  const u = await apiIn(page, 'POST', '/api/v1/users', { email: AGENT.email, name: AGENT.name, role: 'agent',
    password: AGENT.password, must_change_password: false });
  assert.equal(u.status, 201, JSON.stringify(u.data));

  await page.locator('nav.mainnav').getByRole('link', { name: 'Workspace' }).click();
  await page.waitForURL('**/admin/workspace');
  const form = page.locator('#workspace-form');
  const target = form.getByLabel('Response target (seconds)');
  await until(async () => (await target.inputValue()) === '120', { message: 'the settings did not load (default target 120)' });
  await page.getByText('No categories yet.').waitFor();

  const add = async (name) => {
    await form.getByLabel('New category').fill(name);
    await form.getByRole('button', { name: 'Add', exact: true }).click();
  };
  for (const c of ['Returns', 'Shipping', 'Other']) await add(c);
  // The same name again, whatever its case, is refused with a reason.
  await add('shipping');
  await expectText(form.locator('.form-error'), 'This category is already in the list.');
  assert.equal(await form.getByLabel('New category').getAttribute('aria-invalid'), 'true');
  await form.getByLabel('New category').fill('');
  // Reorder: Shipping first; remove Other.
  await form.getByRole('button', { name: 'Move up: Shipping' }).click();
  await form.getByRole('button', { name: 'Remove: Other' }).click();
  const names = () => page.getByTestId('summary-category').evaluateAll((ns) => ns.map((n) => n.dataset.category));
  assert.deepEqual(await names(), ['Shipping', 'Returns']);

  // A target below 10 s is refused by the server, naming the field.
  await target.fill('5');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expectText(form.locator('.form-error'), /response_target_seconds must be from 10 to 86400/);
  assert.equal(await target.getAttribute('aria-invalid'), 'true');

  await target.fill('120');
  await form.getByLabel('Require a summary to close a conversation').check();
  await saveSettings(page);
  await screenshot(page, 'workspace-settings');

  await page.reload();
  await until(async () => (await names()).join('|') === 'Shipping|Returns', { message: 'the categories were not kept in order' });
  assert.equal(await form.getByLabel('Require a summary to close a conversation').isChecked(), true);
  assert.equal(await target.inputValue(), '120');
  const st = await apiIn(page, 'GET', '/api/v1/workspace/settings');
  assert.deepEqual(st.data, { summary_categories: ['Shipping', 'Returns'], summary_required: true, response_target_seconds: 120 });
});

test('a customer message waiting for an answer shows a green timer in the thread and in the inbox', async () => {
  // The customer writes through an integration (an API token writes as the contact).
  const tok = await apiIn(admin.page, 'POST', '/api/v1/tokens', { name: 'shop', scope: 'write' });
  assert.equal(tok.status, 201, JSON.stringify(tok.data));
  token = tok.data.secret;
  const ct = await api(srv.url, 'POST', '/api/v1/contacts', { token, body: { name: 'Wang Wei' } });
  assert.equal(ct.status, 201, JSON.stringify(ct.data));
  const cv = await api(srv.url, 'POST', '/api/v1/conversations', { token, body: { contact_id: ct.data.id, message: { body: QUESTION, author: 'contact' } } });
  assert.equal(cv.status, 201, JSON.stringify(cv.data));
  convId = cv.data.conversation.id;

  const { page } = agent;
  await signIn(page, AGENT.email, AGENT.password);
  await page.waitForURL('**/console');
  await con.live();
  // Whoever it went to, the conversation is among all open ones.
  await con.tab('open').click();
  const row = con.item(convId);
  await row.waitFor();
  const rowTimer = row.getByTestId('inbox-timer');
  await expectText(rowTimer, /^waiting \d+:\d\d$/);
  assert.equal(await rowTimer.getAttribute('data-state'), 'ok');

  await con.open(convId);
  const head = page.getByTestId('response-timer');
  await expectText(head, /^waiting 0:\d\d$/);
  assert.equal(await head.getAttribute('data-state'), 'ok');
  const msgTimer = con.message(1).getByTestId('message-timer');
  await expectText(msgTimer, /^waiting 0:\d\d$/);
  // It counts: a later reading shows more time.
  const first = (await head.textContent()).trim();
  await until(async () => (await head.textContent()).trim() !== first, { timeout: 3_000, message: 'the timer does not tick' });
});

test('with a 10 s target the timer turns red; an answer removes it; the next message starts green, then amber, then red', async () => {
  const { page: ap } = admin;
  await ap.getByLabel('Response target (seconds)').fill('10');
  await saveSettings(ap);

  const { page } = agent;
  await page.reload();
  await con.live();
  await until(async () => (await page.locator('#history-state').isHidden()) && (await con.message(1).count()) === 1,
    { message: 'the conversation did not open again' });
  const head = page.getByTestId('response-timer');
  await until(async () => (await head.getAttribute('data-state')) === 'late', { timeout: 15_000, message: 'the timer did not turn late' });
  assert.equal(await con.message(1).getByTestId('message-timer').getAttribute('data-state'), 'late');
  assert.equal(await con.item(convId).getByTestId('inbox-timer').getAttribute('data-state'), 'late');
  assert.equal(await head.evaluate((n) => getComputedStyle(n).backgroundColor), 'rgb(254, 226, 226)', 'late is red');
  await screenshot(page, 'workspace-timer-late');

  await con.reply('Sorry for the wait — I am checking your parcel now.');
  await head.waitFor({ state: 'hidden' });
  assert.equal(await page.getByTestId('message-timer').count(), 0, 'no message is waiting any more');
  await until(async () => (await con.item(convId).getByTestId('inbox-timer').count()) === 0, { message: 'the inbox row still shows a timer' });

  // The customer writes again: a new wait, measured from that message.
  const m = await api(srv.url, 'POST', `/api/v1/conversations/${convId}/messages`, { token, body: { body: 'Any news?', author: 'contact' } });
  assert.equal(m.status, 201, JSON.stringify(m.data));
  const seen = [];
  const colours = {};
  await until(async () => {
    const st = await head.getAttribute('data-state');
    if (st && seen.at(-1) !== st) {
      seen.push(st);
      colours[st] = await head.evaluate((n) => getComputedStyle(n).backgroundColor);
    }
    return st === 'late';
  }, { timeout: 15_000, message: () => `the new wait went through ${seen.join(' → ')}` });
  assert.deepEqual(seen, ['ok', 'warn', 'late'], 'green under half the target, amber under it, red after');
  assert.deepEqual(colours, { ok: 'rgb(220, 252, 231)', warn: 'rgb(254, 243, 199)', late: 'rgb(254, 226, 226)' });
  assert.equal(await page.getByTestId('message-timer').count(), 1, 'only the unanswered message has a timer');
  assert.equal(await con.message(m.data.seq).getByTestId('message-timer').count(), 1);

  await con.reply('It is at the depot; it will be delivered tomorrow.');
  await head.waitFor({ state: 'hidden' });
});

test('closing without a category is refused with a visible reason; with one it closes and keeps the summary', async () => {
  const { page } = agent;
  await page.getByTestId('close-button').click();
  const dlg = page.getByTestId('close-dialog');
  await dlg.waitFor();
  const category = dlg.getByLabel('Category');
  assert.deepEqual(await category.locator('option').allTextContents(), ['Choose a category…', 'Shipping', 'Returns']);
  await expectText(dlg.locator('#close-category-need'), '(required)');
  await dlg.getByLabel('Resolution note').fill('Parcel found at the depot.');
  await dlg.getByRole('button', { name: 'Close conversation' }).click();
  const error = dlg.getByTestId('close-error');
  await expectText(error, 'Choose a summary category: closing a conversation needs a close summary here.');
  assert.equal(await category.getAttribute('aria-invalid'), 'true');
  assert.ok(await dlg.isVisible(), 'the dialog stays open');
  await expectText(page.getByTestId('thread-status'), 'Open');
  await screenshot(page, 'workspace-close-refused');

  await category.selectOption('Shipping');
  await dlg.getByRole('button', { name: 'Close conversation' }).click();
  await dlg.waitFor({ state: 'hidden' });
  await expectText(page.getByTestId('thread-status'), 'Closed');
  await page.getByTestId('reopen-button').waitFor();

  const me = await apiIn(page, 'GET', '/api/v1/me');
  const sum = await apiIn(page, 'GET', `/api/v1/conversations/${convId}/summary`);
  assert.equal(sum.status, 200, JSON.stringify(sum.data));
  assert.equal(sum.data.category, 'Shipping');
  assert.equal(sum.data.note, 'Parcel found at the depot.');
  assert.equal(sum.data.agent_id, me.data.user.id);
});

test('without categories and with summaries optional, Close closes at once', async () => {
  const { page: ap } = admin;
  const form = ap.locator('#workspace-form');
  for (const c of ['Shipping', 'Returns']) await form.getByRole('button', { name: `Remove: ${c}` }).click();
  await ap.getByText('No categories yet.').waitFor();
  await form.getByLabel('Require a summary to close a conversation').uncheck();
  await saveSettings(ap);

  const { page } = agent;
  await page.reload();
  await con.live();
  await page.getByTestId('reopen-button').click();
  await expectText(page.getByTestId('thread-status'), 'Open');
  await page.getByTestId('close-button').click();
  await expectText(page.getByTestId('thread-status'), 'Closed');
  assert.equal(await page.getByTestId('close-dialog').isVisible(), false, 'no dialog: there was nothing to ask');
  // The earlier summary is still there.
  const sum = await apiIn(page, 'GET', `/api/v1/conversations/${convId}/summary`);
  assert.equal(sum.data.category, 'Shipping');
});

test('the pages logged no errors', () => {
  assertNoProblems([...admin.problems, ...agent.problems]);
});
