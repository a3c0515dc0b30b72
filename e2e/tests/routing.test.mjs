// Routing end to end, as the issue describes it: two agents with different
// skills and a capacity of one each, a VIP visitor (signed in on the shop,
// tagged VIP) and two others. The test checks who gets which conversation,
// that the third visitor waits at position 1 and then goes to the first
// agent who frees a slot, a transfer with a note the receiver sees, a quick
// reply with variables, and the VIP visitor's rating when their
// conversation closes.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { firstSignIn, signIn, apiIn, assertNoProblems } from '../lib/ui.mjs';
import { until, expectText, startSite, createChannel, widgetOf, consoleOf, stepper } from '../lib/livechat.mjs';

const test = stepper(nodeTest);

const ADMIN_PASSWORD = 'a long admin passphrase for routing';
const ANA = { email: 'ana@example.com', name: '安娜 Ana', password: 'agent ana passphrase 2026' };
const BEN = { email: 'ben@example.com', name: 'Ben Stone', password: 'agent ben passphrase 2026' };
const VIP_USER = 'shop-user-42';
const NOTE = '客户想改收货地址，请跟进 — wants to change the address';

let srv, browser, admin, site, vipSite;
let ana, ben, anaCon, benCon;
const visitors = {}; // name → { page, w, conv }

before(async () => {
  srv = await startServer();
  browser = await launch();
  admin = await openPage(browser, { baseURL: srv.url });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await vipSite?.close();
  await srv?.stop();
});

