// The bot's admin pages: an administrator sets the decision thresholds on
// /admin/bot (a clarify threshold above the answer threshold is refused
// with a visible reason), rebuilds the bot and tries a question that a
// freshly approved entry answers; a visitor's question the bot cannot
// answer shows up on /kb/unanswered and becomes a draft entry in two clicks.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { firstSignIn, assertNoProblems, apiIn } from '../lib/ui.mjs';
import { until, expectText, stepper, startSite, createChannel, setAllowedOrigins, widgetOf } from '../lib/livechat.mjs';

const test = stepper(nodeTest);

const ADMIN_PASSWORD = 'a long admin passphrase bot';
const QUESTION = 'How do I return a broken teapot?';
const ANSWER = 'Send us a photo of the teapot and we will refund you within 3 days.';
const UNKNOWN = 'Do you sell gift cards for the spring festival?';
const CHANNEL = 'Teapot shop';

let srv, browser, admin, site, visitor;

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

test('the administrator publishes an entry for the bot to answer with', async () => {
  const { page } = admin;
  await firstSignIn(page, srv.email, srv.oneTimePassword, ADMIN_PASSWORD, '/console');
  const e = await apiIn(page, 'POST', '/api/v1/kb/entries', { kind: 'faq', language: 'en', question: QUESTION,
    similar: ['My teapot arrived broken', 'Refund for a damaged teapot'], answer: ANSWER });
  assert.equal(e.status, 201, JSON.stringify(e.data));
  for (const step of ['submit', 'approve']) {
    const r = await apiIn(page, 'POST', `/api/v1/kb/entries/${e.data.id}/${step}`);
    assert.equal(r.status, 200, JSON.stringify(r.data));
  }
});

test('the bot page refuses a clarify threshold above the answer threshold, then saves', async () => {
  const { page } = admin;
  await page.locator('nav.mainnav').getByRole('link', { name: 'Bot' }).click();
  await page.waitForURL('**/admin/bot');
  await page.getByRole('heading', { name: 'Bot', exact: true }).waitFor();
  const form = page.locator('#bot-form');
  const answer = form.getByLabel(/^Answer threshold/);
  const clarify = form.getByLabel(/^Clarify threshold/);
  await until(async () => (await answer.inputValue()) !== '', { message: 'the settings did not load' });

  await answer.fill('0.5');
  await clarify.fill('0.7');
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expectText(form.locator('.form-error'), /clarify threshold (cannot|must not) be above the answer threshold/i);
  assert.equal(await clarify.getAttribute('aria-invalid'), 'true', 'the clarify field is marked');
  await screenshot(page, 'bot-error');

  await clarify.fill('0.3');
  await form.getByLabel('Replies per conversation').fill('8');
  await form.getByLabel('Synonyms').fill('refund, money back\nteapot, 茶壶');
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expectText(page.locator('#bot-flash'), 'Settings saved.');
  assert.equal(await form.locator('.form-error').textContent(), '');

  await page.reload();
  await until(async () => (await answer.inputValue()) === '0.5', { message: 'the answer threshold was not kept' });
  assert.equal(await clarify.inputValue(), '0.3');
  assert.equal(await form.getByLabel('Replies per conversation').inputValue(), '8');
  assert.equal(await form.getByLabel('Synonyms').inputValue(), 'refund, money back\nteapot, 茶壶');
  assert.equal(await form.getByLabel('API key').inputValue(), '', 'the key is never shown');
});

test('rebuild shows the status, and Try answers with the new entry', async () => {
  const { page } = admin;
  await page.getByRole('button', { name: 'Rebuild now' }).click();
  await expectText(page.locator('#rebuild-flash'), 'Rebuilt.');
  await expectText(page.locator('[data-stat="entries"]'), '1');
  assert.ok(Number(await page.locator('[data-stat="questions"]').textContent()) >= 3, 'the similar questions are indexed');

  const tryForm = page.locator('#try-form');
  await tryForm.getByLabel("A customer's question").fill('My teapot arrived broken');
  await tryForm.getByRole('button', { name: 'Ask' }).click();
  const result = page.getByTestId('try-result');
  await expectText(result.getByTestId('try-kind'), 'Answers');
  await expectText(result.getByTestId('try-answer'), ANSWER);
  await expectText(result.getByTestId('try-candidates').locator('li').first(), new RegExp(QUESTION.replace('?', '\\?')));
  assert.match(await result.getByTestId('try-confidence').textContent(), /^\d+%$/);
  await screenshot(page, 'bot-try');
});

test('a question the bot cannot answer becomes a draft entry from /kb/unanswered', async () => {
  const { page } = admin;
  const ch = await createChannel(page, srv.url, { name: CHANNEL });
  site = await startSite({ widgetOrigin: srv.url, title: 'Teapots', heading: 'Teapots', text: 'Fine teapots' });
  site.setSnippet(ch.snippet);
  await setAllowedOrigins(page, CHANNEL, [site.origin]);

  visitor = await openPage(browser, { baseURL: site.origin });
  const w = widgetOf(visitor.page);
  await visitor.page.goto('/shop/gifts');
  await w.open();
  await w.say(UNKNOWN);
  await until(async () => {
    const r = await apiIn(page, 'GET', '/api/v1/bot/unanswered');
    return r.status === 200 && r.data.items.some((g) => g.question === UNKNOWN);
  }, { timeout: 15_000, message: 'the unanswered question was not recorded' });

  await page.locator('nav.appnav').getByRole('link', { name: 'Unanswered' }).click();
  await page.waitForURL('**/kb/unanswered');
  const group = page.locator(`[data-testid="group"][data-question="${UNKNOWN}"]`);
  await group.waitFor();
  await expectText(group.getByTestId('group-count'), 'asked 1×');
  await screenshot(page, 'bot-unanswered');

  await group.getByRole('button', { name: 'Create a FAQ entry' }).click();
  await page.waitForURL(/\/kb#entry\/[A-Za-z0-9_-]+$/);
  const form = page.locator('#entry-form');
  await until(async () => (await form.getByLabel('Standard question').inputValue()) === UNKNOWN, { message: 'the editor did not open the new entry' });
  await expectText(page.getByTestId('entry-status'), 'Draft');
  assert.equal(await form.getByLabel('Language').inputValue(), 'en');
  await form.getByLabel('Answer (Markdown)').focus();

  await page.goto('/kb/unanswered');
  await page.getByText('Nothing to review: the bot answered everything.').waitFor();
  assert.equal(await page.locator(`[data-testid="group"][data-question="${UNKNOWN}"]`).count(), 0, 'the group is resolved');
});

test('the pages logged no errors', () => {
  // Signing in lands on the console, which its own tests cover; these are
  // the problems of the pages under test here.
  const onConsole = new RegExp(`^[a-z ]+ on ${srv.url}/console\\b`);
  assertNoProblems([...admin.problems, ...(visitor?.problems || [])].filter((p) => !onConsole.test(p)));
});
