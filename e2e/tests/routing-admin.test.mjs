// Routing, as an administrator and two agents use it: the administrator
// gives a team its skills and business hours on /admin/routing (an
// overlapping interval and an unknown time zone are refused next to the
// field), creates a rule for VIP customers, deletes the team on
// /admin/teams and finds the rule marked broken; sets an agent's capacity
// (0 is refused). In the console an agent's status is shown and changed
// from the inbox head, and a colleague's transfer dialog follows it live:
// a transfer to an agent who went away is refused in the dialog, to the
// same agent back online it goes through, and both see the transfer note.
// A visitor nobody can serve leaves a message: the conversation carries a
// "Left a message" badge in the inbox and the thread head.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { firstSignIn, signIn, assertNoProblems, apiIn, api } from '../lib/ui.mjs';
import { until, expectText, stepper, consoleOf, startSite, createChannel, widgetOf } from '../lib/livechat.mjs';

const test = stepper(nodeTest);

const ADMIN_PASSWORD = 'a long admin passphrase routing';
const MIA = { email: 'mia@example.com', name: 'Mia Chen', password: 'mia has a long passphrase' };
const LI = { email: 'li@example.com', name: 'Li Lei', password: 'li has a long passphrase too' };
const ZOE = { email: 'zoe@example.com', name: 'Zoe Wu', password: 'zoe has a long passphrase' };
const NOTE = '客户要重开发票 — wants the invoice reissued';

let srv, browser, admin, mia, li, visitor, site, teamId, convId;

before(async () => {
  srv = await startServer();
  browser = await launch();
  admin = await openPage(browser, { baseURL: srv.url });
  mia = await openPage(browser, { baseURL: srv.url });
  li = await openPage(browser, { baseURL: srv.url });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await srv?.stop();
});

/** openRouting opens /admin/routing and waits until it has loaded. */
async function openRouting(page) {
  await page.goto('/admin/routing');
  await until(async () => (await page.locator('#rt-page').getAttribute('data-loaded')) === 'true', { message: 'the routing page did not load' });
}

const teamCard = (page) => page.locator('[data-testid="team"][data-team="VIP desk"]');

test('the administrator sets up users and a team', async () => {
  const { page } = admin;
  await firstSignIn(page, srv.email, srv.oneTimePassword, ADMIN_PASSWORD, '/console');
  const ids = {};
  for (const u of [MIA, LI, ZOE]) {
    const r = await apiIn(page, 'POST', '/api/v1/users', { email: u.email, name: u.name, role: 'agent', password: u.password, must_change_password: false });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    ids[u.email] = r.data.id;
  }
  const tm = await apiIn(page, 'POST', '/api/v1/teams', { name: 'VIP desk' });
  assert.equal(tm.status, 201, JSON.stringify(tm.data));
  teamId = tm.data.id;
  const m = await apiIn(page, 'PUT', `/api/v1/teams/${teamId}/members/${ids[LI.email]}`);
  assert.equal(m.status, 204);
});

