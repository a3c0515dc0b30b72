// Live chat end to end, as a company that has just installed switchboard:
// the administrator makes a website channel and pastes its snippet into the
// company's site (another origin, strict Content-Security-Policy); a visitor
// writes in Chinese from that site; the agent answers from /console. Both
// sides are separate browsers (contexts), and everything must arrive live.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { firstSignIn, assertNoProblems } from '../lib/ui.mjs';
import { until, expectText, makePNG, startSite, createChannel, setAllowedOrigins, widgetOf, consoleOf,
  loadedImage, stepper } from '../lib/livechat.mjs';

const test = stepper(nodeTest);

const ADMIN_PASSWORD = 'a long admin passphrase 3';
const AGENT_NAME = 'Administrator';
const CHANNEL = '晨光茶具 Morning Tea';
const FIRST = '你好，我想查询订单 20261118 的物流';
const REPLY = 'Hello! Let me look up order 20261118 for you.';
const NOTE = 'Internal: parcel held at the Hangzhou depot, do not promise a date';
const PAGE_PATH = '/shop/orders?id=20261118';

let srv, browser, site;
let agent; // { context, page, problems, … } of the agent (the administrator)
let visitor; // the same for the visitor, opened by the first chat test
let con, w; // the console and the widget
let convId;
const other = []; // problems of further pages

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

test('the administrator creates a website channel and reads its snippet', async () => {
  await firstSignIn(agent.page, srv.email, srv.oneTimePassword, ADMIN_PASSWORD, '/console');
  await agent.page.goto('/admin/channels');
  await agent.page.getByText('No channels yet.').waitFor();
  const ch = await createChannel(agent.page, srv.url, { name: CHANNEL, greeting: '您好！欢迎光临晨光茶具，有什么可以帮您？' });
  await expectText(ch.card.locator('.origins'), 'Allowed sites: any site');

  // The company's site, on another origin, pastes the snippet into its pages.
  site = await startSite({ widgetOrigin: srv.url });
  assert.notEqual(new URL(site.origin).origin, new URL(srv.url).origin);
  site.setSnippet(ch.snippet);
  await setAllowedOrigins(agent.page, CHANNEL, [site.origin]);
  await screenshot(agent.page, 'livechat-channels');
});

test('a visitor writes in Chinese from the site; the agent sees it appear live in Unassigned', async () => {
  await agent.page.goto('/console');
  await con.live();
  await con.counts({ unassigned: 0, mine: 0, open: 0 });
  await agent.page.getByText('No unassigned conversations').waitFor();
  await agent.page.evaluate(() => { window.__sameConsole = true; });

  visitor = await openPage(browser, { baseURL: site.origin, locale: 'zh-CN' });
  w = widgetOf(visitor.page);
  const res = await visitor.page.goto(PAGE_PATH);
  assert.equal(res.headers()['content-security-policy'], site.csp);
  await w.launcher.waitFor({ state: 'visible' });
  assert.equal(await w.launcher.getAttribute('aria-label'), '联系客服');
  await w.open();
  await expectText(w.frame.getByTestId('sb-greeting'), '您好！欢迎光临晨光茶具，有什么可以帮您？');
  assert.equal(await w.frame.locator('html').getAttribute('lang'), 'zh-CN');
  const seq = await w.say(FIRST);
  assert.equal(seq, 1);

  await con.counts({ unassigned: 1, mine: 0, open: 1 });
  const item = con.items.first();
  await item.waitFor();
  convId = await item.getAttribute('data-conversation-id');
  assert.equal(await con.items.count(), 1);
  assert.equal(await item.getAttribute('data-unread'), 'true');
  await expectText(item.getByTestId('conversation-preview'), FIRST);
  assert.equal(await agent.page.evaluate(() => window.__sameConsole), true, 'the console was not reloaded');
  const inWidget = await w.list();
  assert.equal(inWidget[0].conversation, convId, 'the widget and the console speak of the same conversation');
});