async function ok(page, method, path, body, status = 200) {
  const res = await apiIn(page, method, path, body);
  assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.data)}`);
  return res.data;
}

test('the administrator sets up two agents with different skills, capacity 1, and a VIP rule', async () => {
  await firstSignIn(admin.page, srv.email, srv.oneTimePassword, ADMIN_PASSWORD, '/console');
  const ch = await createChannel(admin.page, srv.url, { name: 'Routing shop' });
  site = await startSite({ widgetOrigin: srv.url });
  site.setSnippet(ch.snippet);
  // The VIP customer is signed in on the shop: the widget names them with a signed user id.
  const channel = await ok(admin.page, 'GET', `/api/v1/channels/${ch.id}`);
  const hash = createHmac('sha256', channel.identity_secret).update(VIP_USER).digest('hex');
  vipSite = await startSite({ widgetOrigin: srv.url, title: 'VIP · 我的订单', heading: 'VIP 会员' });
  vipSite.setSnippet(ch.snippet.replace(' async>', ` data-user-id="${VIP_USER}" data-user-hash="${hash}" async>`));
  await ok(admin.page, 'POST', '/api/v1/contacts', { name: '周先生 VIP', external_ids: [{ source: 'site', id: VIP_USER }], tags: ['VIP'] }, 201);

  for (const a of [ANA, BEN]) {
    a.id = (await ok(admin.page, 'POST', '/api/v1/users', { email: a.email, name: a.name, role: 'agent', password: a.password,
      must_change_password: false }, 201)).id;
  }
  const afterSales = await ok(admin.page, 'POST', '/api/v1/teams', { name: '售后 After-sales' }, 201);
  const vip = await ok(admin.page, 'POST', '/api/v1/teams', { name: 'VIP 贵宾' }, 201);
  await ok(admin.page, 'PUT', `/api/v1/teams/${afterSales.id}/members/${ANA.id}`, undefined, 204);
  await ok(admin.page, 'PUT', `/api/v1/teams/${vip.id}/members/${BEN.id}`, undefined, 204);
  await ok(admin.page, 'PUT', `/api/v1/routing/teams/${afterSales.id}`, { skills: ['after-sales'], languages: ['zh', 'en'] });
  await ok(admin.page, 'PUT', `/api/v1/routing/teams/${vip.id}`, { skills: ['vip'], languages: ['zh', 'en'] });
  for (const a of [ANA, BEN]) await ok(admin.page, 'PUT', `/api/v1/agents/${a.id}/capacity`, { capacity: 1 });
  // Bad input is refused with a clear error before anything is saved.
  const zero = await apiIn(admin.page, 'PUT', `/api/v1/agents/${ANA.id}/capacity`, { capacity: 0 });
  assert.equal(zero.status, 422);
  assert.equal(zero.data.error.code, 'invalid_capacity');
  // VIP customers need the vip skill, first; everyone else goes to whoever is free (the fallback).
  const cfg = await ok(admin.page, 'PUT', '/api/v1/routing/rules', { rules: [
    { name: 'VIP 客户', enabled: true, when: { tags: ['VIP'] }, then: { skill: 'vip', priority: 5 } },
  ] });
  assert.deepEqual(cfg.rules.map((r) => [r.name, r.broken || []]), [['VIP 客户', []]]);
  // The admin page shows the rule.
  await admin.page.goto('/admin/routing');
  await until(() => admin.page.locator('input').evaluateAll((els) => els.some((e) => e.value === 'VIP 客户')),
    { message: 'the rule is not on /admin/routing' });
});

test('both agents open the console and go online', async () => {
  ana = await openPage(browser, { baseURL: srv.url });
  ben = await openPage(browser, { baseURL: srv.url });
  for (const [p, a] of [[ana, ANA], [ben, BEN]]) {
    await signIn(p.page, a.email, a.password);
    await p.page.waitForURL('**/console');
    const con = consoleOf(p.page);
    await con.live();
    const select = p.page.getByTestId('agent-status-select');
    await until(async () => (await select.inputValue()) === 'offline', { message: 'a new agent does not start offline' });
    await select.selectOption('online');
    await until(async () => (await p.page.getByTestId('agent-status').getAttribute('data-status')) === 'online',
      { message: `${a.name} is not shown online` });
  }
  anaCon = consoleOf(ana.page);
  benCon = consoleOf(ben.page);
  const agents = await ok(admin.page, 'GET', '/api/v1/agents');
  const status = Object.fromEntries(agents.items.map((a) => [a.name, a.status]));
  assert.equal(status[ANA.name], 'online');
  assert.equal(status[BEN.name], 'online');
});

async function visit(name, origin, question, locale) {
  const page = await openPage(browser, { baseURL: origin, locale });
  const w = widgetOf(page.page);
  await page.page.goto('/shop/orders');
  await w.open();
  await w.say(question);
  const conv = (await w.list())[0].conversation;
  assert.ok(conv, `${name} has a conversation`);
  visitors[name] = { ...page, w, conv };
  return visitors[name];
}

async function assigneeOf(conv) {
  const c = await ok(admin.page, 'GET', `/api/v1/conversations/${conv}`);
  return c.assignee_id;
}

test('the VIP visitor goes to the VIP agent, the next visitor to the other agent', async () => {
  const vip = await visit('vip', vipSite.origin, '你好，我是会员，订单能加急吗？', 'zh-CN');
  await until(async () => (await assigneeOf(vip.conv)) === BEN.id, { message: 'the VIP conversation did not go to Ben' });
  const c = await ok(admin.page, 'GET', `/api/v1/conversations/${vip.conv}`);
  assert.equal(c.priority, 5);
  await benCon.counts({ mine: 1 });

  const first = await visit('first', site.origin, 'Hello, where is my parcel?', 'en-GB');
  await until(async () => (await assigneeOf(first.conv)) === ANA.id, { message: 'the first visitor did not go to Ana' });
  await anaCon.counts({ mine: 1 });
  // Ben's "Mine" tab lists the VIP conversation.
  await benCon.tab('mine').click();
  await benCon.item(vip.conv).waitFor();
});

test('the third visitor waits at position 1, live, while both agents are full', async () => {
  const third = await visit('third', site.origin, '你好，我想退货', 'zh-CN');
  const bar = third.w.frame.getByTestId('sb-queue');
  await bar.waitFor({ state: 'visible', timeout: 5_000 });
  await expectText(third.w.frame.getByTestId('sb-queue-position'), /下一位就是您/);
  const [pos] = (await ok(admin.page, 'GET', '/api/v1/queue')).items;
  assert.equal(pos.conversation_id, third.conv);
  assert.equal(pos.position, 1);
  assert.equal(await assigneeOf(third.conv), null);
  await screenshot(third.page, 'routing-queue-position-zh');
});

test('Ben frees a slot first by closing the VIP conversation: the third visitor goes to him', async () => {
  await ben.page.goto(`${srv.url}/console#c/${visitors.vip.conv}`);
  await benCon.live();
  await benCon.reply('已为您加急处理，今天发出。');
  await visitors.vip.w.theirs('已为您加急处理').waitFor();
  await ben.page.getByTestId('close-button').click();
  const dialog = ben.page.getByTestId('close-dialog');
  if (await dialog.isVisible().catch(() => false)) await ben.page.getByTestId('close-confirm').click();
  await expectText(ben.page.getByTestId('thread-status'), 'Closed');
  await until(async () => (await assigneeOf(visitors.third.conv)) === BEN.id, { message: 'the waiting visitor did not go to the agent who freed a slot' });
  await visitors.third.w.frame.getByTestId('sb-queue').waitFor({ state: 'hidden', timeout: 5_000 });
  assert.equal(await assigneeOf(visitors.first.conv), ANA.id, 'Ana keeps her conversation');
});