test('business hours with an overlapping interval or an unknown time zone are refused next to the field', async () => {
  const { page } = admin;
  await page.locator('nav.mainnav').getByRole('link', { name: 'Routing' }).click();
  await page.waitForURL('**/admin/routing');
  await until(async () => (await page.locator('#rt-page').getAttribute('data-loaded')) === 'true', { message: 'the routing page did not load' });
  const team = teamCard(page);
  await team.getByLabel('Add to Skills').fill('VIP, after-sales');
  await team.getByLabel('Add to Skills').press('Enter');
  assert.deepEqual(await team.locator('.rt-chip').evaluateAll((ns) => ns.map((n) => n.dataset.value)), ['vip', 'after-sales']);

  await team.getByLabel('Set business hours').check();
  await team.getByTestId('time-zone').fill('Asia/Shanghai');
  // The first interval is there (Monday 09:00–18:00); a second one on
  // Monday from 11:00 overlaps it.
  assert.equal(await team.getByTestId('interval').count(), 1);
  const first = team.getByTestId('interval').nth(0);
  await first.getByLabel('Closes').fill('12:00');
  await team.getByTestId('add-interval').click();
  const second = team.getByTestId('interval').nth(1);
  await second.getByLabel('Day').selectOption({ label: 'Monday' });
  await second.getByLabel('Opens').fill('11:00');
  await second.getByLabel('Closes').fill('14:00');
  await team.getByTestId('save-team').click();
  const err = team.getByTestId('field-error');
  await expectText(err, /overlaps other opening hours of the same day/);
  assert.equal(await team.locator('[data-testid="interval"][aria-invalid="true"]').count(), 1);
  assert.equal((await team.locator('[data-testid="interval"][aria-invalid="true"]').getByLabel('Opens').inputValue()), '11:00');
  await screenshot(page, 'routing-hours-overlap');

  // Fixed, but in a time zone that does not exist.
  await second.getByLabel('Opens').fill('12:00');
  await team.getByTestId('time-zone').fill('Mars/Olympus_Mons');
  await team.getByTestId('save-team').click();
  await expectText(team.getByTestId('field-error'), /must be a time zone such as Asia\/Shanghai/);
  assert.equal(await team.getByTestId('time-zone').getAttribute('aria-invalid'), 'true');

  await team.getByTestId('time-zone').fill('Asia/Shanghai');
  await team.getByTestId('add-holiday').click();
  await team.getByTestId('holiday').locator('input').fill('2026-10-01');
  await team.getByTestId('save-team').click();
  await expectText(team.locator('.rt-flash'), 'Saved.');
  assert.equal(await team.getByTestId('field-error').count(), 0);

  const saved = await apiIn(page, 'GET', '/api/v1/routing/teams');
  const vip = saved.data.items.find((x) => x.team_id === teamId);
  assert.deepEqual(vip.skills, ['vip', 'after-sales']);
  assert.deepEqual(vip.hours, { time_zone: 'Asia/Shanghai', holidays: ['2026-10-01'],
    week: [{ day: 1, open: '09:00', close: '12:00' }, { day: 1, open: '12:00', close: '14:00' }] });
});

test('the administrator creates a rule for VIP customers', async () => {
  const { page } = admin;
  await openRouting(page);
  await page.getByTestId('add-rule').click();
  const rule = page.getByTestId('rule').last();
  // Without a name the rule is refused, at the name.
  await page.getByTestId('save-rules').click();
  await expectText(rule.getByTestId('field-error'), /rules\[0\]\.name is required/);
  await rule.getByTestId('rule-name').fill('VIP customers');
  await rule.getByLabel('Add to Customer tags').fill('VIP');
  await rule.getByLabel('Add to Customer tags').press('Enter');
  await rule.getByTestId('target-team').selectOption({ label: 'VIP desk' });
  await rule.getByTestId('target-priority').fill('5');
  await page.getByTestId('save-rules').click();
  await expectText(page.locator('#rt-rules-flash'), 'Saved.');
  assert.equal(await page.getByTestId('broken-badge').count(), 0);

  await openRouting(page);
  const saved = page.getByTestId('rule');
  assert.equal(await saved.count(), 1);
  assert.equal(await saved.getByTestId('rule-name').inputValue(), 'VIP customers');
  assert.equal(await saved.getByTestId('target-team').inputValue(), teamId);
  const cfg = await apiIn(page, 'GET', '/api/v1/routing');
  assert.deepEqual(cfg.data.rules.map((r) => [r.name, r.enabled, r.when, r.then.team_id, r.then.priority]),
    [['VIP customers', true, { tags: ['VIP'] }, teamId, 5]]);
});

test('after the team is deleted on /admin/teams, the rule is marked broken', async () => {
  const { page, acceptDialog } = admin;
  await page.goto('/admin/teams');
  acceptDialog('Delete it? This cannot be undone.');
  // The page reloads once the team is deleted: wait for that load before going on.
  await Promise.all([page.waitForEvent('load'),
    page.locator('article.team[data-team="VIP desk"]').getByRole('button', { name: 'Delete' }).click()]);
  await until(async () => (await page.locator('article.team[data-team="VIP desk"]').count()) === 0, { message: 'the team was not deleted' });

  await openRouting(page);
  const rule = page.getByTestId('rule');
  await expectText(rule.getByTestId('broken-badge'), 'Broken');
  await expectText(rule.getByTestId('broken-note'), /Its team was deleted\. Routing skips this rule and goes on to the next one, or the fallback/);
  const team = rule.getByTestId('target-team');
  assert.equal(await team.inputValue(), teamId);
  assert.equal(await team.locator('option:checked').textContent(), '(deleted team)');
  await screenshot(page, 'routing-broken-rule');
  // Saving it as it is is refused at the rule's team.
  await page.getByTestId('save-rules').click();
  await expectText(rule.getByTestId('field-error'), /rules\[0\]\.then\.team_id does not name anything/);
});

