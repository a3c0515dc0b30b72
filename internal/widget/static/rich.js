// Knowledge-base answer HTML, shown safely. The server renders answers from
// Markdown and sanitises them; still, no page puts that HTML in as markup:
// it is parsed into an inert document (nothing in it runs or loads) and
// rebuilt element by element from an allow-list of tags and attributes,
// with text as text and links to http(s) and mailto only. Shared by the
// chat widget, the agent console and the knowledge-base editor.

const MAX_HTML = 20000; // characters rebuilt; a longer answer shows as plain text
const MAX_DEPTH = 20;
const ALLOWED = new Set(['p', 'br', 'strong', 'em', 'b', 'i', 'del', 's', 'ul', 'ol', 'li', 'a', 'code', 'pre',
  'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'hr', 'span']);
// Elements dropped with everything in them.
const DROPPED = new Set(['script', 'style', 'template', 'iframe', 'object', 'embed', 'noscript', 'svg', 'math',
  'head', 'title', 'textarea', 'select', 'button', 'form', 'input', 'img', 'video', 'audio', 'link', 'meta']);

/** safeHref returns an http(s) or mailto address, or '' for anything else. */
export function safeHref(u) {
  try {
    const x = new URL(String(u), location.href);
    return ['http:', 'https:', 'mailto:'].includes(x.protocol) ? x.href : '';
  } catch (e) {
    return '';
  }
}

function copy(from, to, depth, o) {
  for (const n of from.childNodes) {
    if (n.nodeType === Node.TEXT_NODE) {
      to.append(n.data);
      continue;
    }
    if (n.nodeType !== Node.ELEMENT_NODE) continue;
    const tag = n.localName;
    if (depth > MAX_DEPTH) continue;
    if (tag === 'img' && o.images) {
      const src = safeHref(n.getAttribute('src') || '');
      if (src && !src.startsWith('mailto:')) {
        const img = document.createElement('img');
        img.src = src;
        img.alt = n.getAttribute('alt') || '';
        to.append(img);
      }
      continue;
    }
    if (DROPPED.has(tag)) continue;
    if (!ALLOWED.has(tag)) {
      copy(n, to, depth + 1, o); // unknown wrapper: keep its text
      continue;
    }
    const out = document.createElement(tag);
    if (tag === 'a') {
      const href = safeHref(n.getAttribute('href') || '');
      if (href) {
        out.href = href;
        if (!href.startsWith('mailto:')) {
          out.target = '_blank';
          out.rel = 'noopener noreferrer nofollow';
        }
      }
      if (o.linkClass) out.className = o.linkClass;
    }
    if (tag === 'td' || tag === 'th') {
      for (const a of ['colspan', 'rowspan']) {
        const v = Number(n.getAttribute(a));
        if (Number.isInteger(v) && v > 1 && v <= 20) out.setAttribute(a, String(v));
      }
    }
    copy(n, out, depth + 1, o);
    to.append(out);
  }
}

/**
 * richFragment rebuilds answer HTML from the allow-list as a fragment, or
 * returns null when there is nothing to show (or too much to rebuild).
 * Options: linkClass (a class for links), images (keep http(s) images).
 */
export function richFragment(html, o = {}) {
  if (typeof html !== 'string' || !html.trim() || html.length > MAX_HTML) return null;
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const frag = document.createDocumentFragment();
  copy(doc.body, frag, 0, o);
  return frag.textContent.trim() || frag.querySelector('img') ? frag : null;
}
