// The customer panel and reply suggestions, as an agent meets them on the
// demo: a shopper on /demo asks for a person and then asks a question the
// demo knowledge base answers; the agent opens the conversation, sees the
// bot's suggested answers above the composer, puts one in the composer with
// a click, sees them change when the shopper asks something else, tags the
// customer "VIP" (kept across a reload) and removes the tag again, finds
// the shopper's earlier, closed conversation in the panel, and sees the
// page the shopper is on change live.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { signIn, assertNoProblems } from '../lib/ui.mjs';
import { until, expectText, widgetOf, consoleOf, stepper } from '../lib/livechat.mjs';

const test = stepper(nodeTest);
const PASSWORD = 'demo-switchboard-2026';

let srv, browser, admin, sam, con, shopper, w, firstConv, convId, contactId;

/** signs in to the REST API with a session (cookie + CSRF token), as a browser would. */
async function session(base, email) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD, tenant: 'demo' }),
  });
  const me = await res.json();
  assert.equal(res.status, 200, JSON.stringify(me));
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return async (method, path, body) => {
    const headers = { Accept: 'application/json', Cookie: cookie, 'X-CSRF-Token': me.csrf_token };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, data: text ? JSON.parse(text) : null };
  };
}

/** opens a conversation in the console by its address, as a link to it would. */
async function openConv(page, id) {
  await page.evaluate((cid) => { location.hash = '#c/' + cid; }, id);
  await page.waitForURL(`**/console#c/${id}`);
  await until(async () => !(await page.locator('#history-state').isVisible()), { message: 'the history did not load' });
}

const panel = () => sam.page.getByTestId('customer-panel');
const tagChips = () => panel().getByTestId('customer-tag');
const chipTexts = async () => (await tagChips().locator('.tag-text').allTextContents()).map((s) => s.trim());
const suggestions = () => sam.page.locator('#suggestions [data-testid="suggestion"]');

