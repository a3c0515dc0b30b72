// Helpers of the agent console: messages from the catalogue, DOM building
// (text only: nothing from the network is ever parsed as HTML), error
// toasts, dates, sizes, and a simplified reading of browser user agents.

const messages = JSON.parse(document.getElementById('sb-messages')?.textContent || '{}');
export const lang = document.documentElement.lang || 'en';

/** t translates a key, replacing {name} with args.name. */
export function t(key, args) {
  let s = messages[key] ?? key;
  if (args) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in args ? String(args[k]) : m));
  return s;
}

/**
 * el builds an element. attrs: class, text (textContent), dataset (object),
 * on<event> (listener), anything else as an attribute; children are nodes or
 * strings (added as text).
 */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';
const ICONS = {
  clock: 'M12 7v5l3 2M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z',
  check: 'M5 12l4 4L19 6',
  checks: 'M2 12l4 4L14 7M10 16l1 0L21 6',
  alert: 'M12 8v5M12 16.5v.5M10.3 3.9L2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z',
  file: 'M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5',
  lock: 'M6 11h12v10H6zM8 11V7a4 4 0 0 1 8 0v4',
  x: 'M6 6l12 12M18 6L6 18',
};

/** icon returns a small stroked SVG icon. */
export function icon(name) {
  const s = document.createElementNS(SVG, 'svg');
  s.setAttribute('viewBox', '0 0 24 24');
  s.setAttribute('aria-hidden', 'true');
  s.setAttribute('class', 'icon icon-' + name);
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('d', ICONS[name] || '');
  s.append(p);
  return s;
}

/** toast shows an error for 8 s, four at most at a time. */
export function toast(text) {
  const box = document.getElementById('toasts');
  const node = el('div', { class: 'toast', role: 'alert' }, icon('alert'), el('span', { text }),
    el('button', { type: 'button', class: 'icon-btn small', 'aria-label': t('console.dismiss'), onclick: () => node.remove() }, icon('x')));
  box.append(node);
  while (box.children.length > 4) box.firstElementChild.remove();
  setTimeout(() => node.remove(), 8000);
}

const URL_RE = /\bhttps?:\/\/[^\s<>"'）)】\]]+/gi;

/** richText returns a fragment of text where http(s) links are links. */
export function richText(text) {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0].replace(/[.,;:!?，。；：！？]+$/, '');
    if (m.index > last) frag.append(document.createTextNode(text.slice(last, m.index)));
    frag.append(el('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow', text: url }));
    last = m.index + url.length;
  }
  if (last < text.length) frag.append(document.createTextNode(text.slice(last)));
  return frag;
}

/** safeHref returns the URL if it is http(s), else null. */
export function safeHref(u) {
  try {
    const x = new URL(u);
    return x.protocol === 'http:' || x.protocol === 'https:' ? x.href : null;
  } catch {
    return null;
  }
}

