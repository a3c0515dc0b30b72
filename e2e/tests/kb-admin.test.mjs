// The knowledge base as its editors use it on /kb: an administrator makes a
// category and a FAQ entry, takes it through review, edits it (the approved
// version stays live), compares the versions and restores the first; an
// agent without the review permission writes a draft but cannot approve;
// a JSON Lines import is checked first and names its broken row.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { signIn, firstSignIn, expectFormError, assertNoProblems, apiIn } from '../lib/ui.mjs';
import { until, expectText, stepper } from '../lib/livechat.mjs';

const test = stepper(nodeTest);

const ADMIN_PASSWORD = 'a long admin passphrase kb';
const AGENT = { email: 'mia@example.com', name: 'Mia Agent', password: 'mia has a long passphrase' };
const CATEGORY = 'Shipping 配送';
const QUESTION = 'How long does delivery take?';
const SIMILAR = ['When will my parcel arrive?', 'Delivery time'];
const ANSWER1 = 'Orders arrive in **3 to 5** working days.\n\n- Tracking is sent by e-mail';
const ANSWER2 = 'Orders arrive in **2 to 4** working days.\n\n- Tracking is sent by e-mail';

let srv, browser, admin, agent;
let entryURL = '';

before(async () => {
  srv = await startServer();
  browser = await launch();
  admin = await openPage(browser, { baseURL: srv.url });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

const editor = (page) => page.locator('#entry-form');
const badges = (page) => page.getByTestId('entry-status');
const flashText = (page) => page.locator('#editor-flash');

test('the administrator opens the knowledge base from the navigation and creates a category', async () => {
  const { page } = admin;
  await firstSignIn(page, srv.email, srv.oneTimePassword, ADMIN_PASSWORD, '/console');
  await page.locator('nav.appnav').getByRole('link', { name: 'Knowledge base' }).click();
  await page.waitForURL('**/kb');
  await page.getByRole('heading', { name: 'Knowledge base', exact: true }).waitFor();
  assert.equal(await page.locator('nav.appnav a[aria-current="page"]').textContent(), 'Knowledge base');
  await page.getByText('No entries match.').waitFor();

  const form = page.locator('#cat-form');
  await form.getByLabel('Category name').fill(CATEGORY);
  await form.getByRole('button', { name: 'Create category' }).click();
  const node = page.getByTestId('category-tree').getByRole('button', { name: CATEGORY });
  await node.waitFor();
  assert.equal(await node.getAttribute('aria-current'), 'true', 'the new category is chosen');
  // The chosen category can be renamed in place.
  const edit = page.locator('#cat-edit');
  assert.equal(await edit.getByLabel('Category name').inputValue(), CATEGORY);

  // A category with a "/" is refused with the server's reason, next to the field.
  await form.getByLabel('Category name').fill('a/b');
  await form.getByRole('button', { name: 'Create category' }).click();
  await expectFormError(form, /cannot contain "\/"/);
  assert.equal(await form.getByLabel('Category name').getAttribute('aria-invalid'), 'true');
  await form.getByLabel('Category name').fill('');
});

test('a new FAQ entry is saved as a draft, submitted and approved', async () => {
  const { page } = admin;
  await page.getByRole('button', { name: 'New entry' }).click();
  await page.waitForURL('**/kb#new');
  const form = editor(page);
  await form.getByLabel('Language').selectOption('en');
  assert.equal(await form.getByLabel('Category').inputValue(), await page.getByTestId('category-tree').getByRole('button', { name: CATEGORY }).getAttribute('data-category'),
    'a new entry starts in the chosen category');
  await form.getByLabel('Standard question').fill(QUESTION);
  await form.getByLabel('Similar question').first().fill(SIMILAR[0]);
  await form.getByRole('button', { name: 'Add a similar question' }).click();
  await form.getByLabel('Similar question').nth(1).fill(SIMILAR[1]);
  await form.getByLabel('Answer (Markdown)').fill(ANSWER1);
  await form.getByLabel('Tags').fill('shipping, delivery');

  // The preview of unsaved text is built from the Markdown, as elements.
  await form.getByRole('tab', { name: 'Preview' }).click();
  const preview = page.getByTestId('answer-preview');
  await expectText(preview.locator('strong'), '3 to 5');
  await expectText(preview.locator('li'), 'Tracking is sent by e-mail');
  await form.getByRole('tab', { name: 'Write' }).click();

  await form.getByRole('button', { name: 'Save draft' }).click();
  await expectText(flashText(page), 'Saved as version 1.');
  await page.waitForURL(/\/kb#entry\/[A-Za-z0-9_-]+$/);
  entryURL = page.url();
  await expectText(badges(page), 'Draft');
  assert.equal(await form.getByRole('button', { name: 'Approve' }).isVisible(), false, 'a draft is submitted before it is approved');

  await form.getByRole('button', { name: 'Submit for review' }).click();
  await expectText(badges(page), 'In review');
  await form.getByRole('button', { name: 'Approve' }).click();
  await expectText(flashText(page), 'Approved: customers now get this version.');
  await expectText(badges(page), 'Published');

  // The saved answer is previewed as the server rendered it.
  await form.getByRole('tab', { name: 'Preview' }).click();
  await expectText(preview.locator('strong'), '3 to 5');
  assert.equal(await preview.locator('script, [onerror], [onclick]').count(), 0);
  await form.getByRole('tab', { name: 'Write' }).click();
  await screenshot(page, 'kb-editor');
});

test('an edit is version 2 while version 1 stays live, and the diff shows the change', async () => {
  const { page } = admin;
  const form = editor(page);
  await form.getByLabel('Answer (Markdown)').fill(ANSWER2);
  await form.getByLabel('Note').fill('faster couriers');
  await form.getByRole('button', { name: 'Save draft' }).click();
  await expectText(flashText(page), 'Saved as version 2.');
  await expectText(badges(page), /^Draft\s*Live: version 1$/);

  const rows = page.locator('#version-list tbody tr');
  await until(async () => (await rows.count()) === 2, { message: 'the history does not list two versions' });
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.version)), ['2', '1']);
  await expectText(page.locator('#version-list tr[data-version="2"] td').nth(3), 'faster couriers');
  await page.locator('#version-list tr[data-version="2"]').getByRole('button', { name: 'Compare with previous' }).click();
  const diff = page.getByTestId('diff');
  await expectText(diff.locator('h3'), 'Changes from version 1 to version 2');
  const answer = diff.locator('.kb-difflines[data-field="answer"]');
  await expectText(answer.locator('[data-op="-"]'), /3 to 5/);
  await expectText(answer.locator('[data-op="+"]'), /2 to 4/);
  await expectText(answer.locator('[data-op="="]').last(), /Tracking is sent by e-mail/);
  await screenshot(page, 'kb-diff');
});