test('the agent opens it, sees who the visitor is, and replies; the visitor sees the reply with the agent\'s name', async () => {
  await con.open(convId);
  await expectText(con.message(1).locator('.msg-body'), FIRST);
  assert.equal(await con.message(1).getAttribute('data-sender-type'), 'contact');
  await expectText(agent.page.getByTestId('thread-status'), 'Open');
  await expectText(agent.page.getByTestId('visitor-page'), new RegExp(`^晨光茶具 · 我的订单${escapeRE(site.origin + PAGE_PATH)}$`));
  assert.equal(await agent.page.getByTestId('visitor-page').locator('a').getAttribute('href'), site.origin + PAGE_PATH);
  await expectText(agent.page.getByTestId('visitor-language'), /^Chinese \(zh\)$/);
  await expectText(agent.page.getByTestId('visitor-browser'), /Chrome \d+ on Linux/);
  await expectText(agent.page.locator('#d-channel'), `Web chat · ${site.origin}`);
  // Read: the unread mark goes, and the visitor's message shows two ticks.
  await until(async () => (await con.item(convId).getAttribute('data-unread')) === 'false', { message: 'still unread' });
  await until(async () => (await w.mine(FIRST).getAttribute('data-state')) === 'read', { message: 'the visitor does not see "read"' });

  const reply = await con.reply(REPLY);
  assert.equal(await reply.getAttribute('data-seq'), '2');
  assert.equal(await reply.getAttribute('data-sender-type'), 'agent');

  const got = w.theirs(REPLY);
  await got.waitFor();
  assert.equal(await got.getAttribute('data-seq'), '2');
  await expectText(got.locator('.sb-name'), AGENT_NAME);
});

test('typing shows on the other side while someone types', async () => {
  // The visitor types (and does not send yet): the console says so, in the thread and in the list.
  await w.input.pressSequentially('好的，', { delay: 20 });
  await expectText(con.typing, /is typing…$/);
  await expectText(con.item(convId).getByTestId('conversation-preview'), 'typing…');
  await w.input.pressSequentially('谢谢！');
  await w.input.press('Enter');
  await w.mine('好的，谢谢！').waitFor();
  await expectText(con.typing, '');
  await expectText(con.message(3).locator('.msg-body'), '好的，谢谢！');

  // The agent types: the widget shows who.
  await con.input.pressSequentially('One moment', { delay: 20 });
  await w.typing.waitFor({ state: 'visible' });
  await expectText(w.typing, `${AGENT_NAME} 正在输入…`);
  await con.input.fill('');
  await w.typing.waitFor({ state: 'hidden' });
});

test('an internal note stays in the console and never reaches the widget', async () => {
  await agent.page.getByTestId('note-toggle').click();
  assert.equal(await agent.page.getByTestId('note-toggle').getAttribute('aria-pressed'), 'true');
  const note = await con.reply(NOTE);
  assert.equal(await note.getAttribute('data-private'), 'true');
  await note.getByTestId('note-label').waitFor();
  assert.equal(await note.getAttribute('data-seq'), '4');

  await agent.page.getByTestId('note-toggle').click();
  const later = await con.reply('The parcel is on its way; you will get it within two days.');
  assert.equal(await later.getAttribute('data-private'), 'false');
  // The reply after the note arrives; the note never did.
  await w.theirs('The parcel is on its way').waitFor();
  const shown = await w.list();
  assert.deepEqual(shown.map((m) => m.seq), [1, 2, 3, 5]);
  assert.ok(shown.every((m) => !m.text.includes('Hangzhou')), JSON.stringify(shown));
  assert.equal(await w.frame.getByText('Hangzhou').count(), 0);
});

test('assigning it to me moves it to Mine; the counts change live in every console', async () => {
  // A second console tab of the same agent only watches.
  const watcher = await agent.context.newPage();
  const wcon = consoleOf(watcher);
  await watcher.goto('/console');
  await wcon.live();
  await wcon.counts({ unassigned: 1, mine: 0, open: 1 });

  await agent.page.getByTestId('assign-me').click();
  await con.counts({ unassigned: 0, mine: 1, open: 1 });
  await wcon.counts({ unassigned: 0, mine: 1, open: 1 });
  await con.item(convId).waitFor({ state: 'detached' });
  await wcon.item(convId).waitFor({ state: 'detached' });
  await agent.page.getByTestId('assign-me').waitFor({ state: 'hidden' });
  assert.equal(await agent.page.getByTestId('assign-select').inputValue(), await agent.page.evaluate(() => JSON.parse(document.getElementById('sb-console').textContent).user_id));

  await con.tab('mine').click();
  await con.item(convId).waitFor();
  await expectText(con.item(convId).locator('.conv-assignee'), `→ ${AGENT_NAME}`);
  await wcon.tab('mine').click();
  await wcon.item(convId).waitFor();
  await watcher.close();

  // The visitor sees who is looking after them.
  await expectText(w.frame.locator('#sb-subtitle-text'), `${AGENT_NAME} 正在为您服务`);
});