test('an agent sees their status in the console and changes it; a colleague transferring sees it live', async () => {
  // Mia is first online: the customer's conversation goes to her.
  await signIn(mia.page, MIA.email, MIA.password);
  await mia.page.waitForURL('**/console');
  const mc = consoleOf(mia.page);
  await mc.live();
  // A new agent starts offline and goes online by choice.
  const mine = mia.page.getByTestId('agent-status');
  await until(async () => (await mine.getAttribute('data-status')) === 'offline' && (await mine.isVisible()), { message: 'Mia is not shown offline' });
  assert.equal(await mia.page.getByTestId('agent-status-select').inputValue(), 'offline');
  await mia.page.getByLabel('My status').selectOption({ label: 'Online' });
  await until(async () => (await mine.getAttribute('data-status')) === 'online', { message: 'Mia is not shown online' });
  assert.equal(await mia.page.getByTestId('agent-auto-away').isVisible(), false);
  assert.equal((await apiIn(mia.page, 'GET', '/api/v1/agents/me')).data.status, 'online');

  const tok = await apiIn(admin.page, 'POST', '/api/v1/tokens', { name: 'shop', scope: 'write' });
  assert.equal(tok.status, 201);
  const ct = await api(srv.url, 'POST', '/api/v1/contacts', { token: tok.data.secret, body: { name: 'Wang Fang' } });
  const cv = await api(srv.url, 'POST', '/api/v1/conversations', { token: tok.data.secret,
    body: { contact_id: ct.data.id, message: { body: 'The invoice has the wrong company name.', author: 'contact' } } });
  assert.equal(cv.status, 201, JSON.stringify(cv.data));
  convId = cv.data.conversation.id;
  await until(async () => (await apiIn(mia.page, 'GET', `/api/v1/conversations/${convId}`)).data.assignee_id !== null,
    { message: 'the conversation was not assigned' });

  await signIn(li.page, LI.email, LI.password);
  await li.page.waitForURL('**/console');
  const lc = consoleOf(li.page);
  await lc.live();
  await li.page.getByTestId('agent-status-select').selectOption('online');
  await until(async () => (await li.page.getByTestId('agent-status').getAttribute('data-status')) === 'online', { message: 'Li is not shown online' });

  await mc.tab('mine').click();
  await mc.item(convId).waitFor();
  await mc.open(convId);
  await mia.page.getByTestId('transfer-button').click();
  const dlg = mia.page.getByTestId('transfer-dialog');
  await dlg.waitFor();
  const agentSel = dlg.getByTestId('transfer-agent');
  const option = (id) => agentSel.locator(`option[value="${id}"]`);
  const users = (await apiIn(mia.page, 'GET', '/api/v1/agents')).data.items;
  const liId = users.find((u) => u.name === LI.name).user_id;
  const zoeId = users.find((u) => u.name === ZOE.name).user_id;
  await expectText(option(liId), /^Li Lei — Online · 0\/3$/);
  // Zoe never signed in: offline, not offered.
  await expectText(option(zoeId), /^Zoe Wu — Offline/);
  assert.equal(await option(zoeId).isDisabled(), true);

  // Li steps away, from her own console: Mia's dialog follows.
  await li.page.getByTestId('agent-status-select').selectOption('away');
  await until(async () => (await li.page.getByTestId('agent-status').getAttribute('data-status')) === 'away', { message: 'Li is not shown away' });
  await expectText(option(liId), /^Li Lei — Away · 0\/3$/);
  await agentSel.selectOption(liId);
  await dlg.getByTestId('transfer-note').fill(NOTE);
  await dlg.getByTestId('transfer-confirm').click();
  await expectText(dlg.getByTestId('transfer-error'), 'This agent is away and takes no new conversations: choose someone online, or a team.');
  assert.equal(await agentSel.getAttribute('aria-invalid'), 'true');
  await screenshot(mia.page, 'routing-transfer-refused');

  // Back online: the transfer goes through.
  await li.page.getByTestId('agent-status-select').selectOption('online');
  await expectText(option(liId), /^Li Lei — Online/);
  await dlg.getByTestId('transfer-confirm').click();
  await until(async () => !(await dlg.isVisible()), { message: 'the transfer dialog stayed open' });
  await expectText(mia.page.locator('#thread-sub'), /Assigned to Li Lei/);
  const note = mia.page.locator('#messages article.msg-transfer');
  await expectText(note.getByTestId('transfer-label'), '⇄ Transferred to Li Lei');
  await expectText(note.locator('.msg-body'), NOTE);

  // Li finds it among hers, with the note.
  await lc.tab('mine').click();
  await lc.item(convId).waitFor();
  await lc.open(convId);
  const seen = li.page.locator('#messages article.msg-transfer');
  await expectText(seen.getByTestId('transfer-label'), '⇄ Transferred to Li Lei');
  await expectText(seen.locator('.msg-body'), NOTE);
  await screenshot(li.page, 'routing-transfer-note');
});