test('restoring version 1 makes its content a new draft version', async () => {
  const { page, acceptDialog } = admin;
  acceptDialog('Restore version 1? Its content becomes a new draft version.');
  await page.locator('#version-list tr[data-version="1"]').getByRole('button', { name: 'Restore' }).click();
  await expectText(flashText(page), 'Version 1 restored as version 3.');
  assert.equal(await editor(page).getByLabel('Answer (Markdown)').inputValue(), ANSWER1);
  await until(async () => (await page.locator('#version-list tbody tr').count()) === 3, { message: 'version 3 is not listed' });
  await expectText(badges(page), /^Draft\s*Live: version 1$/);
});

test('the list shows the entry with its badges, and filters and search find it', async () => {
  const { page } = admin;
  await page.locator('#back-to-list').click();
  const row = page.locator(`#kb-entries tr[data-question="${QUESTION}"]`);
  await row.waitFor();
  await expectText(row.locator('td').nth(4), /Draft\s*Live: version 1\s*v3/);
  await expectText(row.locator('td').nth(3), CATEGORY);

  await page.locator('#kb-filters').getByLabel('Status').selectOption('published');
  await page.getByText('No entries match.').waitFor();
  await page.locator('#kb-filters').getByLabel('Status').selectOption('draft');
  await row.waitFor();

  await page.locator('#kb-filters').getByLabel('Search').fill('parcel arrive');
  await page.locator('#kb-filters').getByRole('button', { name: 'Filter' }).click();
  await row.waitFor();
  await page.locator('#kb-filters').getByLabel('Search').fill('');
  await page.locator('#kb-filters').getByLabel('Status').selectOption('');
  await screenshot(page, 'kb-list');
});

