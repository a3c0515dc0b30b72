// Quick replies (快捷回复) as an agent uses them on the demo: Sam writes his
// own on /quick-replies (with a live preview, and a clear error for an
// unknown variable), then answers a shopper in the console by typing
// "/gree" — the list narrows, Enter puts the text in the reply box with the
// customer's and Sam's names filled in — and the shopper sees it in the
// widget. The console renders variables exactly as the server's Go code
// does: both run the same cases.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { signIn, assertNoProblems, apiIn, expectFormError } from '../lib/ui.mjs';
import { until, expectText, widgetOf, consoleOf, stepper } from '../lib/livechat.mjs';

const test = stepper(nodeTest);

const CASES = JSON.parse(readFileSync(new URL('../../internal/quickreply/testdata/render.json', import.meta.url), 'utf8'));
const BODY = 'Hi {{customer.name}}, this is {{ agent.name }}. How can I help you today?';
const CUSTOMER = 'Lucy Green';

let srv, browser, agent, shopper, zhAgent, demo, con, w, convId;

before(async () => {
  srv = await startServer({ args: ['--demo'] });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('the demo agent Sam signs in and finds the shared demo quick replies', async () => {
  const out = srv.output();
  const password = /^Demo tenant "demo" — sign in with any of these \(password (\S+)\):/m.exec(out)?.[1];
  const sam = /^\s+(\S+@\S+)\s+Sam Taylor \(agent\)$/m.exec(out)?.[1];
  assert.ok(password && sam, `the demo accounts were printed:\n${out}`);
  demo = { password, email: sam, shop: /^Demo shop with the chat widget: (\S+)$/m.exec(out)?.[1] };
  agent = await openPage(browser, { baseURL: srv.url });
  await signIn(agent.page, demo.email, demo.password);
  await agent.page.waitForURL('**/console');
  const { page } = agent;
  await page.locator('nav.appnav').getByRole('link', { name: 'Quick replies' }).click();
  await page.waitForURL('**/quick-replies');
  const shared = page.locator('[data-testid="qr-group"][data-group="tenant"]');
  await shared.getByRole('heading', { name: 'Shared with everyone' }).waitFor();
  const shortcuts = await shared.getByTestId('qr-item').evaluateAll((ns) => ns.map((n) => n.dataset.shortcut));
  for (const s of ['hello', 'hi', 'refund', 'shipping', 'thanks', '订单']) assert.ok(shortcuts.includes(s), `/${s} is among ${shortcuts}`);
  // An agent changes none of the shared ones.
  assert.equal(await shared.getByTestId('qr-edit').count(), 0);
});

test('the console and the server fill variables in the same way', async () => {
  const got = await agent.page.evaluate(async (cases) => {
    const { render } = await import('/static/quickreply-render.js');
    return cases.map((c) => render(c.body, c.vars));
  }, CASES);
  assert.deepEqual(got, CASES.map((c) => c.want));
});

test('Sam writes his own quick reply with a preview; an unknown variable is refused', async () => {
  const { page } = agent;
  await page.getByTestId('qr-new').click();
  const form = page.getByTestId('qr-form');
  // Agents write only their own.
  assert.deepEqual(await form.getByTestId('qr-scope').locator('option').allTextContents(), ['Only me']);
  await form.getByLabel('Shortcut').fill('greet-sam');
  await form.getByLabel('Title (optional)').fill('Greeting');
  await form.getByLabel('Text', { exact: true }).fill('Your order {{order.id}} is on its way.');
  await form.getByRole('button', { name: 'Create quick reply' }).click();
  await expectFormError(form, /unknown variable “order\.id”/);
  assert.equal(await form.getByLabel('Text', { exact: true }).getAttribute('aria-invalid'), 'true');

  // A variable button puts the variable where the caret is.
  await form.getByLabel('Text', { exact: true }).fill('Hello ');
  await form.getByRole('button', { name: 'Customer\'s name' }).click();
  assert.equal(await form.getByLabel('Text', { exact: true }).inputValue(), 'Hello {{customer.name}}');
  await expectText(page.getByTestId('qr-preview'), 'Hello Emma Brown');
  await form.getByLabel('Text', { exact: true }).fill(BODY);
  await expectText(page.getByTestId('qr-preview'), 'Hi Emma Brown, this is Sam Taylor. How can I help you today?');
  await form.getByRole('button', { name: 'Create quick reply' }).click();
  const mine = page.locator('[data-testid="qr-group"][data-group="personal"]');
  await mine.getByRole('heading', { name: 'My quick replies' }).waitFor();
  const item = mine.locator('[data-testid="qr-item"][data-shortcut="greet-sam"]');
  await expectText(item.locator('.qr-body'), BODY);
  await expectText(page.locator('#qr-flash'), 'Saved.');
  assert.ok(await page.locator('#qr-editor').isHidden(), 'the editor closes');
  // The search narrows the list.
  await page.getByTestId('qr-search').fill('GREET-SAM');
  await until(async () => (await page.getByTestId('qr-item').count()) === 1, { message: 'the search does not narrow the list' });
  await screenshot(page, 'quick-replies');
});

test('a shopper writes in the widget on /demo', async () => {
  shopper = await openPage(browser, { baseURL: srv.url, locale: 'en-GB' });
  w = widgetOf(shopper.page);
  await shopper.page.goto(new URL(demo.shop).pathname);
  await w.open();
  await w.say('Hello, can somebody help me with my order?');
  convId = (await w.list())[0].conversation;
  assert.ok(convId);
  // The customer's name, as a pre-chat form or an agent would have set it.
  const conv = await apiIn(agent.page, 'GET', `/api/v1/conversations/${convId}`);
  assert.equal(conv.status, 200);
  const renamed = await apiIn(agent.page, 'PATCH', `/api/v1/contacts/${conv.data.contact_id}`, { name: CUSTOMER });
  assert.equal(renamed.status, 200);
});

test('in the console, "/" opens the list, ↑/↓ move, Esc closes, and "/gree" + Enter inserts the reply with the names filled in', async () => {
  const { page } = agent;
  con = consoleOf(page);
  await page.goto(`/console#c/${convId}`);
  await con.live();
  await expectText(page.getByTestId('thread-title'), CUSTOMER);
  const input = con.input;
  const popup = page.getByTestId('quick-reply-popup');
  const options = page.getByTestId('quick-reply-option');
  assert.equal(await input.getAttribute('aria-expanded'), 'false');

  await input.click();
  await input.pressSequentially('/');
  await popup.waitFor();
  await until(async () => (await options.count()) >= 7, { message: 'the list does not show every quick reply' });
  assert.equal(await page.getByRole('listbox', { name: 'Quick replies' }).count(), 1);
  assert.equal(await input.getAttribute('aria-expanded'), 'true');
  assert.equal(await input.getAttribute('aria-activedescendant'), await options.nth(0).getAttribute('id'));
  await screenshot(page, 'quick-reply-list');
  await input.press('ArrowDown');
  assert.equal(await input.getAttribute('aria-activedescendant'), await options.nth(1).getAttribute('id'));
  assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
  await input.press('ArrowUp');
  assert.equal(await options.nth(0).getAttribute('aria-selected'), 'true');
  await input.press('Escape');
  await popup.waitFor({ state: 'hidden' });
  assert.equal(await input.inputValue(), '/');
  assert.equal(await input.getAttribute('aria-expanded'), 'false');

  // Typing narrows the list; Enter inserts instead of sending.
  await input.pressSequentially('gree');
  await popup.waitFor();
  // Shortcuts that start with it come first, then titles that contain it (/hi is a "Greeting").
  await until(async () => (await options.count()) === 2, { message: 'the list does not narrow' });
  assert.deepEqual(await options.evaluateAll((ns) => ns.map((n) => n.dataset.shortcut)), ['greet-sam', 'hi']);
  await expectText(options.first().locator('.qr-shortcut'), '/greet-sam');
  await expectText(options.first().locator('.qr-badge'), 'Mine');
  await input.press('Enter');
  await popup.waitFor({ state: 'hidden' });
  const text = `Hi ${CUSTOMER}, this is Sam Taylor. How can I help you today?`;
  assert.equal(await input.inputValue(), text);
  assert.equal(await con.messages.filter({ hasText: text }).count(), 0, 'Enter on the list does not send');
  await screenshot(page, 'quick-reply-inserted');

  // Sent as it stands, the shopper sees it.
  await input.press('Enter');
  await until(async () => (await page.locator('#messages article[data-sender-type="agent"]').filter({ hasText: text }).count()) === 1,
    { message: 'the reply was not stored' });
  await w.theirs(text).waitFor();
  await expectText(w.theirs(text).locator('.sb-bubble'), text);
});

test('a click inserts too, in place of the "/word" after other text; an unknown word says so', async () => {
  const { page } = agent;
  const input = con.input;
  const popup = page.getByTestId('quick-reply-popup');
  await input.fill('');
  await input.pressSequentially('Sure. /ref');
  await popup.waitFor();
  await page.locator('[data-testid="quick-reply-option"][data-shortcut="refund"]').click();
  await popup.waitFor({ state: 'hidden' });
  assert.match(await input.inputValue(), /^Sure\. 我们收到退货并检查无误后/);
  assert.ok(!(await input.inputValue()).includes('/ref'));

  await input.fill('');
  await input.pressSequentially('/nothing-like-it');
  await popup.waitFor();
  await expectText(popup.locator('.qr-empty'), 'No quick reply matches /nothing-like-it.');
  await input.press('Escape');
  await input.fill('');
});

test('in Chinese: 李娜 sees the page in 中文 and "/订" finds the Chinese shortcut /订单', async () => {
  // She signs in on the English page; her own language (中文) takes over once she is in.
  zhAgent = await openPage(browser, { baseURL: srv.url });
  const { page } = zhAgent;
  const liNa = /^\s+(\S+@\S+)\s+李娜 \(agent\)$/m.exec(srv.output())?.[1];
  assert.ok(liNa);
  await signIn(page, liNa, demo.password);
  await page.waitForURL('**/console');
  await page.goto('/quick-replies');
  await page.getByRole('heading', { name: '快捷回复', level: 1 }).waitFor();
  await page.getByRole('heading', { name: '全员共享' }).waitFor();
  // Sam's own quick reply is his alone.
  assert.equal(await page.locator('[data-testid="qr-item"][data-shortcut="greet-sam"]').count(), 0);

  await page.goto(`/console#c/${convId}`);
  const c = consoleOf(page);
  await c.live();
  await expectText(page.getByTestId('thread-title'), CUSTOMER);
  await c.input.click();
  await c.input.pressSequentially('好的 /订');
  const option = page.locator('[data-testid="quick-reply-option"][data-shortcut="订单"]');
  await option.waitFor();
  await expectText(option.locator('.qr-badge'), '共享');
  await c.input.press('Tab');
  assert.equal(await c.input.inputValue(), '好的 请提供您的订单号，我马上为您查询。\nCould you send me your order number? I\'ll look it up right away.');
  await c.input.fill('');
});

nodeTest('no console errors, uncaught exceptions or CSP violations', () => {
  assertNoProblems([...(agent?.problems || []), ...(shopper?.problems || []), ...(zhAgent?.problems || [])]);
});