/** randomID makes a client message id (works outside secure contexts too). */
export function randomID() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return 'c-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// Dates follow the page's language, in the reader's own variant of it
// (en-GB writes 14:05, en-US 2:05 PM).
const dateLocale = (navigator.languages || []).find((l) => l.split('-')[0].toLowerCase() === lang.split('-')[0]) || lang;
const timeFmt = new Intl.DateTimeFormat(dateLocale, { hour: 'numeric', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(dateLocale, { month: 'short', day: 'numeric' });
const longDayFmt = new Intl.DateTimeFormat(dateLocale, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' });
const fullFmt = new Intl.DateTimeFormat(dateLocale, { dateStyle: 'medium', timeStyle: 'short' });

function startOfDay(d) { return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime(); }

/** dayKey identifies the calendar day of a date (local time). */
export function dayKey(d) { return startOfDay(d); }

/** dayLabel is "Today", "Yesterday" or a date. */
export function dayLabel(d) {
  const diff = Math.round((startOfDay(new Date()) - startOfDay(d)) / 86400000);
  if (diff === 0) return t('console.today');
  if (diff === 1) return t('console.yesterday');
  return longDayFmt.format(d);
}

/** shortTime is the time today, "Yesterday", or a short date. */
export function shortTime(d) {
  if (!d || isNaN(d)) return '';
  const diff = Math.round((startOfDay(new Date()) - startOfDay(d)) / 86400000);
  if (diff === 0) return timeFmt.format(d);
  if (diff === 1) return t('console.yesterday');
  return dayFmt.format(d);
}

export const clock = (d) => timeFmt.format(d);
export const fullTime = (d) => fullFmt.format(d);

/** size formats a byte count. */
export function size(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(n < 10240 ? 1 : 0) + ' KB';
  return (n / 1024 / 1024).toFixed(1) + ' MB';
}

/** browserOf simplifies a user agent to "Chrome 126" and "Windows". */
export function browserOf(ua) {
  if (!ua) return null;
  const find = (re) => { const m = re.exec(ua); return m ? m[1] : null; };
  let browser = null;
  const rules = [
    ['Edge', /Edg(?:e|A|iOS)?\/(\d+)/], ['Opera', /(?:OPR|Opera)\/(\d+)/], ['Samsung Internet', /SamsungBrowser\/(\d+)/],
    ['WeChat', /MicroMessenger\/(\d+)/], ['QQ Browser', /MQQBrowser\/(\d+)|QQBrowser\/(\d+)/], ['UC Browser', /UCBrowser\/(\d+)/],
    ['Firefox', /(?:Firefox|FxiOS)\/(\d+)/], ['Chrome', /(?:Chrome|CriOS)\/(\d+)/], ['Safari', /Version\/(\d+)[.\d]* .*Safari\//],
  ];
  for (const [name, re] of rules) {
    const v = find(re);
    if (v) { browser = `${name} ${v}`; break; }
  }
  if (!browser && /HeadlessChrome\/(\d+)/.test(ua)) browser = 'Chrome ' + find(/HeadlessChrome\/(\d+)/);
  let os = null;
  if (/iPhone|iPad|iPod/.test(ua)) os = 'iOS';
  else if (/Android/.test(ua)) os = 'Android';
  else if (/Windows/.test(ua)) os = 'Windows';
  else if (/CrOS/.test(ua)) os = 'ChromeOS';
  else if (/Mac OS X|Macintosh/.test(ua)) os = 'macOS';
  else if (/Linux/.test(ua)) os = 'Linux';
  if (!browser && !os) return ua.slice(0, 60);
  if (browser && os) return t('console.browser_on', { browser, os });
  return browser || os;
}

let langNames = null;
try { langNames = new Intl.DisplayNames([lang], { type: 'language' }); } catch { /* older browsers */ }

/** languageName turns "zh-CN" into "中文（中国）" / "Chinese (China)". */
export function languageName(code) {
  if (!code) return null;
  try {
    const n = langNames?.of(code);
    if (n && n !== code) return `${n} (${code})`;
  } catch { /* not a language tag */ }
  return code;
}

/** initials of a name for an avatar. */
export function initials(name) {
  const s = (name || '').trim();
  if (!s) return '?';
  if (/[\u3400-\u9fff]/.test(s[0])) return s.slice(0, 1);
  // The first letters of the first and last words that start with a letter
  // ("Ada Lovelace" → AL, "Customer 17" → C).
  const words = s.split(/\s+/).filter((w) => /^\p{L}/u.test(w));
  if (!words.length) return [...s][0].toUpperCase();
  const first = [...words[0]][0];
  const last = words.length > 1 ? [...words[words.length - 1]][0] : '';
  return (first + last).toUpperCase();
}

/** hue picks one of eight avatar colours from an id. */
export function hue(id) {
  let h = 0;
  for (const c of id || '') h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 'hue-' + (h % 8);
}
