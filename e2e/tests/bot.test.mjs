// The bot in the demo, as shoppers and agents meet it: on /demo the bot
// answers first from the knowledge base with formatted answers, offers
// choices when unsure, takes a 👍, hands over to people when asked or when
// the customer is angry; in the console agents see who owns each
// conversation and why the bot handed it over, unhappy customers first,
// the bot's decisions, a knowledge-base search that fills the composer, and
// "Save as FAQ".
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { signIn, assertNoProblems } from '../lib/ui.mjs';
import { until, expectText, widgetOf, consoleOf, stepper } from '../lib/livechat.mjs';

const test = stepper(nodeTest);
const PASSWORD = 'demo-switchboard-2026';

let srv, browser, admin, shopper, angry, sam, lina, w, w2, con, convId, angryId;

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

const botMsgs = (wd) => wd.frame.locator('[data-testid="sb-message"][data-sender="bot"]');

/** waits until the widget shows n bot messages and returns the last one. */
async function nthBot(wd, n, timeout = 10_000) {
  await until(async () => (await botMsgs(wd).count()) >= n, { timeout, message: `the bot did not send message #${n}` });
  return botMsgs(wd).nth(n - 1);
}

before(async () => {
  srv = await startServer({ args: ['--demo'] });
  browser = await launch();
  admin = await session(srv.url, 'admin@demo.switchboard.local');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('an agent has the console open while shoppers chat', async () => {
  sam = await openPage(browser, { baseURL: srv.url });
  con = consoleOf(sam.page);
  await signIn(sam.page, 'sam@demo.switchboard.local', PASSWORD);
  await sam.page.waitForURL('**/console');
  await con.live();
});

test('the bot answers a Chinese question with the formatted answer, its buttons and 👍/👎', async () => {
  shopper = await openPage(browser, { baseURL: srv.url, locale: 'zh-CN' });
  w = widgetOf(shopper.page);
  await shopper.page.goto('/demo');
  await w.open();
  assert.equal(await w.say('国内运费多少钱？'), 1);
  convId = (await w.list())[0].conversation;
  const m = await nthBot(w, 1);
  assert.equal(await m.getAttribute('data-kind'), 'answer');
  assert.equal(await m.getAttribute('data-seq'), '2');
  await expectText(m.locator('.sb-name'), '智能助手');
  assert.equal(await m.locator('.sb-name svg.sb-bot-avatar').count(), 1, 'the bot has its own picture');
  // Formatted: the bold part is a <strong>, and no markup shows as text.
  await expectText(m.locator('.sb-rich strong').first(), /满 ¥99 包邮/);
  const text = await m.locator('.sb-bubble').textContent();
  assert.doesNotMatch(text, /<\/?(p|strong)>/);
  const choices = (await m.getByTestId('sb-choice').allTextContents()).map((s) => s.trim());
  assert.deepEqual(choices, ['国际配送', '多久能收到']);
  await m.getByTestId('sb-rate').waitFor();
  assert.equal(await m.getByTestId('sb-rate-up').getAttribute('aria-label'), '有帮助');
  assert.equal(await m.getByTestId('sb-rate-down').getAttribute('aria-label'), '没有帮助');
});

test('an English question gets the English answer as HTML', async () => {
  await w.say('How do I get a refund?');
  const m = await nthBot(w, 2);
  assert.equal(await m.getAttribute('data-kind'), 'answer');
  await expectText(m.locator('.sb-rich p').first(), /refund the original payment method/);
  await expectText(m.locator('.sb-rich strong').first(), '1–3 business days');
});

test('a vague question gets "did you mean" choices; a double click on one sends it once and gets the answer', async () => {
  // Pick a question the bot is unsure about, as it stands after the last answer.
  const ds = await admin('GET', `/api/v1/conversations/${convId}/bot-decisions`);
  assert.equal(ds.status, 200);
  const prev = ds.data.items.at(-1);
  let vague = '';
  for (const q of ['你好，紫砂壶还有货吗？想买一个送人。', '紫砂壶', '茶杯怎么样']) {
    const r = await admin('POST', '/api/v1/bot/try', { question: q, prev_question: prev.question, prev_entry_id: prev.entry_id });
    assert.equal(r.status, 200, JSON.stringify(r.data));
    if (r.data.kind === 'clarify') {
      vague = q;
      break;
    }
  }
  assert.ok(vague, 'one of the questions makes the demo bot ask which one is meant');
  await w.say(vague);
  const m = await nthBot(w, 3);
  assert.equal(await m.getAttribute('data-kind'), 'clarify');
  await expectText(m.locator('.sb-bubble'), /^我不太确定您的意思/);
  const buttons = m.getByTestId('sb-choice');
  const labels = (await buttons.allTextContents()).map((s) => s.trim());
  assert.ok(labels.length >= 2, JSON.stringify(labels));
  assert.equal(labels.at(-1), '转人工');
  assert.equal(await buttons.last().getAttribute('data-human'), 'true');

  const choice = labels[0];
  await buttons.first().dblclick();
  const answer = await nthBot(w, 4);
  assert.equal(await answer.getAttribute('data-kind'), 'answer');
  await answer.locator('.sb-rich').waitFor();
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(await w.mine(choice).count(), 1, 'a double click sends the choice once');
  assert.equal(await botMsgs(w).count(), 4, `and the bot answers once: ${JSON.stringify(await w.list())}`);
});

test('👍 on an answer is recorded, shown, and kept across a reload', async () => {
  const m = botMsgs(w).nth(3);
  const decision = await m.getAttribute('data-decision-id');
  assert.ok(decision);
  await m.getByTestId('sb-rate-up').click();
  await expectText(m.getByTestId('sb-rate'), /感谢您的反馈/);
  assert.equal(await m.getByTestId('sb-rate-up').getAttribute('aria-pressed'), 'true');
  assert.equal(await m.getByTestId('sb-rate-up').isDisabled(), true);
  assert.equal(await m.getByTestId('sb-rate-down').isDisabled(), true);
  await until(async () => {
    const r = await admin('GET', `/api/v1/conversations/${convId}/bot-decisions`);
    return r.data.items.find((d) => d.id === decision)?.rating === 1;
  }, { message: 'the decision was not rated 1' });

  await shopper.page.reload();
  // The chat was open: it opens again by itself, with the history.
  await until(async () => (await w.launcher.getAttribute('aria-expanded')) === 'true', { message: 'the chat did not reopen' });
  const again = w.frame.locator(`[data-testid="sb-message"][data-decision-id="${decision}"]`);
  await again.getByTestId('sb-rate').waitFor();
  assert.equal(await again.getByTestId('sb-rate-up').getAttribute('aria-pressed'), 'true');
  assert.equal(await again.getByTestId('sb-rate-up').isDisabled(), true);
  assert.equal(await botMsgs(w).count(), 4, 'the reload shows every bot message once');
});

test('"转人工" on the earlier choices (by keyboard) hands the conversation to people; the console shows why', async () => {
  const clarify = botMsgs(w).nth(2);
  const human = clarify.locator('[data-testid="sb-choice"][data-human="true"]');
  await human.focus();
  await shopper.page.keyboard.press('Enter');
  await w.mine('转人工').waitFor();
  const m = await nthBot(w, 5);
  assert.equal(await m.getAttribute('data-kind'), 'handoff');
  await expectText(m.locator('.sb-bubble'), /人工客服/);

  const item = con.item(convId);
  await item.waitFor();
  await expectText(item.locator('[data-testid="owner-badge"]'), 'Waiting');
  await expectText(item.locator('[data-testid="reason-badge"]'), 'Asked for a person');
  await con.open(convId);
  await expectText(sam.page.locator('#thread-badges [data-testid="owner-badge"]'), 'Waiting');
  await expectText(sam.page.locator('#thread-badges [data-testid="reason-badge"]'), 'Asked for a person');
  // The bot's messages: formatted, with their buttons as chips; the hand-over note says why.
  const first = con.message(2);
  assert.match(await first.getAttribute('class'), /msg-bot/);
  await expectText(first.locator('.msg-rich strong').first(), /满 ¥99 包邮/);
  assert.deepEqual((await first.getByTestId('bot-chip').allTextContents()).map((s) => s.trim()), ['国际配送', '多久能收到']);
  const note = sam.page.locator('#messages article.msg-handoff');
  await note.waitFor();
  await expectText(note.getByTestId('handoff-reason'), 'Asked for a person');

  // Why? The bot's decisions, with the question, candidates and confidence.
  await sam.page.getByTestId('why-button').click();
  const panel = sam.page.getByTestId('why-panel');
  await panel.getByTestId('decision').first().waitFor();
  const shipping = panel.getByTestId('decision').filter({ has: sam.page.locator('q', { hasText: '国内运费多少钱？' }) });
  await expectText(shipping.getByTestId('decision-kind'), 'Answered');
  await expectText(shipping.getByTestId('decision-candidate').first(), /国内配送怎么收费？多久发货？\s*\d+%/);
  const handoff = panel.locator('[data-testid="decision"][data-kind="handoff"]');
  await expectText(handoff.getByTestId('decision-kind'), 'Handed over to people');
  await expectText(panel.locator('[data-testid="decision"][data-rating="1"] .decision-flags'), /rated helpful/);
  await screenshot(sam.page, 'console-bot-why');
  await sam.page.getByTestId('why-button').click();

  // A Chinese-speaking agent reads the same in 中文.
  lina = await openPage(browser, { baseURL: srv.url });
  await signIn(lina.page, 'li.na@demo.switchboard.local', PASSWORD);
  await lina.page.waitForURL('**/console');
  await lina.page.goto('/console?lang=zh');
  const liItem = lina.page.locator(`#conv-list [data-conversation-id="${convId}"]`);
  await expectText(liItem.locator('[data-testid="owner-badge"]'), '等待人工');
  await expectText(liItem.locator('[data-testid="reason-badge"]'), '客户要求人工');
});

test('an angry customer is handed over at once, marked ⚠ and listed first among those waiting', async () => {
  angry = await openPage(browser, { baseURL: srv.url, locale: 'zh-CN' });
  w2 = widgetOf(angry.page);
  await angry.page.goto('/demo');
  await w2.open();
  await w2.say('你们这什么垃圾服务，气死我了！');
  angryId = (await w2.list())[0].conversation;
  const m = await nthBot(w2, 1);
  assert.equal(await m.getAttribute('data-kind'), 'handoff');
  await expectText(m.locator('.sb-bubble'), /非常抱歉/);

  const item = con.item(angryId);
  await item.waitFor();
  await expectText(item.getByTestId('priority-badge'), /⚠/);
  await expectText(item.locator('[data-testid="reason-badge"]'), 'Unhappy customer');
  assert.match(await item.getAttribute('class'), /urgent/);
  // The first shopper writes again: newer activity, yet the unhappy one stays on top.
  await w.say('还在吗？');
  await until(async () => (await con.item(convId).getByTestId('conversation-preview').textContent()).includes('还在吗'),
    { message: 'the list did not show the new message' });
  await sam.page.getByTestId('owner-filter-queue').click();
  await until(async () => {
    const ids = await con.items.evaluateAll((ns) => ns.map((n) => n.dataset.conversationId));
    return ids[0] === angryId && ids.includes(convId);
  }, { message: 'the unhappy customer is not first among the waiting ones' });
  await sam.page.getByTestId('owner-filter-all').click();
  await con.open(angryId);
  await expectText(sam.page.locator('#thread-badges [data-testid="priority-badge"]'), /⚠/);
  await screenshot(sam.page, 'console-bot-priority');
});

test('the agent\'s reply reaches the shopper, and the bot stays silent from then on', async () => {
  await con.open(convId);
  const hello = '您好，我是 Sam，很高兴为您服务。';
  await con.reply(hello);
  await w.theirs(hello).waitFor();
  const bots = await botMsgs(w).count();
  await w.say('国内运费多少钱？');
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(await botMsgs(w).count(), bots, 'the bot does not answer once a person has the conversation');
});

test('the knowledge-base panel finds answers in 中文 and English and inserts one into the composer', async () => {
  await sam.page.getByTestId('kb-button').click();
  const panel = sam.page.getByTestId('kb-panel');
  await panel.getByTestId('kb-query').fill('退货');
  await panel.getByTestId('kb-search').click();
  await panel.getByTestId('kb-hit').first().waitFor();
  assert.equal(await panel.getByTestId('kb-hit').first().getAttribute('data-language'), 'zh');

  await panel.getByTestId('kb-language').selectOption('en');
  await panel.getByTestId('kb-query').fill('refund');
  await panel.getByTestId('kb-search').click();
  await until(async () => (await panel.getByTestId('kb-hit').first().getAttribute('data-language')) === 'en',
    { message: 'no English hits' });
  const langs = await panel.getByTestId('kb-hit').evaluateAll((ns) => ns.map((n) => n.dataset.language));
  assert.ok(langs.every((l) => l === 'en'), JSON.stringify(langs));
  const top = (await admin('GET', '/api/v1/kb/search?q=refund&language=en&limit=10')).data.items[0].entry;
  await con.input.fill('');
  await panel.getByTestId('kb-insert').first().click();
  assert.equal(await con.input.inputValue(), top.answer_text);
  await screenshot(sam.page, 'console-bot-kb');
  await con.input.fill('');
  await sam.page.getByTestId('kb-button').click();
});

test('"Save as FAQ" drafts an entry from the question and the agent\'s reply; a reviewer must approve it', async () => {
  const q = '紫砂壶可以刻字吗？';
  const seq = await w.say(q);
  const reply = '可以的，壶底免费刻字，最多 8 个字。';
  await con.message(seq).waitFor();
  await con.reply(reply);
  const msg = con.message(seq);
  await msg.hover();
  await msg.getByTestId('save-faq').click();
  const dlg = sam.page.getByTestId('faq-dialog');
  await dlg.waitFor();
  assert.equal(await dlg.getByTestId('faq-question').inputValue(), q);
  assert.equal(await dlg.getByTestId('faq-answer').inputValue(), reply);
  assert.equal(await dlg.getByTestId('faq-language').inputValue(), 'zh');
  await dlg.getByTestId('faq-similar').fill('能刻字吗\n茶壶刻字');
  await dlg.getByTestId('faq-save').click();
  await expectText(dlg.getByTestId('faq-saved'), /draft FAQ\. A reviewer must approve it/);
  const drafts = await admin('GET', '/api/v1/kb/entries?status=draft&language=zh&limit=100');
  const e = drafts.data.items.find((x) => x.question === q);
  assert.ok(e, 'the draft is in the knowledge base');
  assert.equal(e.status, 'draft');
  assert.equal(e.answer, reply);
  assert.deepEqual(e.similar, ['能刻字吗', '茶壶刻字']);
  await dlg.getByRole('button', { name: 'Done' }).click();
  assert.equal(await dlg.isVisible(), false);
});

test('at phone width the bot\'s buttons fit the chat', async () => {
  await shopper.page.setViewportSize({ width: 360, height: 740 });
  await w.frame.locator('[data-testid="sb-choice"]').first().waitFor();
  const f1 = await w.handle();
  await until(() => f1.evaluate(() => window.innerWidth <= 360 && document.documentElement.scrollWidth <= window.innerWidth + 1),
    { message: 'the chat scrolls sideways at phone width' });
  const fits = await f1.evaluate(() => [...document.querySelectorAll('.sb-choice, .sb-rate-btn')]
    .every((b) => { const r = b.getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth + 1 && r.height >= 28; }));
  assert.ok(fits, 'every button is inside the chat and large enough to tap');
  await screenshot(shopper.page, 'widget-bot-phone');
});

nodeTest('no console errors, uncaught exceptions or CSP violations', () => {
  assertNoProblems([...(sam?.problems || []), ...(lina?.problems || []), ...(shopper?.problems || []), ...(angry?.problems || [])]);
});
