// Satisfaction ratings end to end: a visitor chats from the company's site
// (in 中文), an agent answers and closes the conversation in /console, the
// widget asks how it was, the visitor gives four stars and a comment with
// the keyboard, finds the rating again after a reload, and the agent sees
// it in the console and on /ratings; the administrator sees it per agent.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { firstSignIn, signIn, apiIn, assertNoProblems } from '../lib/ui.mjs';
import { until, expectText, startSite, createChannel, widgetOf, consoleOf, stepper } from '../lib/livechat.mjs';

const test = stepper(nodeTest);

const ADMIN_PASSWORD = 'a long admin passphrase for ratings';
const AGENT = { email: 'lin.fang@example.com', name: '林芳 Lin Fang', password: 'agent lin fang passphrase' };
const CHANNEL = '晨光茶具 Ratings';
const QUESTION = '你好，我的茶具什么时候发货？';
const ANSWER = 'Your tea set ships today — 今天发货。';
const COMMENT = '回复很快，谢谢！Quick and kind.';

let srv, browser, site;
let admin, agent, visitor;
let con, w;
let convId;

before(async () => {
  srv = await startServer();
  browser = await launch();
  admin = await openPage(browser, { baseURL: srv.url });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await srv?.stop();
});

test('the administrator sets up a channel and an agent', async () => {
  await firstSignIn(admin.page, srv.email, srv.oneTimePassword, ADMIN_PASSWORD, '/console');
  const ch = await createChannel(admin.page, srv.url, { name: CHANNEL });
  site = await startSite({ widgetOrigin: srv.url });
  site.setSnippet(ch.snippet);
  const res = await apiIn(admin.page, 'POST', '/api/v1/users', { email: AGENT.email, name: AGENT.name, role: 'agent',
    password: AGENT.password, must_change_password: false });
  assert.equal(res.status, 201, JSON.stringify(res.data));
  AGENT.id = res.data.id;

  agent = await openPage(browser, { baseURL: srv.url });
  con = consoleOf(agent.page);
  await signIn(agent.page, AGENT.email, AGENT.password);
  await agent.page.waitForURL('**/console');
  await con.live();
});

test('a visitor asks in 中文; the agent answers and closes the conversation in the console', async () => {
  visitor = await openPage(browser, { baseURL: site.origin, locale: 'zh-CN' });
  w = widgetOf(visitor.page);
  await visitor.page.goto('/shop/orders');
  await w.launcher.waitFor({ state: 'visible' });
  await w.open();
  await w.say(QUESTION);
  convId = (await w.list())[0].conversation;
  assert.ok(convId);
  // No form while the conversation is open.
  assert.equal(await w.frame.getByTestId('sb-csat').isVisible(), false);

  await agent.page.goto(`/console#c/${convId}`);
  await con.live();
  await expectText(con.message(1).locator('.msg-body'), QUESTION);
  if (await agent.page.getByTestId('assign-me').isVisible()) await agent.page.getByTestId('assign-me').click();
  await expectText(agent.page.locator('#d-assignee'), AGENT.name);
  await con.reply(ANSWER);
  await w.theirs(ANSWER).waitFor();

  await agent.page.getByTestId('close-button').click();
  const dialog = agent.page.getByTestId('close-dialog');
  if (await dialog.isVisible().catch(() => false)) await agent.page.getByTestId('close-confirm').click();
  await expectText(agent.page.getByTestId('thread-status'), 'Closed');
  // Not rated yet: the panel says so.
  await expectText(agent.page.getByTestId('csat-panel'), /has not rated/);
});

test('the widget asks how it was; the visitor gives four stars and a comment with the keyboard', async () => {
  const box = w.frame.getByTestId('sb-csat');
  await box.waitFor({ state: 'visible' });
  await expectText(box.locator('.sb-csat-q'), '您对本次服务满意吗？');
  await w.closed.waitFor({ state: 'visible' });
  const star = (n) => w.frame.getByTestId(`sb-csat-star-${n}`);
  assert.equal(await star(4).getAttribute('aria-label'), '4 星（满分 5 星）：满意');

  // Sending without stars says what is missing.
  await w.frame.getByTestId('sb-csat-submit').click();
  await expectText(w.frame.getByTestId('sb-csat-error'), '请先选择 1 到 5 星。');

  // Keyboard only: the first star, three steps right, Tab to the comment, Tab to send, Enter.
  await star(1).focus();
  await star(1).press('Enter');
  for (let i = 0; i < 3; i++) await visitor.page.keyboard.press('ArrowRight');
  assert.equal(await star(4).getAttribute('aria-pressed'), 'true');
  assert.equal(await star(5).getAttribute('aria-pressed'), 'false');
  assert.equal(await star(4).evaluate((b) => b === document.activeElement), true, 'the focus follows the stars');
  await expectText(box.locator('.sb-csat-level'), '满意');
  await w.frame.getByTestId('sb-csat-comment').focus();
  await visitor.page.keyboard.type(COMMENT);
  await screenshot(visitor.page, 'csat-form-zh');
  await visitor.page.keyboard.press('Tab');
  assert.equal(await w.frame.getByTestId('sb-csat-submit').evaluate((b) => b === document.activeElement), true);
  await visitor.page.keyboard.press('Enter');

  const done = w.frame.getByTestId('sb-csat-done');
  await done.waitFor({ state: 'visible' });
  await expectText(done.locator('.sb-csat-thanks'), '感谢您的评价！');
  await expectText(w.frame.getByTestId('sb-csat-given'), '★★★★☆ 您的评分：4 星（满分 5 星）');
  await expectText(done.locator('.sb-csat-given-comment'), COMMENT);
  await screenshot(visitor.page, 'csat-widget-zh');
});