test('the VIP visitor rates the closed conversation 5 stars with a comment', async () => {
  const f = visitors.vip.w.frame;
  await f.getByTestId('sb-csat').waitFor({ state: 'visible' });
  await f.getByTestId('sb-csat-star-5').click();
  await f.getByTestId('sb-csat-comment').fill('很快，谢谢！');
  await f.getByTestId('sb-csat-submit').click();
  await f.getByTestId('sb-csat-done').waitFor({ state: 'visible' });
  const rating = await ok(admin.page, 'GET', `/api/v1/conversations/${visitors.vip.conv}/csat`);
  assert.equal(rating.score, 5);
  assert.equal(rating.comment, '很快，谢谢！');
  assert.equal(rating.agent_id, BEN.id);
  // Ben sees it among his own ratings.
  const mine = await ok(ben.page, 'GET', '/api/v1/csat/ratings');
  assert.deepEqual(mine.items.map((r) => r.score), [5]);
});

test('Ben answers the third visitor with a quick reply whose variables are filled in', async () => {
  await ok(admin.page, 'PATCH', `/api/v1/contacts/${(await ok(admin.page, 'GET', `/api/v1/conversations/${visitors.third.conv}`)).contact_id}`, { name: '王芳' });
  await ok(ben.page, 'POST', '/api/v1/quick-replies', { scope: 'personal', shortcut: 'hi', title: 'Greeting',
    body: '您好 {{customer.name}}，我是 {{agent.name}}，马上为您处理退货。' }, 201);
  await ben.page.goto(`${srv.url}/console#c/${visitors.third.conv}`);
  await benCon.live();
  await until(async () => !(await ben.page.locator('#history-state').isVisible()), { message: 'the history did not load' });
  await until(async () => (await ben.page.locator('#d-name').textContent()).includes('王芳'), { message: 'the console does not show the new name' });
  await benCon.input.click();
  await benCon.input.pressSequentially('/hi');
  const option = ben.page.locator('[data-testid="quick-reply-option"][data-shortcut="hi"]');
  await option.waitFor();
  await benCon.input.press('Enter');
  const text = `您好 王芳，我是 ${BEN.name}，马上为您处理退货。`;
  await until(async () => (await benCon.input.inputValue()) === text, { message: async () => `the composer holds ${JSON.stringify(await benCon.input.inputValue())}` });
  await benCon.input.press('Enter');
  await visitors.third.w.theirs(text).waitFor();
});

test('a transfer to a full agent is refused; once she frees a slot it goes through with a note she sees', async () => {
  await ben.page.getByTestId('transfer-button').click();
  const dlg = ben.page.getByTestId('transfer-dialog');
  await dlg.waitFor({ state: 'visible' });
  await dlg.getByTestId('transfer-agent').selectOption(ANA.id);
  await dlg.getByTestId('transfer-note').fill(NOTE);
  await dlg.getByTestId('transfer-confirm').click();
  await expectText(dlg.getByTestId('transfer-error'), /\S/);
  assert.equal(await assigneeOf(visitors.third.conv), BEN.id);
  await dlg.getByRole('button', { name: /Cancel/ }).click();

  // Ana closes her conversation, then Ben transfers again.
  await ana.page.goto(`${srv.url}/console#c/${visitors.first.conv}`);
  await anaCon.live();
  await ana.page.getByTestId('close-button').click();
  const dialog = ana.page.getByTestId('close-dialog');
  if (await dialog.isVisible().catch(() => false)) await ana.page.getByTestId('close-confirm').click();
  await until(async () => (await ok(admin.page, 'GET', `/api/v1/conversations/${visitors.first.conv}`)).status === 'closed',
    { message: 'Ana\'s conversation did not close' });

  await ben.page.getByTestId('transfer-button').click();
  await dlg.waitFor({ state: 'visible' });
  await dlg.getByTestId('transfer-agent').selectOption(ANA.id);
  await dlg.getByTestId('transfer-note').fill(NOTE);
  await dlg.getByTestId('transfer-confirm').click();
  await dlg.waitFor({ state: 'hidden' });
  await until(async () => (await assigneeOf(visitors.third.conv)) === ANA.id, { message: 'the transfer did not reach Ana' });

  await ana.page.goto(`${srv.url}/console#c/${visitors.third.conv}`);
  await anaCon.live();
  const note = ana.page.locator('#messages article[data-private="true"]').filter({ hasText: NOTE });
  await note.waitFor();
  await expectText(note, /Ben Stone/);
  // The visitor never sees the internal note.
  assert.equal(await visitors.third.w.frame.getByText(NOTE).count(), 0);
  await screenshot(ana.page, 'routing-transfer-note');
});

nodeTest('no console errors, uncaught exceptions or CSP violations', () => {
  assertNoProblems([admin, ana, ben, ...Object.values(visitors)].flatMap((p) => p?.problems || []));
});
