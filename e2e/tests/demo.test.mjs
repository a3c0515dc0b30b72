// The demo, as a newcomer tries it: start with --demo, read the printed
// accounts, open the sample shop at /demo in one browser and the console in
// another as a demo agent, and chat both ways.
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

  await con.counts({ unassigned: 3, mine: 0, open: 4 });
  const item = con.item(convId);
  await item.waitFor();
  assert.equal(await item.getAttribute('data-unread'), 'true');
  await expectText(item.getByTestId('conversation-preview'), ask);
  await con.open(convId);
  await expectText(con.message(1).locator('.msg-body'), ask);
  await expectText(agent.page.getByTestId('visitor-page'), new RegExp(`${srv.url.replace(/[.:/]/g, '\\$&')}/demo`));
  await expectText(agent.page.getByTestId('visitor-language'), /^Chinese \(zh\)$/);

  const answer = 'Hello! Yes, the Yixing clay teapot is in stock, and we can gift-wrap it for you.';
  await con.reply(answer);
  const got = w.theirs(answer);
  await got.waitFor();
  await expectText(got.locator('.sb-name'), demo.agent.name);

  const thanks = '太好了，请帮我包装一下，谢谢！';
  assert.equal(await w.say(thanks), 3);
  await expectText(con.message(3).locator('.msg-body'), thanks);
  await until(async () => (await w.mine(thanks).getAttribute('data-state')) === 'read', { message: 'the shopper does not see "read"' });
  await screenshot(shopper.page, 'demo-shop-zh');
  await screenshot(agent.page, 'demo-console');
});

nodeTest('no console errors, uncaught exceptions or CSP violations', () => {
  assertNoProblems([...(agent?.problems || []), ...(shopper?.problems || [])]);
});