test('the administrator sees the agents and sets a capacity (0 is refused)', async () => {
  const { page } = admin;
  await openRouting(page);
  const row = (name) => page.getByTestId('agent').filter({ hasText: name });
  assert.equal(await row(LI.name).getAttribute('data-status'), 'online');
  assert.equal(await row(MIA.name).getAttribute('data-status'), 'online');
  assert.equal(await row(ZOE.name).getAttribute('data-status'), 'offline');
  await expectText(row(LI.name).getByTestId('agent-load'), '1 / 3');

  await row(LI.name).getByTestId('agent-capacity').fill('0');
  await row(LI.name).getByTestId('save-capacity').click();
  await expectText(row(LI.name).getByTestId('field-error'), /capacity must be from 1 to 50 conversations at a time/);
  await row(LI.name).getByTestId('agent-capacity').fill('2');
  await row(LI.name).getByTestId('save-capacity').click();
  await expectText(row(LI.name).getByTestId('agent-load'), '1 / 2');
  const a = await apiIn(page, 'GET', '/api/v1/agents');
  assert.equal(a.data.items.find((x) => x.name === LI.name).capacity, 2);

  // Li goes away in her console: the page shows it after a refresh.
  await li.page.getByTestId('agent-status-select').selectOption('away');
  await until(async () => (await li.page.getByTestId('agent-status').getAttribute('data-status')) === 'away', { message: 'Li is not shown away in her console' });
  await page.locator('#rt-agents-refresh').click();
  await until(async () => (await row(LI.name).getAttribute('data-status')) === 'away', { message: 'the page does not show Li away' });
});

test('a visitor nobody can serve leaves a message; the inbox marks it "Left a message"', async () => {
  // Nobody online: Li is away, Mia goes offline.
  await mia.page.getByTestId('agent-status-select').selectOption('offline');
  await until(async () => (await mia.page.getByTestId('agent-status').getAttribute('data-status')) === 'offline', { message: 'Mia is not shown offline' });
  const ch = await createChannel(admin.page, srv.url, { name: 'Shop' });
  site = await startSite({ widgetOrigin: srv.url });
  site.setSnippet(ch.snippet);
  visitor = await openPage(browser, { baseURL: site.origin });
  const w = widgetOf(visitor.page);
  await visitor.page.goto('/shop/orders');
  await w.open();
  await w.online();
  await w.say('Is anyone there? My parcel is damaged.');
  const leave = w.frame.getByTestId('sb-leave');
  await leave.waitFor({ state: 'visible' });
  await w.frame.getByTestId('sb-leave-name').fill('Chen Jie');
  await w.frame.getByTestId('sb-leave-email').fill('chen.jie@example.com');
  await w.frame.getByTestId('sb-leave-message').fill('Please call me back about the damaged teapot.');
  await w.frame.getByTestId('sb-leave-submit').click();
  await w.frame.getByTestId('sb-leave-done').waitFor({ state: 'visible' });
  const left = (await w.list()).find((m) => m.text.includes('damaged teapot'));
  assert.ok(left && left.conversation, JSON.stringify(await w.list()));

  // Mia comes back online and gets it: the badge is on the row and in the head.
  await mia.page.getByTestId('agent-status-select').selectOption('online');
  const mc = consoleOf(mia.page);
  await mc.tab('open').click();
  const row = mc.item(left.conversation);
  await expectText(row.getByTestId('left-message-badge'), '✉ Left a message');
  await mc.open(left.conversation);
  await expectText(mia.page.getByTestId('thread-badges').getByTestId('left-message-badge'), '✉ Left a message');
  await screenshot(mia.page, 'routing-left-message');
});

test('no page logged an error', () => {
  assertNoProblems([...admin.problems, ...mia.problems, ...li.problems, ...(visitor ? visitor.problems : [])]);
});
