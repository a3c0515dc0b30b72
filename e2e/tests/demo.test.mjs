// The demo, as a newcomer tries it: start with --demo, read the printed
// accounts, open the sample shop at /demo in one browser and the console in
// another as a demo agent, and chat both ways (the bot answers first, the
// agent takes over).
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { signIn, assertNoProblems } from '../lib/ui.mjs';
import { until, expectText, widgetOf, consoleOf, stepper } from '../lib/livechat.mjs';

const test = stepper(nodeTest);

let srv, browser, demo, shopper, agent, con, w, convId;

before(async () => {
  srv = await startServer({ args: ['--demo'] });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('the server prints the demo accounts, their password and where the shop is', () => {
  const out = srv.output();
  const m = /^Demo tenant "demo" — sign in with any of these \(password (\S+)\):\n((?:[ \t]+\S+@\S+[ \t]+.+\n)+)/m.exec(out);
  assert.ok(m, `the demo accounts were printed:\n${out}`);
  const accounts = m[2].trimEnd().split('\n').map((line) => {
    const [, email, name, role] = /^\s+(\S+)\s+(.+?) \((\w+)\)$/.exec(line);
    return { email, name, role };
  });
  assert.ok(accounts.length >= 2, JSON.stringify(accounts));
  const shop = /^Demo shop with the chat widget: (\S+)$/m.exec(out)?.[1];
  assert.equal(shop, `${srv.url}/demo`);
  // An English-speaking agent, for the console in English.
  const sam = accounts.find((a) => a.role === 'agent' && /^[A-Za-z ]+$/.test(a.name));
  assert.ok(sam, JSON.stringify(accounts));
  demo = { password: m[1], agent: sam, shop };
});

test('a demo agent signs in with the printed password and sees the sample conversations', async () => {
  agent = await openPage(browser, { baseURL: srv.url });
  con = consoleOf(agent.page);
  await signIn(agent.page, demo.agent.email, demo.password);
  await agent.page.waitForURL('**/console');
  await con.live();
  await expectText(agent.page.locator('header a.me'), `${demo.agent.name} · Demo Shop 演示商店`);
  await con.counts({ unassigned: 2, mine: 0, open: 3 });
  await until(async () => (await con.items.count()) === 2, { message: 'the sample conversations are not listed' });
  const names = (await con.items.getByTestId('conversation-name').allTextContents()).map((s) => s.trim()).sort();
  assert.deepEqual(names, ['Emma Brown', '陈静']);
});

test('a shopper on /demo writes in the widget; the agent sees it live, answers, and the shopper answers back', async () => {
  shopper = await openPage(browser, { baseURL: srv.url, locale: 'zh-CN' });
  w = widgetOf(shopper.page);
  await shopper.page.goto(new URL(demo.shop).pathname);
  await shopper.page.getByRole('heading', { level: 1 }).waitFor();
  assert.equal(await shopper.page.locator('html').getAttribute('lang'), 'zh-CN');
  await w.open();
  await expectText(w.frame.getByTestId('sb-greeting'), /^您好！欢迎光临演示商店/);
  const ask = '你好，紫砂壶还有货吗？想买一个送人。';
  assert.equal(await w.say(ask), 1);
  convId = (await w.list())[0].conversation;
  assert.ok(convId);
  // The demo channel is bot-first: the assistant answers at once from the
  // knowledge base (an answer, or "did you mean" when it is unsure).
  const bot = w.frame.locator('[data-testid="sb-message"][data-sender="bot"]');
  await bot.first().waitFor();
  assert.equal(await bot.first().getAttribute('data-seq'), '2');
  await expectText(bot.first().locator('.sb-name'), '智能助手');
  const botSaid = ((await bot.first().locator('.sb-bubble').textContent()) || '').trim();
  assert.ok(botSaid, 'the bot said something');

  await con.counts({ unassigned: 3, mine: 0, open: 4 });
  const item = con.item(convId);
  await item.waitFor();
  await expectText(item.getByTestId('owner-badge'), 'Bot');
  const start = botSaid.slice(0, 8);
  await until(async () => ((await item.getByTestId('conversation-preview').textContent()) || '').trim().startsWith(start),
    { message: 'the list does not preview the bot\'s reply' });
  await con.open(convId);
  await expectText(con.message(1).locator('.msg-body'), ask);
  assert.equal(await con.message(2).getAttribute('data-sender-type'), 'bot');
  await expectText(agent.page.getByTestId('visitor-page'), new RegExp(`${srv.url.replace(/[.:/]/g, '\\$&')}/demo`));
  await expectText(agent.page.getByTestId('visitor-language'), /^Chinese \(zh\)$/);

  // The agent answers: people take over, and the bot stays silent.
  const answer = 'Hello! Yes, the Yixing clay teapot is in stock, and we can gift-wrap it for you.';
  await con.reply(answer);
  const got = w.theirs(answer);
  await got.waitFor();
  await expectText(got.locator('.sb-name'), demo.agent.name);
  await expectText(agent.page.locator('#thread-badges [data-testid="owner-badge"]'), 'With an agent');
  await expectText(agent.page.locator('#thread-badges [data-testid="reason-badge"]'), 'Agent took over');

  const thanks = '太好了，请帮我包装一下，谢谢！';
  assert.equal(await w.say(thanks), 4);
  await expectText(con.message(4).locator('.msg-body'), thanks);
  await until(async () => (await w.mine(thanks).getAttribute('data-state')) === 'read', { message: 'the shopper does not see "read"' });
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await bot.count(), 1, 'the bot does not answer once the agent has the conversation');
  await screenshot(shopper.page, 'demo-shop-zh');
  await screenshot(agent.page, 'demo-console');
});

nodeTest('no console errors, uncaught exceptions or CSP violations', () => {
  assertNoProblems([...(agent?.problems || []), ...(shopper?.problems || [])]);
});