test('an agent writes and submits a draft but has no approve button, and the API says why', async () => {
  const created = await apiIn(admin.page, 'POST', '/api/v1/users',
    { email: AGENT.email, name: AGENT.name, role: 'agent', password: AGENT.password, must_change_password: false });
  assert.equal(created.status, 201, JSON.stringify(created.data));

  agent = await openPage(browser, { baseURL: srv.url });
  const { page } = agent;
  await signIn(page, AGENT.email, AGENT.password);
  await page.waitForURL('**/console');
  assert.equal(await page.locator('nav.mainnav').count(), 0, 'an agent has no admin navigation');
  await page.locator('nav.appnav').getByRole('link', { name: 'Knowledge base' }).click();
  await page.waitForURL('**/kb');

  await page.getByRole('button', { name: 'New entry' }).click();
  const form = editor(page);
  await form.getByLabel('Language').selectOption('en');
  await form.getByLabel('Standard question').fill('Do you ship to Norway?');
  await form.getByLabel('Answer (Markdown)').fill('Yes, within 7 days.');
  await form.getByRole('button', { name: 'Save draft' }).click();
  await expectText(flashText(page), 'Saved as version 1.');
  await form.getByRole('button', { name: 'Submit for review' }).click();
  await expectText(badges(page), 'In review');
  await page.getByText('Waiting for a reviewer').waitFor();
  for (const name of ['Approve', 'Reject', 'Archive']) {
    assert.equal(await form.getByRole('button', { name, exact: true }).isVisible(), false, `an agent sees ${name}`);
  }
  const id = page.url().split('#entry/')[1];
  const res = await apiIn(page, 'POST', `/api/v1/kb/entries/${id}/approve`);
  assert.equal(res.status, 403);
  assert.match(res.data.error.message, /Only a reviewer/);

  // The administrator's live entry: no archive or delete for the agent.
  await page.goto(entryURL.replace(srv.url, ''));
  await expectText(badges(page), /Live: version 1/);
  assert.equal(await form.getByRole('button', { name: 'Archive', exact: true }).isVisible(), false);
  assert.equal(await form.getByRole('button', { name: 'Delete', exact: true }).isVisible(), false);
  await screenshot(page, 'kb-agent');

  // The reviewer sees the agent's entry waiting, and sends it back with a reason.
  await admin.page.goto(`/kb#entry/${id}`);
  const aform = editor(admin.page);
  await aform.getByRole('button', { name: 'Reject' }).click();
  await admin.page.locator('#reject-form').getByLabel('Why is it sent back?').fill('Say which carrier.');
  await admin.page.locator('#reject-form').getByRole('button', { name: 'Send back to draft' }).click();
  await expectText(badges(admin.page), 'Draft');
  await page.goto(`/kb#entry/${id}`);
  await expectText(page.getByTestId('review-comment'), 'Sent back by a reviewer: Say which carrier.');
});

test('a JSON Lines import is checked first, names the broken row, then imports the rest', async () => {
  const { page } = admin;
  await page.goto('/kb');
  const lines = [
    { kind: 'faq', language: 'en', category: 'Payments', question: 'Which cards do you accept?', answer: 'Visa and Mastercard.', similar: ['Can I pay by card?'] },
    '{"kind": "faq", "language": "en", "question": "broken',
    { kind: 'faq', language: 'zh', category: 'Payments', question: '可以用支付宝付款吗？', answer: '可以，支持支付宝和微信支付。' },
  ].map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
  const form = page.locator('#import-form');
  await form.locator('input[name="file"]').setInputFiles({ name: 'faq.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(lines) });
  assert.equal(await page.locator('#import-run').isDisabled(), true, 'import waits for a check');
  await form.getByRole('button', { name: 'Check file' }).click();
  const result = page.getByTestId('import-result');
  await expectText(result.locator('.kb-import-head'), 'Check: 3 rows, 2 entries would be created, 1 rows have errors.');
  await expectText(result.locator('li[data-row="2"]'), /^Row 2: /);
  assert.equal(await page.locator(`#kb-entries tr[data-question="Which cards do you accept?"]`).count(), 0, 'a check changes nothing');
  await screenshot(page, 'kb-import');

  await page.locator('#import-run').click();
  await expectText(result.locator('.kb-import-head'), 'Imported: 3 rows, 2 entries created, 1 rows skipped for errors.');
  await page.locator('#kb-entries tr[data-question="Which cards do you accept?"]').waitFor();
  await page.locator('#kb-entries tr[data-question="可以用支付宝付款吗？"]').waitFor();
  await page.getByTestId('category-tree').getByRole('button', { name: 'Payments' }).waitFor();

  // An empty category goes; one with entries stays, with the reason.
  await page.getByTestId('category-tree').getByRole('button', { name: 'Payments' }).click();
  admin.acceptDialog('Delete this category? Only an empty category can be deleted.');
  await page.locator('#cat-edit').getByRole('button', { name: 'Delete category' }).click();
  await expectFormError(page.locator('#cat-edit'), /still has 0 subcategories and 2 entries/);
});

test('the pages logged no errors', () => {
  // Signing in lands on the console, which its own tests cover; these are
  // the problems of the pages under test here.
  const onConsole = new RegExp(`^[a-z ]+ on ${srv.url}/console\\b`);
  assertNoProblems([...admin.problems, ...(agent?.problems || [])].filter((p) => !onConsole.test(p)));
});
