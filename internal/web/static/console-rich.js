// A bot answer's formatted text, for the thread. The server sanitises the
// answer's HTML; the console still never inserts it as markup: it is parsed
// into an inert document (nothing in it runs or loads) and rebuilt element
// by element from an allow-list of tags, with text as text and links to
// http(s) and mailto only.
import { el } from './console-util.js';

const MAX_HTML = 20000;
const MAX_DEPTH = 20;
const ALLOWED = new Set(['p', 'br', 'strong', 'em', 'b', 'i', 'ul', 'ol', 'li', 'a', 'code', 'pre', 'blockquote',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'hr']);
const DROPPED = new Set(['script', 'style', 'template', 'iframe', 'object', 'embed', 'noscript', 'svg', 'math',
  'head', 'title', 'textarea', 'select', 'button', 'form', 'input', 'img', 'video', 'audio', 'link', 'meta']);

/** linkHref returns an http(s) or mailto address, or null. */
export function linkHref(u) {
  try {
    const x = new URL(String(u), location.href);
    return ['http:', 'https:', 'mailto:'].includes(x.protocol) ? x.href : null;
  } catch {
    return null;
  }
}

function copy(from, to, depth) {
  for (const n of from.childNodes) {
    if (n.nodeType === Node.TEXT_NODE) {
      to.append(n.data);
      continue;
    }
    if (n.nodeType !== Node.ELEMENT_NODE) continue;
    const tag = n.localName;
    if (DROPPED.has(tag) || depth > MAX_DEPTH) continue;
    if (!ALLOWED.has(tag)) {
      copy(n, to, depth + 1);
      continue;
    }
    const out = document.createElement(tag);
    if (tag === 'a') {
      const href = linkHref(n.getAttribute('href') || '');
      if (href) {
        out.href = href;
        if (!href.startsWith('mailto:')) {
          out.target = '_blank';
          out.rel = 'noopener noreferrer nofollow';
        }
      }
    }
    if (tag === 'td' || tag === 'th') {
      for (const a of ['colspan', 'rowspan']) {
        const v = Number(n.getAttribute(a));
        if (Number.isInteger(v) && v > 1 && v <= 20) out.setAttribute(a, String(v));
      }
    }
    copy(n, out, depth + 1);
    to.append(out);
  }
}

/** richHTML rebuilds answer HTML as an element, or returns null when there is nothing to show. */
export function richHTML(html) {
  if (typeof html !== 'string' || !html.trim() || html.length > MAX_HTML) return null;
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const box = el('div', { class: 'msg-body msg-rich' });
  copy(doc.body, box, 0);
  return box.textContent.trim() ? box : null;
}