test('pictures: the visitor sends one with the file button, the agent pastes one; both show on both sides', async () => {
  const visitorPNG = makePNG(96, 64);
  await w.file.setInputFiles({ name: '包裹照片.png', mimeType: 'image/png', buffer: visitorPNG });
  const mine = w.frame.locator('[data-testid="sb-message"][data-sender="contact"]', { has: w.frame.locator('img') }).last();
  await until(async () => ['sent', 'read'].includes(await mine.getAttribute('data-state')), { message: 'the picture was not sent' });
  const seq = Number(await mine.getAttribute('data-seq'));
  assert.equal(seq, 6);
  assert.deepEqual((await loadedImage(mine.locator('img'))).width, 96);
  assert.equal(await mine.locator('img').getAttribute('alt'), '包裹照片.png');

  const inConsole = con.message(seq);
  await inConsole.waitFor();
  const img = await loadedImage(inConsole.locator('.msg-image img'));
  assert.deepEqual([img.width, img.height], [96, 64]);
  assert.match(img.src, /^\/files\/[^/]+\/[^/]+\/%E5%8C%85%E8%A3%B9%E7%85%A7%E7%89%87\.png$/);

  // The agent copies a picture and pastes it into the reply box.
  const agentPNG = makePNG(120, 80, [14, 124, 102], [250, 204, 21]);
  await agent.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
  await agent.page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    await navigator.clipboard.write([new ClipboardItem({ 'image/png': new Blob([bytes], { type: 'image/png' }) })]);
  }, agentPNG.toString('base64'));
  await con.input.focus();
  await agent.page.keyboard.press('Control+V');
  const upload = agent.page.getByTestId('upload');
  await upload.waitFor();
  await until(async () => (await upload.getAttribute('data-state')) === 'done', { message: 'the pasted picture was not uploaded' });
  await expectText(upload.locator('.file-name'), /^screenshot-\d{8}-\d{6}\.png$/);
  await con.send.click();
  const sent = con.message(seq + 1);
  await sent.waitFor();
  assert.deepEqual((await loadedImage(sent.locator('.msg-image img'))).width, 120);
  await upload.waitFor({ state: 'detached' });

  const theirs = w.frame.locator(`[data-testid="sb-message"][data-seq="${seq + 1}"]`);
  await theirs.waitFor();
  assert.equal(await theirs.getAttribute('data-sender'), 'agent');
  const shown = await loadedImage(theirs.locator('img'));
  assert.deepEqual([shown.width, shown.height], [120, 80]);
  assert.match(shown.src, /^\/files\//);
  await screenshot(visitor.page, 'livechat-image-visitor-zh');
  await screenshot(agent.page, 'livechat-image-console');
});

test('reloading the visitor\'s page keeps the history, once and in order; the chat goes on in the same conversation', async () => {
  const before = await w.list();
  assert.deepEqual(before.map((m) => m.seq), [1, 2, 3, 5, 6, 7]);
  await visitor.page.reload();
  // The chat was open: it opens again by itself, with the history.
  await until(async () => (await w.launcher.getAttribute('aria-expanded')) === 'true', { message: 'the chat did not reopen' });
  await w.online();
  const said = '我刚刚刷新了页面，还在吗？';
  const seq = await w.say(said);
  assert.equal(seq, 8);
  const afterReload = await w.list();
  const strip = (l) => l.map(({ seq: s, sender, text, conversation }) => ({ seq: s, sender, text, conversation }));
  assert.deepEqual(strip(afterReload), [...strip(before), { seq: 8, sender: 'contact', text: afterReload.at(-1).text, conversation: convId }]);
  assert.equal(new Set(afterReload.map((m) => m.seq)).size, afterReload.length, 'no message twice');
  assert.ok(afterReload.at(-1).text.startsWith(said));
  assert.equal(await w.frame.getByText('Hangzhou').count(), 0, 'the note is not in the replayed history either');
  for (const img of await w.messages.locator('img').all()) await loadedImage(img);

  await expectText(con.message(8).locator('.msg-body'), said);
  assert.equal(await agent.page.evaluate(() => location.hash), `#c/${convId}`);
  await con.counts({ unassigned: 0, mine: 1, open: 1 });
  await screenshot(visitor.page, 'livechat-visitor-zh');
  await screenshot(agent.page, 'livechat-console');
});

