// The queue and leaving a message, on /demo as a newcomer tries them.
// With every agent offline, a shopper asks the bot for a person (转人工),
// is told in 中文 that nobody is online, leaves a message with their
// contact details (a wrong e-mail address is refused at the field by the
// server, a missing one by the widget) and sees it received; the
// conversation is marked for the inbox. Then one agent is online with
// capacity 1 and busy: two shoppers ask for a person and see where they
// stand (next / one ahead), live; when the agent closes their conversation
// the first is taken out of the queue and the second moves up.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { signIn, apiIn, assertNoProblems } from '../lib/ui.mjs';
import { until, expectText, widgetOf, consoleOf, stepper } from '../lib/livechat.mjs';

const test = stepper(nodeTest);

let srv, browser, demo;
let admin, sam, con;
let leaver, lw, leftConv;
let first, fw, firstConv;
let second, sw, secondConv;
let busyConv;

before(async () => {
  srv = await startServer({ args: ['--demo'] });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

const api = (p, method, path, body) => apiIn(p.page, method, path, body);
const frameOf = (widget) => widget.frame;

/** The queue bar and the leave-a-message card of a widget. */
function queueOf(w) {
  return {
    bar: w.frame.getByTestId('sb-queue'),
    place: w.frame.getByTestId('sb-queue-position'),
    reason: w.frame.getByTestId('sb-queue-reason'),
    card: w.frame.getByTestId('sb-leave'),
    cardReason: w.frame.getByTestId('sb-leave-reason'),
    field: (name) => w.frame.getByTestId(`sb-leave-${name}`),
    error: (name) => w.frame.getByTestId(`sb-leave-${name}-error`),
    submit: w.frame.getByTestId('sb-leave-submit'),
    done: w.frame.getByTestId('sb-leave-done'),
  };
}

/** Opens /demo in a new browser context and asks the bot for a person; returns the conversation id. */
async function askForPerson(visitor, w) {
  await visitor.page.goto('/demo');
  await visitor.page.getByRole('heading', { level: 1 }).waitFor();
  await w.open();
  await w.online();
  await w.say('转人工');
  const conv = (await w.list())[0].conversation;
  assert.ok(conv, 'the visitor has a conversation');
  // The bot hands over: its message says a person comes.
  await w.frame.locator('[data-testid="sb-message"][data-sender="bot"]').first().waitFor();
  return conv;
}

test('the demo starts with every agent offline, set by the administrator', async () => {
  const out = srv.output();
  const password = /^Demo tenant "demo" — sign in with any of these \(password (\S+)\):/m.exec(out)?.[1];
  assert.ok(password, `the demo accounts were printed:\n${out}`);
  demo = { password, admin: 'admin@demo.switchboard.local', sam: 'sam@demo.switchboard.local' };
  admin = await openPage(browser, { baseURL: srv.url });
  await signIn(admin.page, demo.admin, demo.password);
  await admin.page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await admin.page.goto('/admin/channels');
  const agents = (await api(admin, 'GET', '/api/v1/agents')).data.items;
  assert.ok(agents.length >= 3, JSON.stringify(agents));
  for (const a of agents) {
    const r = await api(admin, 'PUT', `/api/v1/agents/${a.user_id}/status`, { status: 'offline' });
    assert.equal(r.status, 200, JSON.stringify(r.data));
  }
  const now = (await api(admin, 'GET', '/api/v1/agents')).data.items;
  assert.deepEqual(now.map((a) => a.status), now.map(() => 'offline'));
  demo.samID = now.find((a) => a.name === 'Sam Taylor').user_id;
});

test('a shopper asks for a person with nobody online: the widget says so in 中文 and offers to leave a message', async () => {
  leaver = await openPage(browser, { baseURL: srv.url, locale: 'zh-CN' });
  lw = widgetOf(leaver.page);
  leftConv = await askForPerson(leaver, lw);
  const q = queueOf(lw);
  await q.card.waitFor({ state: 'visible', timeout: 5_000 });
  await expectText(q.cardReason, '现在没有客服在线。请留下您的联系方式和问题，我们会尽快联系您。');
  await expectText(q.reason, '现在没有客服在线');
  assert.equal(await q.bar.getAttribute('role'), 'status');
  assert.equal(await q.bar.getAttribute('aria-live'), 'polite');
  // Nobody online: no place in line is promised.
  assert.equal(await q.place.isVisible(), false);
  await expectText(q.card.locator('.sb-lm-title'), '给我们留言');
  // The visitor can still write in the chat meanwhile.
  assert.equal(await lw.input.isEnabled(), true);
  await screenshot(leaver.page, 'queue-leave-form-zh');
  // "Not now" folds the form away; "留言" brings it back.
  await frameOf(lw).getByTestId('sb-leave-not-now').click();
  await q.card.locator('form').waitFor({ state: 'hidden' });
  const reopen = frameOf(lw).getByTestId('sb-leave-open');
  await expectText(reopen, '留言');
  await reopen.click();
  await q.field('name').waitFor({ state: 'visible' });
  assert.equal(await q.field('name').evaluate((i) => i === document.activeElement), true, 'the form has the focus');
});

test('the form checks what the server checks, shows the server\'s refusal at the field, and confirms', async () => {
  const q = queueOf(lw);
  await q.field('message').fill('茶壶收到时已经碎了，请尽快联系我。');
  await q.submit.click();
  // Neither an e-mail address nor a phone number: refused before sending.
  await expectText(q.error('email'), '请填写电子邮箱或电话，方便我们联系您。');
  assert.equal(await q.field('email').getAttribute('aria-invalid'), 'true');
  assert.equal(await q.field('email').evaluate((i) => i === document.activeElement), true);
  await q.field('phone').fill('电话 138');
  await q.submit.click();
  await expectText(q.error('phone'), '电话只能包含数字、空格和 + - ( )，最多 40 个字符。');

  // An address the widget lets through but the server does not: its message at the field.
  await q.field('name').fill('王芳');
  await q.field('phone').fill('138 0013 8000');
  await q.field('email').fill('wang..fang@example.com');
  await q.submit.click();
  const serverSays = await expectText(q.error('email'), /\S/);
  assert.doesNotMatch(serverSays, /err\.|请填写电子邮箱或电话/);
  assert.match(serverSays, /[\u4e00-\u9fff]/, 'the server\'s message is in 中文');
  assert.equal(await q.done.isVisible(), false);

  await q.field('email').fill('wang.fang@example.com');
  await q.submit.click();
  await q.done.waitFor({ state: 'visible' });
  await expectText(q.done, '留言已收到，我们会尽快联系您。');
  assert.equal(await q.card.locator('form').isVisible(), false);
  // The message is in the conversation, as the visitor's.
  await lw.mine('茶壶收到时已经碎了').waitFor();
  await screenshot(leaver.page, 'queue-leave-done-zh');
});

test('the inbox sees the left message: the conversation is marked, the contact has the details', async () => {
  const conv = await until(async () => {
    const r = await api(admin, 'GET', `/api/v1/conversations/${leftConv}`);
    return r.data.left_message ? r.data : null;
  }, { message: 'the conversation is not marked left_message' });
  const contact = (await api(admin, 'GET', `/api/v1/contacts/${conv.contact_id}`)).data;
  assert.equal(contact.name, '王芳');
  assert.ok(contact.emails.includes('wang.fang@example.com'), JSON.stringify(contact));
  assert.ok(contact.phones.some((p) => p.replace(/\D/g, '') === '13800138000'), JSON.stringify(contact));
  const msgs = (await api(admin, 'GET', `/api/v1/conversations/${leftConv}/messages`)).data.items;
  const left = msgs.find((m) => m.meta && m.meta.offline_message);
  assert.ok(left, JSON.stringify(msgs));
  assert.equal(left.body, '茶壶收到时已经碎了，请尽快联系我。');

  // After a reload the widget still says the message was received.
  await leaver.page.reload();
  await lw.launcher.waitFor({ state: 'visible' });
  const reopened = await until(async () => (await lw.launcher.getAttribute('aria-expanded')) === 'true', { timeout: 3_000 })
    .then(() => true, () => false);
  if (!reopened) await lw.open();
  await expectText(queueOf(lw).done, '留言已收到，我们会尽快联系您。');
  await leaver.context.close();
});

test('one agent online with capacity 1, already busy', async () => {
  // The conversation with the left message still waits; it will keep the
  // agent busy. Anything else waiting is closed.
  const waiting = (await api(admin, 'GET', '/api/v1/queue')).data.items;
  assert.ok(waiting.some((w) => w.conversation_id === leftConv), JSON.stringify(waiting));
  waiting.sort((a, b) => (a.conversation_id === leftConv ? -1 : b.conversation_id === leftConv ? 1 : 0));
  busyConv = waiting[0].conversation_id;
  for (const w of waiting.slice(1)) {
    const r = await api(admin, 'POST', `/api/v1/conversations/${w.conversation_id}/close`);
    assert.equal(r.status, 200, JSON.stringify(r.data));
  }
  const cap = await api(admin, 'PUT', `/api/v1/agents/${demo.samID}/capacity`, { capacity: 1 });
  assert.equal(cap.status, 200, JSON.stringify(cap.data));

  sam = await openPage(browser, { baseURL: srv.url });
  con = consoleOf(sam.page);
  await signIn(sam.page, demo.sam, demo.password);
  await sam.page.waitForURL('**/console');
  await con.live();
  const r = await api(sam, 'PUT', '/api/v1/agents/me/status', { status: 'online' });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.effective_capacity, 1);
  await until(async () => {
    const c = (await api(sam, 'GET', `/api/v1/conversations/${busyConv}`)).data;
    return c.assignee_id === demo.samID;
  }, { message: 'the waiting conversation was not given to the agent' });
  assert.deepEqual((await api(admin, 'GET', '/api/v1/queue')).data.items, []);
});

test('two shoppers ask for a person: next in line (中文) and one ahead (English), no form', async () => {
  first = await openPage(browser, { baseURL: srv.url, locale: 'zh-CN' });
  fw = widgetOf(first.page);
  firstConv = await askForPerson(first, fw);
  const q1 = queueOf(fw);
  await q1.bar.waitFor({ state: 'visible', timeout: 5_000 });
  await until(async () => (await q1.bar.getAttribute('data-position')) === '1', { message: 'the first shopper is not 1' });
  await expectText(q1.place, /^下一位就是您 · 预计等待(约 \d+ 分钟|不到 1 分钟)$/);
  assert.equal(await q1.reason.isVisible(), false);
  assert.equal(await q1.card.isVisible(), false, 'someone can serve: no leave-a-message form');

  second = await openPage(browser, { baseURL: srv.url, locale: 'en-GB' });
  sw = widgetOf(second.page);
  secondConv = await askForPerson(second, sw);
  const q2 = queueOf(sw);
  await q2.bar.waitFor({ state: 'visible', timeout: 5_000 });
  await until(async () => (await q2.bar.getAttribute('data-position')) === '2', { message: 'the second shopper is not 2' });
  await expectText(q2.place, /^1 ahead of you in the queue · (about \d+ min|under a minute)$/);
  assert.equal(await q2.card.isVisible(), false);
  // The first one's place has not changed.
  assert.equal(await q1.bar.getAttribute('data-position'), '1');
  // Waiting, they can still write.
  await sw.say('I would like to change my delivery address.');
  await screenshot(first.page, 'queue-next-zh');
  await screenshot(second.page, 'queue-number-2-en');
});

test('the agent closes their conversation: the first shopper is taken, the second becomes next', async () => {
  const r = await api(sam, 'POST', `/api/v1/conversations/${busyConv}/close`);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  const q1 = queueOf(fw);
  const q2 = queueOf(sw);
  await q1.bar.waitFor({ state: 'hidden', timeout: 5_000 });
  await until(async () => (await q2.bar.getAttribute('data-position')) === '1', { timeout: 5_000, message: 'the second shopper did not move up' });
  await expectText(q2.place, /^You are next in the queue · (about \d+ min|under a minute)$/);
  const c = (await api(sam, 'GET', `/api/v1/conversations/${firstConv}`)).data;
  assert.equal(c.assignee_id, demo.samID);
  // The first shopper now talks with the agent.
  await con.tab('mine').click();
  await con.open(firstConv);
  await con.reply('您好，我是 Sam，请问有什么可以帮您？');
  await fw.theirs('我是 Sam').waitFor();
  assert.equal(await q1.bar.isVisible(), false);
  await screenshot(second.page, 'queue-next-en');
});

nodeTest('no console errors, uncaught exceptions or CSP violations', () => {
  assertNoProblems([admin, sam, leaver, first, second].flatMap((p) => p?.problems || []));
});
