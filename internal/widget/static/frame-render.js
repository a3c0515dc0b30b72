// Messages on screen: a message record becomes (or updates) its element —
// text with links, images and files, upload progress, failures with retry,
// time and delivery ticks — placed by seq in the current conversation, with
// unacknowledged ones after. Text is only ever put in with textContent; a
// bot answer's formatting is rebuilt from an allow-list (frame-bot.js).
import { cfg, t, el, E } from './frame-state.js';
import { IMAGE_TYPES } from './frame-uploads.js';
import { retryRec, removeRec } from './frame-outbox.js';
import { metaOf, richFragment, drawBotUI, uiKey, botAvatar } from './frame-bot.js';

const locale = cfg.lang === 'zh' ? 'zh-CN' : 'en-GB';
const timeFmt = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
const dateFmt = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const fullFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' });

function when(iso) {
  const d = iso ? new Date(iso) : new Date();
  if (Number.isNaN(d.getTime())) return ['', ''];
  const today = new Date().toDateString() === d.toDateString();
  return [(today ? timeFmt : dateFmt).format(d), fullFmt.format(d)];
}

function fileSize(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}

const URL_RE = /\bhttps?:\/\/[^\s<>"'\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+/gi;

/** fillText puts text into a node, turning web addresses into links; textContent only. */
export function fillText(node, text) {
  let at = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = m[0].replace(/[.,;:!?)\]}'"]+$/, '');
    if (m.index > at) node.append(text.slice(at, m.index));
    const a = el('a', 'sb-link', url);
    a.href = url;
    a.target = '_blank';
    a.rel = 'noopener noreferrer nofollow';
    node.append(a);
    at = m.index + url.length;
  }
  if (at < text.length) node.append(text.slice(at));
}

export function nearBottom() {
  return E.scroll.scrollHeight - E.scroll.scrollTop - E.scroll.clientHeight < 96;
}

export function scrollToEnd(force) {
  if (force || nearBottom()) {
    requestAnimationFrame(() => { E.scroll.scrollTop = E.scroll.scrollHeight; });
  }
}

/** currentSection is the element of the current conversation's messages. */
export function currentSection() {
  let sec = E.history.lastElementChild;
  while (sec && !sec.classList.contains('sb-conv')) sec = sec.previousElementSibling;
  if (!sec) {
    sec = el('div', 'sb-conv');
    E.history.append(sec);
  }
  return sec;
}

function senderLabel(rec) {
  if (rec.sender_type === 'contact') return t('you');
  if (rec.sender_type === 'bot') return t('bot');
  return rec.sender_name || t('agent');
}

function contentKey(rec) {
  const m = metaOf(rec);
  return JSON.stringify([rec.body, rec.sender_name, (rec.attachments || []).map((a) => a.id), rec.preview || '', rec.fileName || '',
    m ? m.html || '' : '']);
}

function drawAttachment(box, a, preview) {
  const isImage = a.kind === 'image' || IMAGE_TYPES.includes(a.content_type);
  if (isImage) {
    const link = el('a', 'sb-image');
    if (a.url) {
      link.href = a.url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
    }
    const img = el('img');
    img.alt = a.name || t('image');
    img.decoding = 'async';
    img.src = preview || a.url;
    img.addEventListener('load', () => scrollToEnd(false), { once: true });
    link.append(img);
    box.append(link);
    return;
  }
  const link = el('a', 'sb-file');
  link.setAttribute('data-testid', 'sb-file-link');
  if (a.url) {
    link.href = a.url;
    link.download = a.name || '';
    link.rel = 'noopener noreferrer';
    link.title = `${t('download')} ${a.name || ''}`;
  }
  const ext = String(a.name || '').split('.').pop();
  const badge = el('span', 'sb-file-icon', (ext && ext !== a.name ? ext : 'file').slice(0, 4).toUpperCase());
  const info = el('span', 'sb-file-info');
  info.append(el('span', 'sb-file-name', a.name || ''), el('span', 'sb-file-size', a.size ? fileSize(a.size) : ''));
  link.append(badge, info);
  box.append(link);
}