test('after a reload the widget shows the rating given', async () => {
  await visitor.page.reload();
  await w.launcher.waitFor({ state: 'visible' });
  // The loader remembers an open chat across pages.
  const reopened = await until(async () => (await w.launcher.getAttribute('aria-expanded')) === 'true', { timeout: 3_000 })
    .then(() => true, () => false);
  if (!reopened) await w.open();
  await w.online();
  await expectText(w.frame.getByTestId('sb-csat-given'), '★★★★☆ 您的评分：4 星（满分 5 星）');
  await expectText(w.frame.locator('.sb-csat-given-comment'), COMMENT);
  assert.equal(await w.frame.locator('.sb-csat-form').isVisible(), false);
  // Still within the day: the visitor may change it.
  await w.frame.getByTestId('sb-csat-change').waitFor({ state: 'visible' });
});

test('the agent sees the rating in the console and on /ratings', async () => {
  await agent.page.reload();
  await con.live();
  const panel = agent.page.getByTestId('csat-panel');
  await panel.waitFor({ state: 'visible' });
  await until(async () => (await agent.page.getByTestId('csat-score').getAttribute('data-score')) === '4', { message: 'no 4-star rating in the panel' });
  await expectText(agent.page.getByTestId('csat-comment'), COMMENT);
  await panel.scrollIntoViewIfNeeded();
  await screenshot(agent.page, 'csat-console-panel');

  await agent.page.goto('/ratings');
  await expectText(agent.page.getByTestId('csat-average'), '4.0');
  await expectText(agent.page.getByTestId('csat-count'), 'Ratings: 1');
  const item = agent.page.getByTestId('csat-item');
  await item.waitFor();
  assert.equal(await item.count(), 1);
  assert.equal(await item.getAttribute('data-score'), '4');
  await expectText(item.getByTestId('csat-item-comment'), COMMENT);
  assert.equal(await item.getByRole('link', { name: 'Open the conversation' }).getAttribute('href'), `/console#c/${convId}`);
  // An agent sees their own ratings, not the tables of everyone.
  assert.equal(await agent.page.getByTestId('csat-by-agent').count(), 0);
  await screenshot(agent.page, 'csat-ratings-agent');

  // The same page in 中文.
  await agent.page.goto('/ratings?lang=zh');
  await expectText(agent.page.locator('h1'), '满意度评价');
  await expectText(agent.page.getByTestId('csat-count'), '评价数：1');

  // The link opens the conversation in the console.
  await agent.page.goto('/ratings');
  await agent.page.getByTestId('csat-item').getByRole('link').click();
  await agent.page.waitForURL(`**/console#c/${convId}`);
  await expectText(con.message(1).locator('.msg-body'), QUESTION);
});

test('the administrator sees the rating per agent, team and channel', async () => {
  await admin.page.goto('/ratings');
  const byAgent = admin.page.getByTestId('csat-by-agent');
  const row = byAgent.locator(`tr[data-key="${AGENT.id}"]`);
  await row.waitFor();
  await expectText(row.locator('th'), AGENT.name);
  assert.deepEqual((await row.locator('td').allTextContents()).map((s) => s.trim()), ['1', '4.0', '0', '0', '0', '1', '0']);
  await expectText(admin.page.getByTestId('csat-by-channel').locator('tbody th'), CHANNEL);
  await until(async () => (await admin.page.getByTestId('csat-by-team').locator('tbody tr').count()) === 1, { message: 'no team row' });
  // A period without ratings.
  await admin.page.getByTestId('csat-from').fill('2020-01-01');
  await admin.page.getByTestId('csat-to').fill('2020-01-31');
  await admin.page.getByTestId('csat-apply').click();
  await expectText(admin.page.getByTestId('csat-count'), 'Ratings: 0');
  await expectText(admin.page.locator('#csat-state'), 'No ratings yet.');
  await screenshot(admin.page, 'csat-ratings-admin');
});

nodeTest('no console errors, uncaught exceptions or CSP violations', () => {
  assertNoProblems([...admin.problems, ...(agent?.problems || []), ...(visitor?.problems || [])]);
});
