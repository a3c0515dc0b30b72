// Launches the system's Chromium (never a downloaded browser) and opens
// pages that record every console error, uncaught exception, Content
// Security Policy violation and unexpected dialog, for the tests to fail on.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const ARTIFACTS = process.env.E2E_ARTIFACTS || fileURLToPath(new URL('../artifacts/', import.meta.url));

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // No name lookups: the server is reached by its loopback address, and a
  // page that strays to a host name fails at once instead of asking DNS.
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost'];

/** Launches Chromium with a fresh temporary profile. */
export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
}

// A failed API call is shown to the reader by the page itself (that is
// what the tests check), but the browser still logs it as a failed load.
// So is a page a test opens on purpose that answers with an error status.
function failedLoad(msg) {
  const m = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(msg.text());
  if (!m) return null;
  return { status: Number(m[1]), path: new URL(msg.location().url || 'about:blank', 'http://x').pathname };
}

/**
 * Opens a new context (fresh cookies and storage) and a page in it.
 * problems lists what went wrong in any of the context's pages;
 * expectFailedLoad(path, status) allows one page load that fails on purpose;
 * acceptDialog(text) answers yes to the next dialog if it says that text.
 * @param {import('playwright-core').Browser} browser
 * @param {{ baseURL: string, locale?: string }} opts
 */
export async function openPage(browser, { baseURL, locale = 'en-GB' }) {
  const context = await browser.newContext({ baseURL, locale, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const problems = [];
  const expected = [];
  const expectFailedLoad = (path, status) => expected.push({ path, status });
  const dialogs = [];
  const acceptDialog = (text) => dialogs.push(text);
  const allowed = (msg) => {
    const f = failedLoad(msg);
    if (!f) return false;
    if (f.status >= 400 && f.status < 500 && f.path.startsWith('/api/v1/')) return true;
    const i = expected.findIndex((e) => e.path === f.path && e.status === f.status);
    if (i < 0) return false;
    expected.splice(i, 1);
    return true;
  };
  // The tests stay on this machine: a request anywhere but the loopback
  // server (say, after a redirect off the site) is reported, and stopped
  // where the browser lets a route see it.
  const offSite = (url) => !['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  context.on('request', (req) => {
    if (/^https?:/.test(req.url()) && offSite(req.url())) problems.push(`request off the site: ${req.url()}`);
  });
  await context.route((url) => offSite(url.href), (route) => route.abort('blockedbyclient'));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} in ${e.sourceFile || e.documentURI}`);
    });
  });
  const watch = (page) => {
    page.on('console', (msg) => {
      if (msg.type() !== 'error' || allowed(msg)) return;
      problems.push(`console error on ${page.url()}: ${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => problems.push(`uncaught exception on ${page.url()}: ${err.message}`));
    page.on('dialog', async (d) => {
      if (d.type() === 'confirm' && dialogs[0] === d.message()) {
        dialogs.shift();
        return d.accept();
      }
      problems.push(`unexpected ${d.type()} on ${page.url()}: ${d.message()}`);
      await d.dismiss().catch(() => {});
    });
  };
  context.on('page', watch);
  const page = await context.newPage();
  return { context, page, problems, expectFailedLoad, acceptDialog };
}

/** Saves a full-page screenshot to the artifacts directory as NAME.png. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