test('the visitor moves to another page of the site; the chat follows and the console shows the new page', async () => {
  const before = await w.list();
  await visitor.page.goto('/shop/checkout?step=pay');
  await until(async () => (await w.launcher.getAttribute('aria-expanded')) === 'true', { message: 'the chat did not stay open' });
  await w.online();
  await until(async () => JSON.stringify((await w.list()).map((m) => m.seq)) === JSON.stringify(before.map((m) => m.seq)),
    { message: 'the history did not follow to the next page' });
  await expectText(agent.page.getByTestId('visitor-page'), new RegExp(`${escapeRE(site.origin)}/shop/checkout\\?step=pay$`));
});

test('a reply while the chat is minimised shows on the launcher\'s badge until the visitor opens it', async () => {
  await w.launcher.click();
  await until(async () => (await w.launcher.getAttribute('aria-expanded')) === 'false', { message: 'the chat did not close' });
  await w.frameEl.waitFor({ state: 'hidden' });
  const text = 'Is there anything else I can help you with?';
  await con.reply(text);
  await expectText(w.badge, '1');
  assert.equal(await w.launcher.getAttribute('aria-label'), '联系客服 (1 条新消息)');
  await w.open();
  await w.theirs(text).waitFor();
  await w.badge.waitFor({ state: 'hidden' });
  assert.equal(await w.launcher.getAttribute('aria-label'), '关闭聊天窗口');
});

test('the agent closes the conversation; the widget says so; the visitor\'s next message opens a new one', async () => {
  await agent.page.getByTestId('close-button').click();
  await expectText(agent.page.getByTestId('thread-status'), 'Closed');
  await agent.page.getByTestId('reopen-button').waitFor();
  await con.counts({ unassigned: 0, mine: 0, open: 0 });
  await w.closed.waitFor({ state: 'visible' });
  await expectText(w.closed, '本次会话已结束。随时发送消息即可开始新的会话。');
  await screenshot(visitor.page, 'livechat-closed-visitor-zh');

  const again = '还有一个问题：可以开电子发票吗？';
  assert.equal(await w.say(again), 1);
  await w.closed.waitFor({ state: 'hidden' });
  await expectText(w.frame.locator('.sb-divider'), '新会话');
  const all = await w.list();
  const fresh = all.at(-1);
  assert.notEqual(fresh.conversation, convId);
  assert.ok(fresh.conversation);
  assert.deepEqual(all.slice(0, -1).map((m) => m.conversation), all.slice(0, -1).map(() => convId), 'the old conversation stays above');

  await con.counts({ unassigned: 1, mine: 0, open: 1 });
  await con.tab('unassigned').click();
  const item = con.item(fresh.conversation);
  await item.waitFor();
  assert.equal(await con.items.count(), 1);
  await expectText(item.getByTestId('conversation-preview'), again);
  await con.open(fresh.conversation);
  await expectText(con.message(1).locator('.msg-body'), again);
  assert.equal(await con.messages.count(), 1, 'a new conversation: only the new message');
  await expectText(agent.page.getByTestId('thread-status'), 'Open');
});

test('the console in 中文', async () => {
  const zh = await openPage(browser, { baseURL: srv.url, locale: 'zh-CN' });
  other.push(zh.problems);
  try {
    await zh.context.addCookies(await agent.context.cookies(srv.url));
    await zh.page.goto(`/console#c/${convId}`);
    const zcon = consoleOf(zh.page);
    await zcon.live();
    await expectText(zcon.tab('unassigned').locator('.tab-label'), '未分配');
    await expectText(zcon.message(1).locator('.msg-body'), FIRST);
    await expectText(zh.page.getByTestId('thread-status'), '已关闭');
    await expectText(zh.page.getByTestId('visitor-language'), /^中文 \(zh\)$/);
    await screenshot(zh.page, 'livechat-console-zh');
  } finally {
    await zh.context.close();
  }
});

nodeTest('no console errors, uncaught exceptions or CSP violations', () => {
  assertNoProblems([...agent.problems, ...(visitor?.problems || []), ...other.flat()]);
});

function escapeRE(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
