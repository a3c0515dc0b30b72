// Markup and script in live chat are shown as text and never run: as the
// visitor's messages, as the name given in the pre-chat form, as an agent's
// replies, and as the names of uploaded files — in the host page, in the
// widget's frame, and in the agent console.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { firstSignIn, assertNoProblems } from '../lib/ui.mjs';
import { until, expectText, startSite, createChannel, setAllowedOrigins, widgetOf, consoleOf, xssFlag,
  stepper } from '../lib/livechat.mjs';

const test = stepper(nodeTest);

const PAYLOADS = [
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=1">',
  '"><svg onload=window.__xss=1>',
  'javascript:window.__xss=1',
  '{{7*7}}',
  '<a href="javascript:window.__xss=1">x</a>',
];
// The pre-chat name: every payload at once (under the 200-character limit).
const NAME = PAYLOADS.join(' ');
// File names keep what a file name may hold (the server drops " and /).
const VISITOR_FILE = '<img src=x onerror=window.__xss=1>.txt';
const AGENT_FILE = '<svg onload=window.__xss=1>{{7*7}}.txt';
const CHANNEL = 'Markup test 标记测试';

let srv, browser, site, agent, visitor, con, w, convId;

before(async () => {
  srv = await startServer();
  browser = await launch();
  agent = await openPage(browser, { baseURL: srv.url });
  con = consoleOf(agent.page);
});

after(async () => {
  await browser?.close();
  await site?.close();
  await srv?.stop();
});

