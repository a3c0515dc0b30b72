// Shared by the knowledge-base and bot pages: messages, REST calls with the
// session's CSRF token (from page-api.js), building elements from text
// only, showing API errors next to their field, and turning answer HTML
// (sanitised by the server) or a Markdown draft into elements through an
// allow-list.
import { richFragment } from '/widget/static/rich.js';
import { call } from './page-api.js';

export { call };

const messages = JSON.parse(document.getElementById('sb-messages')?.textContent || '{}');

/** t looks a message up and fills its {name} placeholders. */
export function t(key, args) {
  let s = messages[key] || key;
  if (args) for (const [k, v] of Object.entries(args)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** errorText is an API error as a reader should see it. */
export function errorText(err) {
  if (!err) return '';
  const msg = err.message || '';
  // A message the server's catalogue lacks comes back as its key.
  if (/^err\.[a-z_]+$/.test(msg)) {
    const own = messages['adminkb.' + msg];
    if (own) return own;
  }
  return msg || t('err.internal');
}

/** el builds an element: attributes (on* never), then children as text or nodes. */
export function el(tag, attrs, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false || k.startsWith('on')) continue;
    if (k === 'class') n.className = v;
    else if (k === 'text') n.textContent = v;
    else if (k === 'dataset') Object.assign(n.dataset, v);
    else n.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    n.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return n;
}

/** showError writes err in the form's .form-error box and marks its field. */
export function showError(form, err, fieldName) {
  form.querySelectorAll('[aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
  const box = form.querySelector('.form-error');
  if (box) box.textContent = err ? errorText(err) : '';
  if (!err || !err.field) return;
  const name = (fieldName || ((f) => f))(err.field.replace(/\[\d+\].*$/, ''));
  const field = form.querySelector(`[name="${CSS.escape(name)}"]`);
  if (field) {
    field.setAttribute('aria-invalid', 'true');
    field.focus();
  }
}

/** flash shows a short status text in box for a few seconds. */
export function flash(box, text) {
  box.textContent = text;
  clearTimeout(box._timer);
  box._timer = setTimeout(() => { box.textContent = ''; }, 4000);
}

let mePromise;
/** me is the signed-in user (role, permissions) from /api/v1/me. */
export function me() {
  mePromise ||= call('GET', '/api/v1/me').then((r) => (r.ok ? r.data : {}));
  return mePromise;
}

/** reviewer: supervisors, administrators and users granted kb_review. */
export function isReviewer(m) {
  const u = (m && m.user) || {};
  return u.role === 'admin' || u.role === 'supervisor' || (u.permissions || []).includes('kb_review');
}

// ------------------------------------------------------------ answer HTML

/** safeHTML turns answer HTML into a fragment of allowed elements only (the widget's rich.js). */
export function safeHTML(html) {
  return richFragment(html, { images: true }) || document.createDocumentFragment();
}

const SAFE_URL = /^(https?:|mailto:|tel:)/i;

// A small Markdown reader for the live preview of a draft: paragraphs,
// headings, lists, quotes, code, emphasis and links, built as elements.
function inline(text, to) {
  const re = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*)|(~~[^~]+~~)|(\[[^\]]+\]\([^)\s]+\))/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) to.append(text.slice(last, m.index));
    const s = m[0];
    if (m[1]) to.append(el('code', {}, s.slice(1, -1)));
    else if (m[2]) to.append(inline(s.slice(2, -2), el('strong')));
    else if (m[3]) to.append(inline(s.slice(1, -1), el('em')));
    else if (m[4]) to.append(inline(s.slice(2, -2), el('del')));
    else {
      const [, label, href] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(s);
      to.append(SAFE_URL.test(href) ? el('a', { href, target: '_blank', rel: 'nofollow noopener noreferrer' }, label) : label);
    }
    last = m.index + s.length;
  }
  if (last < text.length) to.append(text.slice(last));
  return to;
}

/** markdown renders a Markdown draft as elements (text only, no raw HTML). */
export function markdown(src) {
  const frag = document.createDocumentFragment();
  const lines = String(src || '').replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) { i++; continue; }
    if (line.startsWith('```')) {
      const code = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) code.push(lines[i]);
      i++;
      frag.append(el('pre', {}, el('code', {}, code.join('\n'))));
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      frag.append(inline(h[2], el('h' + h[1].length)));
      i++;
      continue;
    }
    const listRE = /^\s*([-*+]|\d+[.)])\s+(.*)$/;
    if (listRE.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const list = el(ordered ? 'ol' : 'ul');
      for (; i < lines.length && listRE.test(lines[i]); i++) list.append(inline(listRE.exec(lines[i])[2], el('li')));
      frag.append(list);
      continue;
    }
    if (line.startsWith('>')) {
      const q = el('blockquote');
      const parts = [];
      for (; i < lines.length && lines[i].startsWith('>'); i++) parts.push(lines[i].replace(/^>\s?/, ''));
      q.append(inline(parts.join(' '), el('p')));
      frag.append(q);
      continue;
    }
    const p = el('p');
    for (let first = true; i < lines.length && lines[i].trim() && !listRE.test(lines[i]) && !/^(#{1,6}\s|```|>)/.test(lines[i]); i++, first = false) {
      if (!first) p.append(el('br'));
      inline(lines[i], p);
    }
    frag.append(p);
  }
  return frag;
}

/** when formats a time in the page's language. */
export function when(iso) {
  if (!iso || iso.startsWith('0001-')) return '';
  const d = new Date(iso);
  return isNaN(d) ? '' : d.toLocaleString(document.documentElement.lang || undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