before(async () => {
  srv = await startServer({ args: ['--demo'] });
  browser = await launch();
  admin = await session(srv.url, 'admin@demo.switchboard.local');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('the demo customer 王伟 is a VIP, shown as a tag in the panel', async () => {
  const found = await admin('GET', '/api/v1/contacts?email=wang.wei@example.com');
  assert.equal(found.status, 200);
  const wang = found.data.items[0];
  assert.deepEqual(wang.tags, ['VIP']);
  const convs = await admin('GET', `/api/v1/conversations?contact_id=${wang.id}`);
  assert.equal(convs.data.items.length, 1);

  sam = await openPage(browser, { baseURL: srv.url });
  con = consoleOf(sam.page);
  await signIn(sam.page, 'sam@demo.switchboard.local', PASSWORD);
  await sam.page.waitForURL('**/console');
  await con.live();
  await openConv(sam.page, convs.data.items[0].id);
  await expectText(panel().locator('#customer-title'), 'Customer');
  await until(async () => JSON.stringify(await chipTexts()) === '["VIP"]', { message: async () => `the tags shown: ${JSON.stringify(await chipTexts())}` });
  await expectText(panel().getByTestId('customer-history-state'), 'No other conversations.');
});

test('a shopper asks a question, the conversation is closed, and the shopper comes back', async () => {
  shopper = await openPage(browser, { baseURL: srv.url });
  w = widgetOf(shopper.page);
  await shopper.page.goto('/demo');
  await w.open();
  assert.equal(await w.say('Do you ship internationally?'), 1);
  firstConv = (await w.list())[0].conversation;
  assert.ok(firstConv);
  // The demo bot answers first.
  await until(async () => (await w.frame.locator('[data-testid="sb-message"][data-sender="bot"]').count()) >= 1,
    { message: 'the bot did not answer' });
  const closed = await admin('POST', `/api/v1/conversations/${firstConv}/close`);
  assert.equal(closed.status, 200, JSON.stringify(closed.data));
  await w.closed.waitFor({ state: 'visible' });

  // Back again: asks for a person first, so the bot hands over and stays
  // silent, then asks what the knowledge base answers.
  await w.say('I want to talk to a person');
  convId = (await w.list()).at(-1).conversation;
  assert.ok(convId && convId !== firstConv, 'a new conversation');
  await until(async () => {
    const c = await admin('GET', `/api/v1/conversations/${convId}`);
    return c.data.owner !== 'bot' && c.data.handoff_reason === 'asked_for_human';
  }, { message: 'the bot did not hand the conversation over' });
  await w.say('How do I get a refund?');
  contactId = (await admin('GET', `/api/v1/conversations/${convId}`)).data.contact_id;
  assert.equal((await admin('GET', `/api/v1/conversations/${firstConv}`)).data.contact_id, contactId, 'the same customer');
});

test('the agent sees the bot\'s suggested answers and puts one in the composer with a click', async () => {
  const api = await admin('GET', `/api/v1/conversations/${convId}/suggestions`);
  assert.equal(api.status, 200);
  assert.equal(api.data.question, 'How do I get a refund?');
  assert.ok(api.data.items.length >= 1 && api.data.items.length <= 3, JSON.stringify(api.data));
  const best = api.data.items[0];
  assert.match(best.answer, /refund/i);
  assert.doesNotMatch(best.answer, /\*\*|<\/?[a-z]+>/, 'the answer is plain text');

  await openConv(sam.page, convId);
  await suggestions().first().waitFor();
  assert.equal(await sam.page.getByTestId('suggestions').isVisible(), true);
  const labels = (await suggestions().allTextContents()).map((s) => s.trim());
  assert.deepEqual(labels, api.data.items.map((i) => i.question));
  await screenshot(sam.page, 'console-customer-panel');

  await con.input.fill('');
  await suggestions().first().click();
  assert.equal(await con.input.inputValue(), best.answer);
  assert.equal(await sam.page.evaluate(() => document.activeElement.id), 'composer-input');
  await con.input.fill('');
});

test('the suggestions follow the shopper\'s next question live', async () => {
  await w.say('国内运费多少钱？');
  await until(async () => ((await suggestions().first().textContent()) || '').trim() === '国内配送怎么收费？多久发货？',
    { message: async () => `the chips say ${JSON.stringify(await suggestions().allTextContents())}` });
  await suggestions().first().click();
  assert.match(await con.input.inputValue(), /满 ¥99 包邮/);
  await con.input.fill('');
});

test('the agent tags the customer VIP; the tag stays after a reload; then removes it', async () => {
  assert.equal(await tagChips().count(), 0);
  const input = panel().getByTestId('customer-tag-input');
  // A comma is refused with a message; nothing is added.
  await input.fill('VIP, gold');
  await input.press('Enter');
  await expectText(panel().getByTestId('customer-tag-error'), /must not contain a comma/);
  assert.equal(await tagChips().count(), 0);

  await input.fill('VIP');
  await input.press('Enter');
  await until(async () => JSON.stringify(await chipTexts()) === '["VIP"]', { message: 'the VIP chip did not appear' });
  assert.equal(await input.inputValue(), '');
  assert.deepEqual((await admin('GET', `/api/v1/contacts/${contactId}`)).data.tags, ['VIP']);

  await sam.page.reload();
  await con.live();
  await until(async () => JSON.stringify(await chipTexts()) === '["VIP"]', { message: 'after a reload the VIP chip is gone' });

  const remove = tagChips().filter({ hasText: 'VIP' }).getByTestId('customer-tag-remove');
  assert.equal(await remove.getAttribute('aria-label'), 'Remove the tag VIP');
  await remove.click();
  await until(async () => (await tagChips().count()) === 0, { message: 'the VIP chip is still there' });
  await expectText(panel().locator('#customer-no-tags'), 'No tags yet.');
  assert.deepEqual((await admin('GET', `/api/v1/contacts/${contactId}`)).data.tags, []);
});

test('the panel lists the shopper\'s earlier, closed conversation, which opens with a click', async () => {
  const items = panel().getByTestId('customer-history-item');
  await until(async () => (await items.count()) === 1, { message: 'the earlier conversation is not listed' });
  const item = items.first();
  assert.equal(await item.getAttribute('data-conversation-id'), firstConv);
  await expectText(item.getByTestId('customer-history-status'), 'Closed');
  assert.ok(((await item.getByTestId('customer-history-preview').textContent()) || '').trim().length > 0, 'a preview');

  await item.click();
  await sam.page.waitForURL(`**/console#c/${firstConv}`);
  await expectText(sam.page.getByTestId('thread-status'), 'Closed');
  // From the earlier conversation, the later one is the other one listed.
  await until(async () => (await items.count()) === 1 && (await items.first().getAttribute('data-conversation-id')) === convId,
    { message: 'the panel of the earlier conversation does not list the later one' });
  await expectText(items.first().getByTestId('customer-history-status'), 'Open');
  await items.first().click();
  await sam.page.waitForURL(`**/console#c/${convId}`);
});

test('the current page follows the shopper live', async () => {
  const page = sam.page.getByTestId('visitor-page');
  await expectText(page, /\/demo/);
  await shopper.page.evaluate(() => {
    history.pushState({}, '', '/demo?step=checkout');
    document.title = 'Checkout · Demo Shop';
  });
  await expectText(page.locator('a'), 'Checkout · Demo Shop', 10_000);
  assert.match(await page.locator('a').getAttribute('href'), /\/demo\?step=checkout$/);
});

test('a Chinese-speaking agent reads the panel and the suggestions in 中文', async () => {
  const lina = await openPage(browser, { baseURL: srv.url });
  await signIn(lina.page, 'li.na@demo.switchboard.local', PASSWORD);
  await lina.page.waitForURL('**/console');
  await lina.page.goto(`/console?lang=zh#c/${convId}`);
  const p = lina.page.getByTestId('customer-panel');
  await expectText(p.locator('#customer-title'), '客户');
  await expectText(p.locator('#customer-no-tags'), '暂无标签。');
  await expectText(lina.page.locator('#suggestions .suggestions-label'), '推荐回复');
  assert.equal(await p.getByTestId('customer-tag-input').getAttribute('placeholder'), '输入标签后按回车添加');
  assertNoProblems(lina.problems);
  await lina.context.close();
});

test('no page logged an error', () => {
  assertNoProblems(sam.problems);
  assertNoProblems(shopper.problems);
});