/** draw builds or updates the element of a message record. */
export function draw(rec) {
  let node = rec.el;
  if (!node) {
    node = rec.el = el('div');
    node.setAttribute('data-testid', 'sb-message');
    node.append(el('div', 'sb-name'), el('div', 'sb-content'), el('div', 'sb-bot-ui'), el('div', 'sb-extra'), el('div', 'sb-meta'));
  }
  const own = rec.sender_type === 'contact';
  const bot = rec.sender_type === 'bot';
  const m = metaOf(rec);
  node.className = `sb-msg ${own ? 'sb-contact' : 'sb-agent'}${bot ? ' sb-bot' : ''}`;
  if (m && m.decision_id) node.dataset.decisionId = String(m.decision_id); else delete node.dataset.decisionId;
  if (m && m.kind) node.dataset.kind = String(m.kind); else delete node.dataset.kind;
  if (rec.seq) node.dataset.seq = String(rec.seq); else delete node.dataset.seq;
  if (rec.client_id) node.dataset.clientId = rec.client_id; else delete node.dataset.clientId;
  node.dataset.sender = rec.sender_type;
  node.dataset.state = rec.state;
  const [nameEl, content, botUI, extra, meta] = node.children;
  if (nameEl.textContent !== (own ? '' : senderLabel(rec))) {
    nameEl.replaceChildren();
    if (bot) nameEl.append(botAvatar());
    if (!own) nameEl.append(senderLabel(rec));
  }

  const key = contentKey(rec);
  if (rec.drawn !== key) {
    rec.drawn = key;
    content.replaceChildren();
    if (rec.body) {
      const bubble = el('div', 'sb-bubble');
      const rich = m ? richFragment(m.html) : null;
      if (rich) {
        bubble.classList.add('sb-rich');
        bubble.append(rich);
      } else {
        fillText(bubble, rec.body);
      }
      content.append(bubble);
    }
    const atts = rec.attachments && rec.attachments.length ? rec.attachments : [];
    if (atts.length || rec.preview || rec.fileName) {
      const box = el('div', 'sb-atts');
      if (atts.length) atts.forEach((a) => drawAttachment(box, a, rec.preview));
      else drawAttachment(box, { name: rec.fileName, size: rec.fileSize, kind: rec.preview ? 'image' : 'file' }, rec.preview);
      content.append(box);
    }
  }

  const ui = uiKey(rec);
  if (rec.uiDrawn !== ui) {
    rec.uiDrawn = ui;
    drawBotUI(botUI, rec);
  }

  extra.replaceChildren();
  if (rec.state === 'uploading') {
    const bar = el('div', 'sb-progress');
    const fill = el('i');
    fill.style.width = `${Math.round((rec.progress || 0) * 100)}%`;
    bar.append(fill);
    extra.append(bar, el('span', 'sb-note', t('uploading', { percent: Math.round((rec.progress || 0) * 100) })));
  } else if (rec.state === 'failed') {
    const fail = el('div', 'sb-fail');
    fail.setAttribute('role', 'alert');
    fail.append(el('span', '', `${t('failed')} · ${rec.error || t('err_internal')}`));
    const retry = el('button', 'sb-link-btn', t('retry'));
    retry.type = 'button';
    retry.addEventListener('click', () => retryRec(rec));
    const remove = el('button', 'sb-link-btn', t('remove'));
    remove.type = 'button';
    remove.addEventListener('click', () => removeRec(rec));
    fail.append(retry, remove);
    extra.append(fail);
  } else if (rec.note) {
    extra.append(el('span', 'sb-note', rec.note));
  }

  meta.replaceChildren();
  const [short, full] = when(rec.created_at);
  const time = el('time', '', short);
  if (rec.created_at) time.dateTime = rec.created_at;
  time.title = full;
  meta.append(time);
  if (own) {
    const status = el('span', 'sb-status');
    const labels = { pending: t('sending'), uploading: t('sending'), sent: t('sent'), read: t('read'), failed: t('failed') };
    status.setAttribute('data-testid', 'sb-status');
    status.title = labels[rec.state] || '';
    if (rec.state === 'sent' || rec.state === 'read') {
      status.append(el('span', 'sb-ticks', rec.state === 'read' ? '✓✓' : '✓'), el('span', 'sb-status-text', labels[rec.state]));
    } else if (rec.state === 'pending') {
      status.append(el('span', 'sb-clock'), el('span', 'sb-status-text sb-always', labels.pending));
    }
    meta.append(status);
  }
}

// place puts a record where it belongs: stored messages by seq in the
// current conversation, unacknowledged ones after them in sending order.
export function place(rec) {
  const node = rec.el;
  if (!rec.seq) {
    if (node.parentNode !== E.outbox) E.outbox.append(node);
    return;
  }
  const sec = currentSection();
  let after = sec.lastElementChild;
  while (after && Number(after.dataset.seq || 0) > rec.seq) after = after.previousElementSibling;
  if (after === node) return;
  if (after) after.after(node); else sec.prepend(node);
}

let layoutQueued = false;
/** relayout marks runs of one sender and the visitor's last stored message, once per frame. */
export function relayout() {
  if (layoutQueued) return;
  layoutQueued = true;
  requestAnimationFrame(() => {
    layoutQueued = false;
    const all = E.thread.querySelectorAll('.sb-msg:not(.sb-greeting)');
    let prev = null;
    let lastOwn = null;
    const who = (n) => `${n.dataset.sender}|${n.querySelector('.sb-name').textContent}`;
    all.forEach((n) => {
      const first = !prev || prev.parentNode !== n.parentNode || who(prev) !== who(n);
      n.toggleAttribute('data-first', first);
      if (prev) prev.toggleAttribute('data-last', first);
      if (n.dataset.sender === 'contact' && n.dataset.seq && n.parentNode !== E.outbox) lastOwn = n;
      n.removeAttribute('data-last-own');
      prev = n;
    });
    if (prev) prev.setAttribute('data-last', '');
    if (lastOwn) lastOwn.setAttribute('data-last-own', '');
  });
}
