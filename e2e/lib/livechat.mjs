// Live chat helpers shared by the tests: a small website of another origin
// that embeds the widget under a strict Content-Security-Policy, images made
// on the spot, the widget and the agent console as a person sees them, and
// waiting for conditions instead of sleeping.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { deflateSync } from 'node:zlib';

/**
 * Calls check until it returns a truthy value and returns that value; fails
 * after timeout ms with message (a string, or a function of the last value).
 */
export async function until(check, { timeout = 10_000, message = 'the condition did not come true' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  let error;
  for (;;) {
    try {
      last = await check();
      error = undefined;
      if (last) return last;
    } catch (e) {
      error = e;
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const text = typeof message === 'function' ? message(last) : message;
  assert.fail(`${text} (after ${timeout} ms${error ? `; last error: ${error.message}` : ''})`);
}

/** Waits until the locator's text (trimmed) is expected (a string, or a RegExp). */
export async function expectText(locator, expected, timeout) {
  const ok = (s) => (expected instanceof RegExp ? expected.test(s) : s === expected);
  let seen = '';
  await until(async () => {
    seen = ((await locator.first().textContent({ timeout: 1_000 })) || '').trim();
    return ok(seen);
  }, { timeout, message: () => `${locator} says ${JSON.stringify(seen)}, not ${expected}` });
  return seen;
}

/**
 * Wraps node:test's test for steps that build on each other: once a step
 * fails, the later ones are skipped instead of failing slowly one by one.
 */
export function stepper(test) {
  let failed = null;
  return (name, fn) => test(name, async (t) => {
    if (failed) {
      t.skip(`an earlier step failed: ${failed}`);
      return;
    }
    try {
      await fn(t);
    } catch (e) {
      failed = name;
      throw e;
    }
  });
}

// ------------------------------------------------------------------ images

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/**
 * Makes a real PNG (8-bit RGB) of width × height: a diagonal blend from
 * colour `from` to colour `to`, so that it is easy to see in a screenshot.
 */
export function makePNG(width, height, from = [31, 111, 235], to = [229, 72, 77]) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // no filter
    for (let x = 0; x < width; x++) {
      const f = (x + y) / (width + height - 2 || 1);
      for (let i = 0; i < 3; i++) raw[row + 1 + x * 3 + i] = Math.round(from[i] + (to[i] - from[i]) * f);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

// ---------------------------------------------------------- the host site

const escapeHTML = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Serves a company's website on http://localhost:PORT — another origin than
 * the switchboard server on 127.0.0.1 — whose pages carry the widget snippet
 * (set later with setSnippet) under a strict policy that allows only the
 * widget's server to run script and be framed. Every path under /shop/ is a
 * page; nothing else exists.
 * @param {{ widgetOrigin: string, title?: string, heading?: string, text?: string }} o
 */
export async function startSite({ widgetOrigin, title = '晨光茶具 · 我的订单', heading = '我的订单', text = '订单 20261118 · 青花瓷茶杯 ×2 · 配送中' }) {
  let snippet = '';
  const csp = `default-src 'none'; script-src ${widgetOrigin}; frame-src ${widgetOrigin}; img-src 'self'`;
  const requests = [];
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    requests.push(`${req.method} ${req.url}`);
    if (pathname === '/favicon.ico') {
      res.writeHead(204, { 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if (req.method !== 'GET' || !pathname.startsWith('/shop/')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': csp });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp, 'Cache-Control': 'no-store' });
    res.end(`<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>${escapeHTML(title)}</title></head>
<body>
<h1>${escapeHTML(heading)}</h1>
<p>${escapeHTML(text)}</p>
${snippet}
</body>
</html>
`);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `http://localhost:${server.address().port}`;
  return {
    origin,
    csp,
    requests,
    setSnippet(s) { snippet = s; },
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

// ------------------------------------------------------- admin: channels

/**
 * Creates a website channel on /admin/channels as an administrator would
 * (page is signed in) and returns its id, key and snippet as the page shows them.
 * @param {import('playwright-core').Page} page
 * @param {string} serverURL
 * @param {{ name: string, greeting?: string, prechat?: boolean }} o
 */
export async function createChannel(page, serverURL, { name, greeting = '', prechat = false }) {
  await page.goto('/admin/channels');
  const form = page.locator('#channel-form');
  await form.getByLabel('Name', { exact: true }).fill(name);
  if (greeting) await form.getByLabel('Greeting').fill(greeting);
  if (prechat) await form.getByLabel('Ask for a name and e-mail address before the first message').check();
  await Promise.all([page.waitForEvent('load'), form.getByRole('button', { name: 'Create channel' }).click()]);
  const card = page.locator(`article.channel[data-channel="${name}"]`);
  await card.waitFor();
  const id = await card.getAttribute('data-channel-id');
  const key = await card.getAttribute('data-channel-key');
  const snippet = (await card.getByTestId('snippet').textContent()).trim();
  assert.equal(snippet, `<script src="${serverURL}/widget.js" data-channel="${key}" async></script>`);
  assert.match(key, /^[A-Za-z0-9_-]{16,64}$/);
  return { id, key, snippet, card };
}

/** Sets a channel's allowed sites with its edit form on /admin/channels. */
export async function setAllowedOrigins(page, name, origins) {
  await page.goto('/admin/channels');
  const card = page.locator(`article.channel[data-channel="${name}"]`);
  await card.getByTestId('edit-channel').click();
  const form = card.locator('form[data-channel-form]');
  await form.getByLabel('Allowed sites').fill(origins.join('\n'));
  await Promise.all([page.waitForEvent('load'), form.getByRole('button', { name: 'Save changes' }).click()]);
  const shown = (await page.locator(`article.channel[data-channel="${name}"] .origins code`).allTextContents()).map((s) => s.trim());
  assert.deepEqual(shown, origins);
}

// ------------------------------------------------------------- the widget

/**
 * The widget as a visitor of the host page meets it: the launcher in the
 * loader's shadow root and the chat frame.
 * @param {import('playwright-core').Page} page
 */
export function widgetOf(page) {
  const frame = page.frameLocator('[data-testid="sb-frame"]');
  const messages = frame.getByTestId('sb-message');
  const w = {
    launcher: page.getByTestId('sb-launcher'),
    badge: page.getByTestId('sb-badge'),
    frameEl: page.getByTestId('sb-frame'),
    frame,
    messages,
    input: frame.getByTestId('sb-input'),
    send: frame.getByTestId('sb-send'),
    file: frame.getByTestId('sb-file'),
    typing: frame.getByTestId('sb-typing'),
    closed: frame.getByTestId('sb-closed'),
    /** the visitor's own message with this text, or an agent's */
    mine: (text) => frame.locator('[data-testid="sb-message"][data-sender="contact"]').filter({ has: frame.locator('.sb-bubble', { hasText: text }) }),
    theirs: (text) => frame.locator('[data-testid="sb-message"][data-sender="agent"]').filter({ has: frame.locator('.sb-bubble', { hasText: text }) }),
    /** the Frame object, for evaluate */
    handle: async () => {
      const h = await page.getByTestId('sb-frame').elementHandle();
      return h.contentFrame();
    },
    /** clicks the launcher and waits for the open chat */
    async open() {
      await w.launcher.click();
      await until(async () => (await w.launcher.getAttribute('aria-expanded')) === 'true', { message: 'the chat did not open' });
      await w.frameEl.waitFor({ state: 'visible' });
    },
    /** waits for the live connection (the frame marks itself online) */
    online: () => until(async () => (await frame.locator('#sb-app').getAttribute('data-online')) === 'true',
      { message: 'the widget did not connect' }),
    /** types and sends a message, then waits until the server stored it; returns its seq */
    async say(text) {
      await w.input.fill(text);
      await w.input.press('Enter');
      const msg = w.mine(text).last();
      await until(async () => ['sent', 'read'].includes(await msg.getAttribute('data-state')), {
        message: () => `the message ${JSON.stringify(text)} was not stored`,
      });
      return Number(await msg.getAttribute('data-seq'));
    },
    /** [{ seq, sender, text }] of every message in the frame, in screen order */
    list: () => messages.evaluateAll((nodes) => nodes.map((n) => ({
      seq: Number(n.dataset.seq || 0), sender: n.dataset.sender, state: n.dataset.state,
      text: n.querySelector('.sb-content').textContent.trim(),
      conversation: n.closest('.sb-conv')?.dataset.conversation || '',
    }))),
  };
  return w;
}

/** Waits until an <img> has loaded and returns its natural size and source. */
export async function loadedImage(img, timeout) {
  return until(() => img.evaluate((i) => (i.complete && i.naturalWidth > 0
    ? { width: i.naturalWidth, height: i.naturalHeight, src: i.getAttribute('src') } : null)), {
    timeout, message: `${img} did not load`,
  });
}

// ------------------------------------------------------------ the console

/**
 * The agent console's parts by their test hooks.
 * @param {import('playwright-core').Page} page
 */
export function consoleOf(page) {
  const c = {
    status: page.getByTestId('connection-status'),
    count: (tab) => page.getByTestId(`count-${tab}`),
    tab: (tab) => page.getByTestId(`tab-${tab}`),
    items: page.locator('#conv-list [data-conversation-id]'),
    item: (id) => page.locator(`#conv-list [data-conversation-id="${id}"]`),
    message: (seq) => page.locator(`#messages article[data-seq="${seq}"]`),
    messages: page.locator('#messages article[data-testid="message"]'),
    input: page.getByTestId('composer-input'),
    send: page.getByTestId('send-button'),
    typing: page.getByTestId('typing'),
    panel: page.getByTestId('visitor-panel'),
    /** waits for the live connection */
    live: () => until(async () => (await c.status.getAttribute('data-state')) === 'live', { message: 'the console is not live' }),
    /** waits until the three counts are these */
    async counts(want) {
      let seen;
      await until(async () => {
        seen = {};
        for (const k of Object.keys(want)) seen[k] = Number((await c.count(k).textContent()).trim());
        return Object.keys(want).every((k) => seen[k] === want[k]);
      }, { message: () => `the counts are ${JSON.stringify(seen)}, not ${JSON.stringify(want)}` });
    },
    /** opens a conversation from the list and waits for its history */
    async open(id) {
      await c.item(id).locator('a').click();
      await page.waitForURL(`**/console#c/${id}`);
      await until(async () => !(await page.locator('#history-state').isVisible()), { message: 'the history did not load' });
    },
    /** sends a reply (or a note, when the composer is in note mode); waits for the stored message and returns it */
    async reply(text) {
      const ours = page.locator('#messages article[data-seq][data-sender-type="agent"]');
      const before = await ours.count();
      await c.input.fill(text);
      await c.input.press('Enter');
      await until(async () => (await ours.count()) > before, { message: () => `the reply ${JSON.stringify(text)} was not stored` });
      const msg = c.message(await ours.last().getAttribute('data-seq'));
      assert.equal((await msg.locator('.msg-body').textContent()).trim(), text);
      return msg;
    },
  };
  return c;
}

/** Returns window.__xss in a page or frame (undefined unless a payload ran). */
export const xssFlag = (target) => target.evaluate(() => window.__xss);
