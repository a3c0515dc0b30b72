// The pages in 简体中文: chosen from the browser's language, switched by
// hand with the 中文 / English links (the choice sticks), and errors in the
// reader's language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { launch, openPage, screenshot } from '../lib/browser.mjs';
import { expectFormError, assertNoProblems } from '../lib/ui.mjs';

let srv, browser, context, page, problems;

before(async () => {
  srv = await startServer();
  browser = await launch();
  ({ context, page, problems } = await openPage(browser, { baseURL: srv.url, locale: 'zh-CN' }));
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

const heading = () => page.locator('main h1').textContent();
const langCookie = async () => (await context.cookies()).find((c) => c.name === 'sb_lang')?.value;

async function fillLogin(email, password, { emailLabel = '邮箱', passwordLabel = '密码', submit = '登录' } = {}) {
  const form = page.locator('#login-form');
  await form.getByLabel(emailLabel).fill(email);
  await form.getByLabel(passwordLabel, { exact: true }).fill(password);
  await form.getByRole('button', { name: submit }).click();
  return form;
}

test('a browser that prefers Chinese gets the sign-in page in Chinese', async () => {
  await page.goto('/login');
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  assert.equal(await heading(), '登录 Switchboard');
  assert.match(await page.title(), /^登录 Switchboard/);
  const form = page.locator('#login-form');
  await form.getByLabel('邮箱').waitFor();
  await form.getByLabel('密码', { exact: true }).waitFor();
  await form.getByRole('button', { name: '登录' }).waitFor();
  assert.equal(await page.locator('.langs a[aria-current]').textContent(), '中文');
  assert.equal(await langCookie(), undefined, 'nothing chosen by hand yet');
  await screenshot(page, 'login-zh');
});

test('a wrong password is reported in Chinese', async () => {
  const form = await fillLogin(srv.email, 'not the right password');
  await expectFormError(form, '邮箱或密码错误。');
  assert.match(page.url(), /\/login$/);
});

test('the English link switches the language, and the choice sticks', async () => {
  await page.getByRole('link', { name: 'English' }).click();
  await page.waitForURL('**/login');
  assert.equal(await heading(), 'Sign in to Switchboard');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await langCookie(), 'en');
  await page.reload();
  assert.equal(await heading(), 'Sign in to Switchboard');
  // A new tab of the same browser keeps it too, although the browser still asks for Chinese.
  const other = await context.newPage();
  await other.goto('/login');
  assert.equal(await other.locator('main h1').textContent(), 'Sign in to Switchboard');
  await other.close();
  // And so do the API's error messages.
  const form = await fillLogin(srv.email, 'not the right password', { emailLabel: 'E-mail', passwordLabel: 'Password', submit: 'Sign in' });
  await expectFormError(form, 'The e-mail address or password is wrong.');
});

test('the 中文 link switches back', async () => {
  await page.getByRole('link', { name: '中文' }).click();
  await page.waitForURL('**/login');
  assert.equal(await heading(), '登录 Switchboard');
  assert.equal(await langCookie(), 'zh');
  await page.reload();
  assert.equal(await heading(), '登录 Switchboard');
});

test('signing in and choosing a password, in Chinese', async () => {
  await fillLogin(srv.email, srv.oneTimePassword);
  await page.waitForURL('**/password');
  assert.equal(await heading(), '修改密码');
  await page.getByText('你的密码只能使用一次，请设置自己的密码后继续。').waitFor();
  const form = page.locator('#password-form');
  await form.getByLabel('当前密码').fill(srv.oneTimePassword);
  await form.getByLabel('新密码').fill('短密码');
  await form.getByRole('button', { name: '修改密码' }).click();
  await expectFormError(form, '密码至少需要 12 个字符。');
  await screenshot(page, 'password-zh');
  await form.getByLabel('新密码').fill('一个足够长的中文密码短语');
  await form.getByRole('button', { name: '修改密码' }).click();
  await page.waitForURL('**/console');
  await page.goto('/admin/users');
});

test('the admin pages are in Chinese', async () => {
  assert.equal(await heading(), '用户');
  const nav = (await page.locator('nav.mainnav a').allTextContents()).map((s) => s.trim());
  assert.deepEqual(nav, ['用户', '团队', 'API 令牌', '渠道', '机器人', '分配规则', '工作台设置']);
  await page.locator('#users tbody tr').getByText('正常').waitFor();
  assert.equal(await page.locator('#user-form button[type="submit"]').textContent(), '添加用户');
  assert.equal(await page.locator('#logout').textContent(), '退出登录');

  // An error from the admin area is in Chinese too.
  const form = page.locator('#user-form');
  await form.getByLabel('名称').fill('李娜');
  await form.getByLabel('邮箱').fill('li.na@example.com');
  await form.getByLabel('初始密码').fill('太短了');
  await form.getByRole('button', { name: '添加用户' }).click();
  await expectFormError(form, '密码至少需要 12 个字符。');
  await form.getByLabel('初始密码').fill('李娜的初始密码要足够长才行');
  await form.getByRole('button', { name: '添加用户' }).click();
  await page.locator('#users tr[data-user="li.na@example.com"]').getByText('需修改密码').waitFor();
  await screenshot(page, 'users-zh');

  await page.getByRole('link', { name: '团队' }).click();
  await page.waitForURL('**/admin/teams');
  assert.equal(await heading(), '团队');
  await page.getByText('还没有团队。').waitFor();

  await page.getByRole('link', { name: 'API 令牌' }).click();
  await page.waitForURL('**/admin/tokens');
  assert.equal(await heading(), 'API 令牌');
  await page.getByText('还没有 API 令牌。').waitFor();
  const scopes = (await page.locator('#token-form select[name="scope"] option').allTextContents()).map((s) => s.trim());
  assert.deepEqual(scopes, ['只读', '读写', '管理（全部权限）']);

  await page.locator('header a.me').click();
  await page.waitForURL('**/account');
  assert.equal(await heading(), '我的账户');
  await page.getByText('当前会话').waitFor();
});

test('switching to English while signed in keeps the page', async () => {
  await page.getByRole('link', { name: 'English' }).click();
  await page.waitForURL('**/account');
  assert.equal(await heading(), 'My account');
  await page.goto('/admin/teams');
  assert.equal(await heading(), 'Teams');
  await page.getByRole('link', { name: '中文' }).click();
  await page.waitForURL('**/admin/teams');
  assert.equal(await heading(), '团队');
});

test('no console errors, uncaught exceptions or CSP violations', () => {
  assertNoProblems(problems);
});