/** Fails if a payload ran or left live markup in the page or frame. */
async function assertInert(target, where) {
  assert.equal(await xssFlag(target), undefined, `window.__xss was set in ${where}`);
  const found = await target.evaluate(() => ({
    scripts: [...document.querySelectorAll('script')].filter((s) => !s.src && !s.type).map((s) => s.outerHTML),
    imgX: document.querySelectorAll('img[src="x"], img[onerror]').length,
    svgOnload: document.querySelectorAll('svg[onload]').length,
    jsLinks: [...document.querySelectorAll('a[href]')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href'))).length,
  }));
  assert.deepEqual(found, { scripts: [], imgX: 0, svgOnload: 0, jsLinks: 0 }, where);
}

test('setup: a channel with the pre-chat form, embedded in a site of another origin', async () => {
  await firstSignIn(agent.page, srv.email, srv.oneTimePassword, 'a long admin passphrase 4', '/console');
  const ch = await createChannel(agent.page, srv.url, { name: CHANNEL, prechat: true });
  await expectText(ch.card.locator('.tags'), /Pre-chat form/);
  site = await startSite({ widgetOrigin: srv.url, title: '<b>商店</b>', heading: 'Order help' });
  site.setSnippet(ch.snippet);
  await setAllowedOrigins(agent.page, CHANNEL, [site.origin]);
  await agent.page.goto('/console');
  await con.live();
});

test('the visitor gives a name made of markup and sends every payload as a message and a file name', async () => {
  visitor = await openPage(browser, { baseURL: site.origin, locale: 'zh-CN' });
  w = widgetOf(visitor.page);
  await visitor.page.goto('/shop/help');
  await w.open();
  // The pre-chat form comes first.
  const name = w.frame.getByTestId('sb-prechat-name');
  await name.waitFor({ state: 'visible' });
  assert.equal(await w.input.isVisible(), false);
  await name.fill(NAME);
  await w.frame.getByTestId('sb-prechat-email').fill('markup@example.com');
  await w.frame.getByTestId('sb-prechat-submit').click();
  await w.input.waitFor({ state: 'visible' });

  for (const [i, p] of PAYLOADS.entries()) assert.equal(await w.say(p), i + 1);
  await w.file.setInputFiles({ name: VISITOR_FILE, mimeType: 'text/plain', buffer: Buffer.from('order 20261118\n') });
  const file = w.frame.locator('[data-testid="sb-message"][data-seq="7"]');
  await file.waitFor();
  await expectText(file.locator('.sb-file-name'), VISITOR_FILE);

  const shown = await w.list();
  assert.deepEqual(shown.slice(0, 6).map((m) => m.text), PAYLOADS, 'each payload shows as its own text');
  await assertInert(visitor.page, 'the host page');
  await assertInert(await w.handle(), 'the widget frame');
});

test('the console shows the name, the messages and the file name as text', async () => {
  await con.counts({ unassigned: 1 });
  const item = con.items.first();
  convId = await item.getAttribute('data-conversation-id');
  await expectText(item.getByTestId('conversation-name'), NAME);
  await con.open(convId);
  await expectText(agent.page.getByTestId('thread-title'), NAME);
  await expectText(agent.page.getByTestId('visitor-name'), NAME);
  await expectText(agent.page.getByTestId('visitor-email'), 'markup@example.com');
  for (const [i, p] of PAYLOADS.entries()) {
    await expectText(con.message(i + 1).locator('.msg-body'), p);
    await expectText(con.message(i + 1).locator('.msg-author'), NAME);
  }
  await expectText(con.message(7).locator('.file-name'), VISITOR_FILE);
  assert.equal(await con.message(7).locator('a.msg-file').getAttribute('download'), VISITOR_FILE);
  await assertInert(agent.page, 'the console');
});

test('the agent replies with every payload and a file named like markup; the widget shows them as text', async () => {
  for (const p of PAYLOADS) await con.reply(p);
  await agent.page.getByTestId('file-input').setInputFiles({ name: AGENT_FILE, mimeType: 'text/plain', buffer: Buffer.from('tracking: SF1234567890\n') });
  const upload = agent.page.getByTestId('upload');
  await until(async () => (await upload.getAttribute('data-state')) === 'done', { message: 'the file was not uploaded' });
  await expectText(upload.locator('.file-name'), AGENT_FILE);
  await con.send.click();
  await expectText(con.message(14).locator('.file-name'), AGENT_FILE);

  const theirs = w.frame.locator('[data-testid="sb-message"][data-sender="agent"]');
  await until(async () => (await theirs.count()) === 7, { message: 'the replies did not all arrive' });
  const texts = await theirs.evaluateAll((ns) => ns.map((n) => n.querySelector('.sb-bubble')?.textContent ?? null));
  assert.deepEqual(texts, [...PAYLOADS, null]);
  await expectText(theirs.last().locator('.sb-file-name'), AGENT_FILE);
  assert.equal(await theirs.last().locator('a').getAttribute('download'), AGENT_FILE);
  // The frame's title and the host page's title stay as they were.
  assert.equal(await visitor.page.title(), '<b>商店</b>');

  await assertInert(visitor.page, 'the host page');
  await assertInert(await w.handle(), 'the widget frame');
  await assertInert(agent.page, 'the console');
  await screenshot(visitor.page, 'xss-visitor-zh');
  await screenshot(agent.page, 'xss-console');
});

test('after a reload, the history from storage and from the server is still only text', async () => {
  await visitor.page.reload();
  await until(async () => (await w.launcher.getAttribute('aria-expanded')) === 'true', { message: 'the chat did not reopen' });
  await w.online();
  await until(async () => (await w.messages.count()) === 14, { message: 'the history did not come back' });
  const shown = await w.list();
  assert.deepEqual(shown.slice(0, 6).map((m) => m.text), PAYLOADS);
  await assertInert(visitor.page, 'the host page');
  await assertInert(await w.handle(), 'the widget frame');

  await agent.page.reload();
  await con.live();
  await until(async () => (await con.messages.count()) === 14, { message: 'the console history did not load' });
  await expectText(agent.page.getByTestId('thread-title'), NAME);
  await assertInert(agent.page, 'the console');
});

test('the checks would notice: script injected into the widget frame is blocked and reported', async () => {
  const probe = await openPage(browser, { baseURL: site.origin, locale: 'zh-CN' });
  try {
    const pw = widgetOf(probe.page);
    await probe.page.goto('/shop/probe');
    await pw.launcher.waitFor({ state: 'visible' });
    const frame = await pw.handle();
    await frame.evaluate(() => {
      const div = document.createElement('div');
      div.innerHTML = '<img src="data:image/png;base64,AAAA" onerror="window.__xss=1">';
      document.body.append(div);
    });
    await until(() => probe.problems.some((p) => /CSP violation: script-src/.test(p)), {
      message: () => `no violation was recorded: ${probe.problems.join('\n')}`,
    });
    assert.equal(await xssFlag(frame), undefined, 'the inline handler did not run');
  } finally {
    await probe.context.close();
  }
});

nodeTest('no console errors, uncaught exceptions or CSP violations', () => {
  assertNoProblems([...agent.problems, ...(visitor?.problems || [])]);
});
