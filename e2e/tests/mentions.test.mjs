// @mentions in internal notes, as two demo agents use them: Sam writes a
// note "@李娜 请看一下" in a conversation, choosing 李娜 from the list that
// opens at "@"; 李娜's console, open in another browser, shows the bell's
// badge at 1 and a toast without reloading; clicking the notification opens
// the conversation, and the badge goes back to nothing.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { signIn, apiIn, assertNoProblems } from '../lib/ui.mjs';
import { until, expectText, consoleOf, stepper } from '../lib/livechat.mjs';

const test = stepper(nodeTest);

let srv, browser, demo, sam, lina, samCon, linaCon, convId;

before(async () => {
  srv = await startServer({ args: ['--demo'] });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('both demo agents sign in, each in a browser of their own', async () => {
  const out = srv.output();
  const m = /^Demo tenant "demo" — sign in with any of these \(password (\S+)\):\n((?:[ \t]+\S+@\S+[ \t]+.+\n)+)/m.exec(out);
  assert.ok(m, `the demo accounts were printed:\n${out}`);
  const accounts = m[2].trimEnd().split('\n').map((line) => {
    const [, email, name, role] = /^\s+(\S+)\s+(.+?) \((\w+)\)$/.exec(line);
    return { email, name, role };
  });
  demo = {
    password: m[1],
    sam: accounts.find((a) => a.role === 'agent' && /^[A-Za-z ]+$/.test(a.name)),
    lina: accounts.find((a) => a.role === 'agent' && a.name === '李娜'),
  };
  assert.ok(demo.sam && demo.lina, JSON.stringify(accounts));

  sam = await openPage(browser, { baseURL: srv.url });
  lina = await openPage(browser, { baseURL: srv.url });
  samCon = consoleOf(sam.page);
  linaCon = consoleOf(lina.page);
  for (const [who, p, con] of [[demo.sam, sam, samCon], [demo.lina, lina, linaCon]]) {
    await signIn(p.page, who.email, demo.password);
    await p.page.waitForURL('**/console');
    await con.live();
  }
  // Nobody has mentioned 李娜 yet: the bell has no badge.
  const bell = lina.page.getByTestId('mentions-bell');
  await bell.waitFor();
  assert.equal(await lina.page.getByTestId('mentions-badge').isVisible(), false);
});

test('Sam writes a note, picking 李娜 from the list that opens at "@"', async () => {
  const p = sam.page;
  await samCon.tab('open').click();
  await until(async () => (await samCon.items.count()) > 0, { message: 'no open conversations in the demo' });
  convId = await samCon.items.first().getAttribute('data-conversation-id');
  await samCon.open(convId);
  await p.getByTestId('note-toggle').click();
  await samCon.input.pressSequentially('@李');
  const picker = p.getByTestId('mention-picker');
  await picker.waitFor();
  const options = picker.getByTestId('mention-option');
  await until(async () => (await options.count()) >= 1, { message: 'the list of people is empty' });
  await expectText(options.first().locator('.mention-name'), '李娜');
  await screenshot(p, 'mentions-picker');
  await samCon.input.press('Enter'); // inserts the name; does not send
  assert.equal(await samCon.input.inputValue(), '@李娜 ');
  assert.equal(await picker.isVisible(), false);
  await samCon.input.pressSequentially('请看一下');
  const note = await samCon.reply('@李娜 请看一下');
  assert.equal(await note.getAttribute('data-private'), 'true');
  await expectText(note.getByTestId('mention'), '@李娜');
});

test('李娜 sees the badge at 1 and a toast at once, without reloading', async () => {
  const p = lina.page;
  const before = p.url();
  await expectText(p.getByTestId('mentions-badge'), '1');
  const toast = p.getByTestId('mention-toast');
  await toast.waitFor();
  await expectText(toast, /Sam Taylor.*请看一下/);
  assert.equal(p.url(), before, 'the page did not move or reload');
  const res = await apiIn(p, 'GET', '/api/v1/notifications');
  assert.equal(res.status, 200);
  assert.equal(res.data.unread, 1);
  assert.equal(res.data.items[0].conversation_id, convId);
});

test('clicking the notification opens the conversation and the badge goes to 0', async () => {
  const p = lina.page;
  await p.getByTestId('mentions-bell').click();
  const item = p.getByTestId('notification-list').locator(`[data-conversation-id="${convId}"]`);
  await item.waitFor();
  await expectText(item.locator('.mention-excerpt'), '@李娜 请看一下');
  assert.match((await item.getAttribute('class')) || '', /\bunread\b/);
  await screenshot(p, 'mentions-bell-open');
  await item.locator('button').click();
  await p.waitForURL(`**/console#c/${convId}`);
  await until(async () => !(await p.getByTestId('mentions-badge').isVisible()), { message: 'the badge is still shown' });
  assert.equal(await p.getByTestId('mentions-menu').isVisible(), false);
  // The note is in the thread, with 李娜's own mention highlighted.
  const mine = p.locator('#messages article[data-private="true"] .mention.mention-me');
  await mine.first().waitFor();
  await expectText(mine.first(), '@李娜');
  await until(async () => (await apiIn(p, 'GET', '/api/v1/notifications')).data.unread === 0,
    { message: 'the server still counts the notification as unread' });
  await screenshot(p, 'mentions-opened');
});

nodeTest('no console errors, uncaught exceptions or CSP violations', () => {
  assertNoProblems([...(sam?.problems || []), ...(lina?.problems || [])]);
});
