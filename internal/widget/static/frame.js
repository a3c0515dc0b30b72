// The chat inside the widget's iframe: speaks the visitor side of the live
// protocol (docs/protocol.md) over /ws/visitor, keeps the visitor token and
// the conversation in localStorage, and tells the loader on the host page
// (widget.js) about unread messages. Text from the network is only ever put
// into the page with textContent.
import { chime, unlockSound } from './sound.js';

const cfg = JSON.parse(document.getElementById('sb-config').textContent);
const M = cfg.messages || {};
const t = (k, args) => (M[k] || k).replace(/\{(\w+)\}/g, (m, n) => (args && n in args ? String(args[n]) : m));
const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

const PING_EVERY = 20000;
const SILENCE_LIMIT = 45000;
const KEEP_MESSAGES = 300;
const MAX_CACHE = 200 * 1024; // characters of cached conversation
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
// Mirrors internal/attachment: the types accepted, and the type a file
// without one is given from its extension.
const OFFICE = 'application/vnd.openxmlformats-officedocument.';
const DOCX = `${OFFICE}wordprocessingml.document`;
const XLSX = `${OFFICE}spreadsheetml.sheet`;
const PPTX = `${OFFICE}presentationml.presentation`;
const FILE_TYPES = IMAGE_TYPES.concat(['application/pdf', 'text/plain', 'text/csv', 'application/zip', DOCX, XLSX, PPTX]);
const BY_EXTENSION = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', pdf: 'application/pdf',
  txt: 'text/plain', log: 'text/plain', csv: 'text/csv', zip: 'application/zip', docx: DOCX, xlsx: XLSX, pptx: PPTX,
};
const EMOJI = ['😀', '😂', '😊', '😍', '🥰', '😉', '😎', '🤔', '😅', '😮', '😢', '😭', '😡', '😴', '🙄', '🤗',
  '👍', '👎', '👌', '👏', '🙏', '🙌', '💪', '👋', '🤝', '✌️', '❤️', '💔', '🔥', '✨', '🎉', '⭐',
  '✅', '❌', '❓', '❗', '💯', '💡', '📦', '🚚', '💰', '🛒', '🎁', '📷', '📎', '⏰', '☕', '🍵'];

// ---------------------------------------------------------------- storage

// The frame keeps its data in its own localStorage. Where the browser
// refuses storage to a frame of another site (third-party storage
// blocked), the loader keeps it in the host page's localStorage instead:
// it hands it over with init and stores what the frame sends back.
const FIELDS = ['token', 'session', 'outbox', 'profile'];
const storage = (() => {
  let ls = null;
  try {
    ls = window.localStorage;
    ls.setItem('sb:probe', '1');
    ls.removeItem('sb:probe');
  } catch (e) {
    ls = null;
  }
  const mem = new Map();
  let host = false;
  const K = (f) => `sb:${cfg.key}:${f}`;
  return {
    mode: () => (ls ? 'frame' : host ? 'host' : 'memory'),
    useHost(snapshot) {
      if (ls || !snapshot || typeof snapshot !== 'object') return;
      host = true;
      for (const f of FIELDS) if (typeof snapshot[f] === 'string') mem.set(f, snapshot[f]);
    },
    get(f) {
      try {
        const v = ls ? ls.getItem(K(f)) : mem.get(f);
        return v == null ? null : JSON.parse(v);
      } catch (e) {
        return null;
      }
    },
    set(f, v) {
      const s = JSON.stringify(v);
      if (ls) {
        try {
          ls.setItem(K(f), s);
          return;
        } catch (e) { /* over quota: keep it for this page */ }
      }
      mem.set(f, s);
      if (host) postParent({ type: 'store', field: f, value: s });
    },
    del(f) {
      if (ls) {
        try { ls.removeItem(K(f)); } catch (e) { /* ignore */ }
      }
      mem.delete(f);
      if (host) postParent({ type: 'store', field: f, value: null });
    },
  };
})();

// ---------------------------------------------------------------- state

const embedded = window.parent !== window;
const S = {
  host: null, // page, origin and identity, from the loader
  parentOrigin: null,
  open: !embedded,
  token: null,
  contact: null,
  user: '',
  conv: null,
  status: null,
  assignee: '',
  maxSeq: 0,
  syncAfter: -1, // a sync is under way from this seq
  syncUntil: 0,
  agentRead: 0,
  seen: 0,
  readSent: 0,
  msgs: new Map(), // seq → record, of the current conversation
  byClient: new Map(), // client_id → record
  outbox: [], // records not acknowledged yet, in order
  profile: {},
  ws: null,
  welcomed: false,
  want: false, // the widget means to be connected
  fatal: null,
  attempt: 0,
  reconnectTimer: 0,
  heartbeat: 0,
  lastFrameAt: 0,
  lastPingAt: 0,
  byeNow: false,
  parked: false,
  waiters: [],
  typingSentAt: 0,
  typingTimer: 0,
  agentTypingTimer: 0,
  started: false,
};

// ---------------------------------------------------------------- elements

const E = {
  app: $('sb-app'), title: $('sb-title'), avatar: $('sb-avatar'), subtitle: $('sb-subtitle-text'), close: $('sb-close'),
  banner: $('sb-banner'), bannerText: $('sb-banner-text'), bannerRetry: $('sb-banner-retry'),
  scroll: $('sb-scroll'), thread: $('sb-thread'), greeting: $('sb-greeting'), greetingText: $('sb-greeting-text'),
  earlier: $('sb-earlier'), history: $('sb-history'), outbox: $('sb-outbox'), closed: $('sb-closed'),
  typing: $('sb-typing'), typingText: $('sb-typing-text'), toast: $('sb-toast'),
  prechat: $('sb-prechat'), prechatName: $('sb-prechat-name'), prechatEmail: $('sb-prechat-email'),
  prechatError: $('sb-prechat-error'), emailOptional: $('sb-email-optional'),
  composer: $('sb-composer'), input: $('sb-input'), send: $('sb-send'), emoji: $('sb-emoji'),
  emojiPanel: $('sb-emoji-panel'), attach: $('sb-attach'), file: $('sb-file'), drop: $('sb-drop'),
};

// ---------------------------------------------------------------- helpers

function uuid() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function onColor(hex) {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || '');
  if (!m) return '#ffffff';
  const [r, g, b] = m.slice(1).map((x) => {
    const c = parseInt(x, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  // Whichever of white and near-black contrasts more with the colour.
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 ? '#111827' : '#ffffff';
}

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

function fileType(f) {
  let ct = String(f.type || '').toLowerCase().split(';')[0].trim();
  if (!ct || ct === 'application/octet-stream') {
    const ext = String(f.name || '').toLowerCase().split('.').pop();
    ct = BY_EXTENSION[ext] || ct;
  }
  return ct;
}

const URL_RE = /\bhttps?:\/\/[^\s<>"'\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+/gi;

// Puts text into a node, turning web addresses into links; textContent only.
function fillText(node, text) {
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

function nearBottom() {
  return E.scroll.scrollHeight - E.scroll.scrollTop - E.scroll.clientHeight < 96;
}

function scrollToEnd(force) {
  if (force || nearBottom()) {
    requestAnimationFrame(() => { E.scroll.scrollTop = E.scroll.scrollHeight; });
  }
}

function visibleNow() {
  return S.open && document.visibilityState === 'visible';
}

function postParent(msg) {
  if (!embedded || !S.parentOrigin) return;
  msg.sb = 1;
  window.parent.postMessage(msg, S.parentOrigin);
}

// ---------------------------------------------------------------- channel look

function applyChannel(ch) {
  if (!ch) return;
  if (ch.name) {
    cfg.name = ch.name;
    E.title.textContent = ch.name;
    document.title = ch.name;
  }
  if (typeof ch.greeting === 'string') cfg.greeting = ch.greeting;
  if (ch.color) cfg.color = ch.color;
  if (ch.prechat) cfg.prechat = ch.prechat;
  E.greetingText.textContent = '';
  fillText(E.greetingText, cfg.greeting || '');
  E.greeting.hidden = !cfg.greeting;
  const root = document.documentElement.style;
  root.setProperty('--sb-accent', cfg.color || '#1f6feb');
  root.setProperty('--sb-on-accent', onColor(cfg.color));
  E.avatar.textContent = Array.from((S.assignee || cfg.name || '?').trim())[0] || '?';
  E.emailOptional.hidden = !!(cfg.prechat && cfg.prechat.require_email);
}

function updateSubtitle() {
  E.subtitle.textContent = S.assignee ? t('subtitle_assigned', { name: S.assignee }) : t('subtitle');
  E.avatar.textContent = Array.from((S.assignee || cfg.name || '?').trim())[0] || '?';
  E.app.dataset.online = S.welcomed ? 'true' : 'false';
}

// ---------------------------------------------------------------- banner & toast

let bannerTimer = 0;
function updateBanner() {
  clearTimeout(bannerTimer);
  let text = '';
  let retry = false;
  if (S.fatal) {
    text = S.fatal;
  } else if (S.want && !S.welcomed && !S.parked) {
    if (!navigator.onLine) text = t('offline');
    else if (S.attempt > 0) { text = t('reconnecting'); retry = true; }
    else {
      bannerTimer = setTimeout(() => {
        if (S.want && !S.welcomed && !S.fatal) showBanner(t('connecting'), false);
      }, 1500);
    }
  }
  showBanner(text, retry);
}

function showBanner(text, retry) {
  E.bannerText.textContent = text;
  E.banner.hidden = !text;
  E.banner.dataset.kind = S.fatal ? 'error' : 'info';
  E.bannerRetry.hidden = !retry;
}

let toastTimer = 0;
function toast(text) {
  E.toast.textContent = text;
  E.toast.hidden = !text;
  clearTimeout(toastTimer);
  if (text) toastTimer = setTimeout(() => { E.toast.hidden = true; }, 7000);
}

// ---------------------------------------------------------------- messages on screen

function currentSection() {
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
  if (rec.sender_name) return rec.sender_name;
  return rec.sender_type === 'bot' ? t('bot') : t('agent');
}

function contentKey(rec) {
  return JSON.stringify([rec.body, rec.sender_name, (rec.attachments || []).map((a) => a.id), rec.preview || '', rec.fileName || '']);
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

function draw(rec) {
  let node = rec.el;
  if (!node) {
    node = rec.el = el('div');
    node.setAttribute('data-testid', 'sb-message');
    node.append(el('div', 'sb-name'), el('div', 'sb-content'), el('div', 'sb-extra'), el('div', 'sb-meta'));
  }
  const own = rec.sender_type === 'contact';
  node.className = `sb-msg ${own ? 'sb-contact' : 'sb-agent'}`;
  if (rec.seq) node.dataset.seq = String(rec.seq); else delete node.dataset.seq;
  if (rec.client_id) node.dataset.clientId = rec.client_id; else delete node.dataset.clientId;
  node.dataset.sender = rec.sender_type;
  node.dataset.state = rec.state;
  const [nameEl, content, extra, meta] = node.children;
  nameEl.textContent = own ? '' : senderLabel(rec);

  const key = contentKey(rec);
  if (rec.drawn !== key) {
    rec.drawn = key;
    content.replaceChildren();
    if (rec.body) {
      const bubble = el('div', 'sb-bubble');
      fillText(bubble, rec.body);
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
function place(rec) {
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
function relayout() {
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

function refreshStatuses() {
  for (const rec of S.msgs.values()) {
    if (rec.sender_type !== 'contact') continue;
    const st = rec.seq <= S.agentRead ? 'read' : 'sent';
    if (rec.state !== st) {
      rec.state = st;
      draw(rec);
    }
  }
  relayout();
}

function unreadCount() {
  let n = 0;
  for (const rec of S.msgs.values()) if (rec.sender_type !== 'contact' && rec.seq > S.seen) n++;
  return n;
}

let lastUnread = -1;
function postUnread() {
  const n = unreadCount();
  if (n === lastUnread) return;
  lastUnread = n;
  postParent({ type: 'unread', count: n });
}

function updateClosed() {
  E.closed.hidden = S.status !== 'closed' || S.outbox.length > 0;
}

// ---------------------------------------------------------------- conversation bookkeeping

function resetConversation() {
  E.history.replaceChildren();
  E.earlier.hidden = true;
  S.conv = null;
  S.status = null;
  S.assignee = '';
  S.msgs = new Map();
  S.maxSeq = 0;
  S.syncAfter = -1;
  S.agentRead = 0;
  S.readSent = 0;
  S.seen = 0;
  S.byClient = new Map(S.outbox.map((r) => [r.client_id, r]));
  lastUnread = -1;
  updateClosed();
  updateSubtitle();
  postUnread();
}

// A newer conversation began (the last one was closed and the visitor wrote
// again): the old one stays on screen above a divider.
function switchConversation(id) {
  const sec = currentSection();
  if (sec.childElementCount > 0) {
    const divider = el('div', 'sb-divider');
    divider.append(el('span', '', t('new_conversation')));
    E.history.append(divider, el('div', 'sb-conv'));
  }
  currentSection().dataset.conversation = id;
  E.earlier.hidden = true;
  S.conv = id;
  S.status = 'open';
  S.msgs = new Map();
  S.maxSeq = 0;
  S.syncAfter = -1;
  S.agentRead = 0;
  S.readSent = 0;
  S.seen = 0;
  S.byClient = new Map(S.outbox.map((r) => [r.client_id, r]));
  updateClosed();
}

function resumeSeq() {
  return S.syncAfter >= 0 ? S.syncAfter : S.maxSeq;
}

// noteSeq follows the highest seq; a gap asks the server for what is missing
// (once per gap: internal notes leave gaps the visitor never fills).
function noteSeq(seq) {
  if (S.syncAfter >= 0 && seq >= S.syncUntil) S.syncAfter = -1;
  if (seq > S.maxSeq + 1 && S.syncAfter < 0 && S.welcomed) {
    S.syncAfter = S.maxSeq;
    S.syncUntil = seq;
    send('sync', { after_seq: S.maxSeq });
  }
  if (seq > S.maxSeq) S.maxSeq = seq;
}

// ---------------------------------------------------------------- persistence

const fields = (r) => ({
  seq: r.seq || 0, id: r.id || '', client_id: r.client_id || '', sender_type: r.sender_type, sender_name: r.sender_name || '',
  body: r.body || '', attachments: r.attachments || [], created_at: r.created_at || '', state: r.state, error: r.error || '',
});

let saveTimer = 0;
function save() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveNow, 150);
}

function saveNow() {
  clearTimeout(saveTimer);
  // The newest messages only, within a size: the host page's storage may be
  // the one holding them. Older ones come back with "Show earlier messages".
  let msgs = [...S.msgs.values()].sort((a, b) => a.seq - b.seq).slice(-KEEP_MESSAGES).map(fields);
  while (msgs.length > 10 && JSON.stringify(msgs).length > MAX_CACHE) msgs = msgs.slice(Math.ceil(msgs.length / 4));
  storage.set('session', {
    v: 1, user: S.user, contact: S.contact, conv: S.conv, status: S.status, assignee: S.assignee, agent_read: S.agentRead,
    seen: S.seen, max_seq: S.maxSeq, sync_after: S.syncAfter, msgs,
  });
  storage.set('outbox', S.outbox.filter((r) => r.state !== 'uploading').map(fields));
}

function wipe() {
  storage.del('token');
  storage.del('session');
  storage.del('outbox');
  storage.del('profile');
  S.token = null;
  S.profile = {};
}

function restore() {
  const user = (S.host && S.host.user_id) || '';
  const saved = storage.get('session');
  // Another signed-in user of the site, or none after one: nothing of the
  // previous person's chat may show.
  if (saved && (saved.user || '') !== user) {
    wipe();
  } else if (saved && saved.v === 1) {
    S.contact = saved.contact || null;
    if (saved.conv) {
      currentSection().dataset.conversation = saved.conv;
      S.conv = saved.conv;
      S.status = saved.status || 'open';
      S.assignee = saved.assignee || '';
      S.agentRead = saved.agent_read || 0;
      S.seen = saved.seen || 0;
      for (const m of saved.msgs || []) {
        if (!m.seq || S.msgs.has(m.seq)) continue;
        const rec = { ...m, state: m.sender_type === 'contact' ? 'sent' : 'received' };
        S.msgs.set(rec.seq, rec);
        if (rec.client_id) S.byClient.set(rec.client_id, rec);
        draw(rec);
        place(rec);
      }
      S.maxSeq = Math.max(saved.max_seq || 0, ...[...S.msgs.keys()], 0);
      E.earlier.hidden = !S.msgs.size || Math.min(...S.msgs.keys()) <= 1;
      if (saved.sync_after >= 0 && saved.sync_after < S.maxSeq) {
        S.syncAfter = saved.sync_after;
        S.syncUntil = S.maxSeq;
      }
    }
  }
  S.user = user;
  for (const m of storage.get('outbox') || []) {
    if (!m.client_id || S.byClient.has(m.client_id)) continue;
    const rec = { ...m, seq: 0, sender_type: 'contact', state: m.state === 'failed' ? 'failed' : 'pending' };
    S.outbox.push(rec);
    S.byClient.set(rec.client_id, rec);
    draw(rec);
    place(rec);
  }
  refreshStatuses();
  updateClosed();
  updateSubtitle();
}

// ---------------------------------------------------------------- connection

function wsURL() {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/visitor?channel=${encodeURIComponent(cfg.key)}`;
}

function send(type, data) {
  if (!S.ws || S.ws.readyState !== WebSocket.OPEN) return false;
  S.ws.send(JSON.stringify(data === undefined ? { type } : { type, data }));
  return true;
}

function helloData() {
  const h = S.host || {};
  const d = { lang: cfg.lang };
  if (S.token) d.token = S.token;
  if (S.conv) {
    d.conversation_id = S.conv;
    d.last_seq = resumeSeq();
  }
  const name = h.name || S.profile.name;
  const email = h.email || S.profile.email;
  if (name) d.name = name;
  if (email) d.email = email;
  if (h.user_id) {
    d.user_id = h.user_id;
    d.user_hash = h.user_hash || '';
  }
  if (h.page_url) d.page_url = h.page_url;
  if (h.page_title) d.page_title = h.page_title;
  if (h.referrer) d.referrer = h.referrer;
  if (h.origin && h.origin !== location.origin) d.origin = h.origin;
  return d;
}

function connect() {
  if (S.fatal || !S.started) return;
  S.want = true;
  S.parked = false;
  if (S.ws) return;
  clearTimeout(S.reconnectTimer);
  S.reconnectTimer = 0;
  let ws;
  try {
    ws = new WebSocket(wsURL());
  } catch (e) {
    scheduleReconnect();
    return;
  }
  S.ws = ws;
  S.welcomed = false;
  S.byeNow = false;
  updateBanner();
  ws.onopen = () => {
    if (S.ws !== ws) return;
    S.lastFrameAt = Date.now();
    S.lastPingAt = Date.now();
    send('hello', helloData());
    clearInterval(S.heartbeat);
    S.heartbeat = setInterval(beat, 5000);
  };
  ws.onmessage = (e) => {
    if (S.ws !== ws) return;
    S.lastFrameAt = Date.now();
    let f;
    try {
      f = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    if (f && typeof f.type === 'string') onFrame(f.type, f.data || {});
  };
  ws.onclose = () => {
    if (S.ws !== ws) return;
    dropped();
  };
}

// dropped forgets the connection and plans the next one.
function dropped() {
  const ws = S.ws;
  S.ws = null;
  S.welcomed = false;
  clearInterval(S.heartbeat);
  if (ws) {
    ws.onopen = ws.onmessage = ws.onclose = null;
    try { ws.close(); } catch (e) { /* already closed */ }
  }
  hideTyping();
  updateSubtitle();
  for (const rec of S.outbox) {
    if (rec.state === 'pending') rec.sentAt = 0;
  }
  if (S.fatal || S.parked) {
    updateBanner();
    return;
  }
  scheduleReconnect(S.byeNow ? 0 : undefined);
}

function scheduleReconnect(delay) {
  clearTimeout(S.reconnectTimer);
  if (delay === undefined) {
    const base = Math.min(30000, 1000 * 2 ** Math.min(S.attempt, 5));
    delay = base / 2 + Math.random() * base / 2;
  }
  S.attempt++;
  updateBanner();
  S.reconnectTimer = setTimeout(() => {
    S.reconnectTimer = 0;
    connect();
  }, delay);
}

function reconnectNow() {
  if (S.fatal) return;
  if (S.ws) {
    const ws = S.ws;
    S.ws = null;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try { ws.close(); } catch (e) { /* ignore */ }
    clearInterval(S.heartbeat);
    S.welcomed = false;
  }
  clearTimeout(S.reconnectTimer);
  S.reconnectTimer = 0;
  connect();
}

// beat pings every 20 s and gives up on a connection silent for 45 s.
function beat() {
  const now = Date.now();
  // Dead: silent for 45 s although asked. (A background tab runs timers
  // rarely; silence without an unanswered ping proves nothing.)
  if (now - S.lastFrameAt > SILENCE_LIMIT && S.lastPingAt > S.lastFrameAt && now - S.lastPingAt > 10000) {
    dropped();
    return;
  }
  if (now - S.lastPingAt >= PING_EVERY) {
    S.lastPingAt = now;
    send('ping');
  }
  // A message sent but not acknowledged for long: the connection is suspect.
  for (const rec of S.outbox) {
    if (rec.state === 'pending' && rec.sentAt && now - rec.sentAt > 15000) {
      rec.sentAt = 0;
      pump();
    }
  }
}

function whenWelcomed() {
  if (S.welcomed) return Promise.resolve();
  connect();
  return new Promise((resolve) => S.waiters.push(resolve));
}

// ---------------------------------------------------------------- frames

function onFrame(type, d) {
  switch (type) {
    case 'welcome': onWelcome(d); break;
    case 'message': onMessage(d); break;
    case 'ack': onAck(d); break;
    case 'typing': onTyping(d); break;
    case 'read':
      if (d.seq > S.agentRead) {
        S.agentRead = d.seq;
        refreshStatuses();
        save();
      }
      break;
    case 'conversation': onConversation(d); break;
    case 'error': onError(d); break;
    case 'bye':
      // Draining or too slow: come back at once. Replaced by another
      // connection: wait until the visitor is here again.
      S.byeNow = d.reason === 'shutdown' || d.reason === 'slow_consumer';
      S.parked = d.reason === 'replaced';
      break;
    default: break; // pong, and types of newer servers
  }
}

function onWelcome(d) {
  S.welcomed = true;
  S.attempt = 0;
  if (d.token) {
    S.token = d.token;
    storage.set('token', d.token);
  }
  applyChannel(d.channel);
  if (S.contact && d.contact_id && d.contact_id !== S.contact) resetConversation();
  S.contact = d.contact_id || S.contact;
  if (d.conversation_id) {
    if (S.conv !== d.conversation_id) {
      resetConversation();
      currentSection().dataset.conversation = d.conversation_id;
      S.conv = d.conversation_id;
    } else if ((d.last_seq || 0) < S.maxSeq) {
      // The server knows less than this browser (a restored backup): start over.
      resetConversation();
      currentSection().dataset.conversation = d.conversation_id;
      S.conv = d.conversation_id;
      send('sync', { after_seq: 0 });
    }
    S.status = d.status || 'open';
    if (d.agent_read_seq > S.agentRead) S.agentRead = d.agent_read_seq;
  } else if (S.conv) {
    resetConversation();
  }
  updateBanner();
  updateSubtitle();
  updateClosed();
  updatePrechat();
  refreshStatuses();
  for (const rec of S.outbox) rec.sentAt = 0;
  pump();
  markRead();
  postUnread();
  save();
  const waiters = S.waiters;
  S.waiters = [];
  waiters.forEach((w) => w());
}

function onMessage(m) {
  if (!m.conversation_id || !m.seq) return;
  if (m.conversation_id !== S.conv) {
    if (S.conv && m.conversation_id < S.conv) return; // an older conversation's (ids sort by time)
    switchConversation(m.conversation_id);
  }
  const had = S.msgs.get(m.seq);
  if (had) {
    noteSeq(m.seq);
    return;
  }
  const wasNear = nearBottom();
  let rec = m.client_id && m.sender_type === 'contact' ? S.byClient.get(m.client_id) : null;
  const mine = !!rec;
  if (rec) {
    unqueue(rec);
  } else {
    rec = {};
  }
  Object.assign(rec, {
    seq: m.seq, id: m.id, client_id: m.client_id || rec.client_id || '', sender_type: m.sender_type,
    sender_name: m.sender_name || '', body: m.body || '', attachments: m.attachments || [], created_at: m.created_at,
    state: m.sender_type === 'contact' ? (m.seq <= S.agentRead ? 'read' : 'sent') : 'received', error: '', note: '',
  });
  S.msgs.set(rec.seq, rec);
  if (rec.client_id) S.byClient.set(rec.client_id, rec);
  draw(rec);
  place(rec);
  noteSeq(m.seq);
  relayout();
  if (m.sender_type !== 'contact') {
    hideTyping();
    if (!visibleNow() && m.seq > S.seen) chime();
  }
  updateClosed();
  markRead();
  postUnread();
  scrollToEnd(mine || wasNear);
  save();
}

function onAck(a) {
  const rec = S.byClient.get(a.client_id);
  if (!rec || !a.seq) return;
  if (a.conversation_id !== S.conv && (!S.conv || a.conversation_id > S.conv)) switchConversation(a.conversation_id);
  unqueue(rec);
  rec.seq = a.seq;
  rec.id = a.id;
  rec.error = '';
  rec.note = '';
  if (a.conversation_id === S.conv) {
    const echo = S.msgs.get(a.seq);
    if (echo && echo !== rec) {
      // The message came back first: keep that one.
      rec.el.remove();
      S.byClient.set(rec.client_id, echo);
    } else {
      rec.state = a.seq <= S.agentRead ? 'read' : 'sent';
      S.msgs.set(a.seq, rec);
      draw(rec);
      place(rec);
    }
  } else {
    rec.state = 'sent';
    draw(rec);
  }
  updateClosed();
  relayout();
  save();
}

function onConversation(d) {
  if (!d.id) return;
  if (d.id !== S.conv) {
    if (S.conv && d.id < S.conv) return;
    switchConversation(d.id);
  }
  S.status = d.status || S.status;
  S.assignee = d.assignee_name || '';
  if (S.status === 'closed') hideTyping();
  updateSubtitle();
  updateClosed();
  scrollToEnd(false);
  save();
}

function errorText(e, rec) {
  const name = rec && rec.fileName ? rec.fileName : '';
  switch (e.code) {
    case 'rate_limited': return t('err_rate_limited');
    case 'too_long':
    case 'frame_too_large': return t('err_too_long', { max: cfg.max_body_len });
    case 'unknown_reference': return t('err_attachment');
    case 'file_too_large': return t('err_file_too_large', { name, max: Math.round(cfg.max_file_size / 1048576) });
    case 'file_type_not_allowed': return t('err_file_type', { name });
    case 'file_content_mismatch': return t('err_file_mismatch', { name });
    case 'empty_file': return t('err_file_empty', { name });
    case 'internal': return t('err_internal');
    case 'origin_not_allowed': return t('err_origin');
    case 'identity_invalid': return t('err_identity');
    case 'identity_required': return t('err_identity_required');
    default: return (e.message || t('err_internal')).replace('{field}', e.field || '');
  }
}

function onError(e) {
  switch (e.code) {
    case 'visitor_token_invalid':
      // The server goes on as a new visitor; what was shown belonged to the old one.
      S.token = null;
      storage.del('token');
      resetConversation();
      return;
    case 'origin_not_allowed':
    case 'identity_invalid':
    case 'identity_required':
      S.fatal = errorText(e);
      E.input.disabled = true;
      E.send.disabled = true;
      updateBanner();
      return;
    default:
      break;
  }
  const rec = e.client_id ? S.byClient.get(e.client_id) : null;
  if (rec && !rec.seq) {
    if (e.code === 'rate_limited' || e.code === 'shutting_down') {
      // Not stored: it goes again, in its turn, once the server lets it.
      rec.note = t('err_rate_limited');
      rec.sentAt = 0;
      draw(rec);
      bucket.tokens = 0;
      clearTimeout(pumpTimer);
      pumpTimer = setTimeout(pump, 1500);
      return;
    }
    rec.state = 'failed';
    rec.error = errorText(e, rec);
    draw(rec);
    save();
    return;
  }
  toast(errorText(e));
}

// ---------------------------------------------------------------- typing

function onTyping(d) {
  clearTimeout(S.agentTypingTimer);
  if (!d.on) {
    hideTyping();
    return;
  }
  E.typingText.textContent = d.name ? t('typing', { name: d.name }) : t('typing_someone');
  const wasNear = nearBottom();
  E.typing.hidden = false;
  scrollToEnd(wasNear);
  S.agentTypingTimer = setTimeout(hideTyping, 8000);
}

function hideTyping() {
  clearTimeout(S.agentTypingTimer);
  E.typing.hidden = true;
}

function typing(on) {
  clearTimeout(S.typingTimer);
  if (!S.welcomed || !S.conv) return;
  const now = Date.now();
  if (on) {
    if (now - S.typingSentAt > 3000) {
      S.typingSentAt = now;
      send('typing', { on: true });
    }
    S.typingTimer = setTimeout(() => typing(false), 4000);
  } else if (S.typingSentAt) {
    S.typingSentAt = 0;
    send('typing', { on: false });
  }
}

// ---------------------------------------------------------------- read state

function markRead() {
  if (!visibleNow()) return;
  if (S.seen < S.maxSeq) {
    S.seen = S.maxSeq;
    save();
  }
  postUnread();
  if (S.welcomed && S.conv && S.maxSeq > S.readSent) {
    S.readSent = S.maxSeq;
    send('read', { seq: S.maxSeq });
  }
}

// ---------------------------------------------------------------- sending

function newRec(extra) {
  return {
    client_id: uuid(), seq: 0, sender_type: 'contact', body: '', attachments: [], created_at: new Date().toISOString(),
    state: 'pending', ...extra,
  };
}

function queue(rec) {
  S.outbox.push(rec);
  S.byClient.set(rec.client_id, rec);
  draw(rec);
  place(rec);
  relayout();
  updateClosed();
  scrollToEnd(true);
  save();
  if (S.welcomed) pump(); else connect();
}

// The server takes 10 messages at once, then 2 a second (per connection).
// The widget keeps a little under that, so that a burst goes out in order
// instead of being refused in parts.
const bucket = { tokens: 8, last: Date.now(), capacity: 8, rate: 1.6 };
function take() {
  const now = Date.now();
  bucket.tokens = Math.min(bucket.capacity, bucket.tokens + ((now - bucket.last) / 1000) * bucket.rate);
  bucket.last = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

let pumpTimer = 0;
// pump sends the outbox's unsent messages, in order, as fast as allowed.
function pump() {
  clearTimeout(pumpTimer);
  pumpTimer = 0;
  if (!S.welcomed) return;
  for (const rec of S.outbox) {
    if (rec.state !== 'pending' || rec.sentAt) continue;
    if (!take()) {
      pumpTimer = setTimeout(pump, 700);
      return;
    }
    rec.sentAt = Date.now();
    const data = { client_id: rec.client_id, body: rec.body || '' };
    if (rec.attachments && rec.attachments.length) data.attachments = rec.attachments.map((a) => a.id);
    if (!send('message', data)) rec.sentAt = 0;
  }
}

function unqueue(rec) {
  const i = S.outbox.indexOf(rec);
  if (i >= 0) S.outbox.splice(i, 1);
}

function retryRec(rec) {
  rec.error = '';
  if (rec.file && !(rec.attachments && rec.attachments.length)) {
    upload(rec);
    return;
  }
  rec.state = 'pending';
  rec.sentAt = 0;
  draw(rec);
  if (!S.outbox.includes(rec)) S.outbox.push(rec);
  save();
  if (S.welcomed) pump(); else connect();
}

function removeRec(rec) {
  unqueue(rec);
  S.byClient.delete(rec.client_id);
  if (rec.preview) URL.revokeObjectURL(rec.preview);
  rec.el.remove();
  relayout();
  updateClosed();
  save();
}

// Control characters (but tab and new lines) are refused by the server.
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

function submitText() {
  const body = E.input.value.replace(CONTROL_RE, '').replace(/^\s*\n/, '').replace(/\s+$/, '');
  if (!body.trim()) return;
  if (Array.from(body).length > cfg.max_body_len) {
    toast(t('err_too_long', { max: cfg.max_body_len }));
    return;
  }
  E.input.value = '';
  autosize();
  typing(false);
  toast('');
  queue(newRec({ body }));
  E.input.focus();
}

function checkFile(f) {
  const name = f.name || 'file';
  if (!f.size) return t('err_file_empty', { name });
  if (f.size > cfg.max_file_size) return t('err_file_too_large', { name, max: Math.round(cfg.max_file_size / 1048576) });
  if (!FILE_TYPES.includes(fileType(f))) return t('err_file_type', { name });
  return '';
}

function sendFiles(files) {
  const errors = [];
  for (const f of files) {
    const problem = checkFile(f);
    if (problem) {
      errors.push(problem);
      continue;
    }
    const image = IMAGE_TYPES.includes(fileType(f));
    const rec = newRec({
      state: 'uploading', progress: 0, file: f, fileName: f.name || (image ? 'image.png' : 'file'), fileSize: f.size,
      preview: image ? URL.createObjectURL(f) : '',
    });
    S.byClient.set(rec.client_id, rec);
    draw(rec);
    place(rec);
    relayout();
    scrollToEnd(true);
    upload(rec);
  }
  toast(errors.join(' '));
}

async function upload(rec, again) {
  rec.state = 'uploading';
  rec.progress = 0;
  draw(rec);
  await whenWelcomed();
  const form = new FormData();
  form.append('file', rec.file, rec.fileName);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', `/widget/uploads?channel=${encodeURIComponent(cfg.key)}`);
  xhr.setRequestHeader('Authorization', `Visitor ${S.token}`);
  xhr.setRequestHeader('Accept', 'application/json');
  xhr.setRequestHeader('Accept-Language', cfg.lang);
  let drawn = 0;
  xhr.upload.onprogress = (e) => {
    if (!e.lengthComputable) return;
    rec.progress = e.loaded / e.total;
    if (Date.now() - drawn > 100) {
      drawn = Date.now();
      draw(rec);
    }
  };
  xhr.onload = () => {
    let body = null;
    try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
    if (xhr.status === 201 && body && body.id) {
      rec.attachments = [body];
      rec.file = null;
      rec.state = 'pending';
      rec.sentAt = 0;
      S.outbox.push(rec);
      draw(rec);
      save();
      pump();
      return;
    }
    if (xhr.status === 401 && !again) {
      // The token went stale: a new session, then once more.
      S.token = null;
      storage.del('token');
      reconnectNow();
      upload(rec, true);
      return;
    }
    const err = body && body.error ? body.error : { code: 'internal' };
    rec.state = 'failed';
    rec.error = err.code === 'rate_limited' || err.code === 'internal' ? errorText(err, rec) : (err.message || errorText(err, rec));
    if (['file_too_large', 'file_type_not_allowed', 'file_content_mismatch', 'empty_file'].includes(err.code)) {
      rec.error = errorText(err, rec);
    }
    draw(rec);
  };
  xhr.onerror = () => {
    rec.state = 'failed';
    rec.error = t('err_upload');
    draw(rec);
  };
  xhr.send(form);
}

// ---------------------------------------------------------------- pre-chat form

function needPrechat() {
  const pc = cfg.prechat || {};
  if (!pc.enabled || S.profile.done) return false;
  const h = S.host || {};
  if (h.name && (h.email || !pc.require_email)) return false;
  return !S.conv && S.msgs.size === 0 && S.outbox.length === 0;
}

function updatePrechat() {
  const need = needPrechat();
  E.prechat.hidden = !need;
  E.composer.hidden = need;
}

const EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

E.prechat.addEventListener('submit', (e) => {
  e.preventDefault();
  const name = E.prechatName.value.trim();
  const email = E.prechatEmail.value.trim();
  E.prechatEmail.removeAttribute('aria-invalid');
  let problem = '';
  if (!email && cfg.prechat && cfg.prechat.require_email) problem = t('prechat_email_required');
  else if (email && !EMAIL_RE.test(email)) problem = t('prechat_email_invalid');
  E.prechatError.textContent = problem;
  if (problem) {
    E.prechatEmail.setAttribute('aria-invalid', 'true');
    E.prechatEmail.focus();
    return;
  }
  S.profile = { name, email, done: true };
  storage.set('profile', S.profile);
  updatePrechat();
  // The name and e-mail travel in hello: a session already open starts again.
  if (S.ws) reconnectNow(); else connect();
  E.input.focus();
});

// ---------------------------------------------------------------- composer

function autosize() {
  // Measured only while shown: a hidden frame may have no width at all.
  E.input.style.height = '';
  if (E.input.value && E.input.clientWidth > 0) {
    E.input.style.height = 'auto';
    E.input.style.height = `${Math.min(E.input.scrollHeight, 132)}px`;
  }
  E.send.disabled = !E.input.value.trim() || !!S.fatal;
}

E.input.maxLength = cfg.max_body_len;
E.input.addEventListener('input', () => {
  autosize();
  typing(!!E.input.value.trim());
});
E.input.addEventListener('keydown', (e) => {
  // Enter sends; Shift+Enter is a new line; Enter that ends an IME
  // composition (Chinese input) only picks the characters.
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
    e.preventDefault();
    submitText();
  }
});
E.input.addEventListener('blur', () => typing(false));
E.input.addEventListener('paste', (e) => {
  const dt = e.clipboardData;
  if (!dt) return;
  const files = [...(dt.files || [])];
  if (files.length && !dt.getData('text/plain')) {
    e.preventDefault();
    sendFiles(files);
  }
});
E.composer.addEventListener('submit', (e) => {
  e.preventDefault();
  submitText();
});
E.attach.addEventListener('click', () => E.file.click());
E.file.accept = FILE_TYPES.join(',') + ',.png,.jpg,.jpeg,.gif,.webp,.pdf,.txt,.log,.csv,.zip,.docx,.xlsx,.pptx';
E.file.addEventListener('change', () => {
  const files = [...E.file.files];
  E.file.value = '';
  if (files.length) sendFiles(files);
});

// Emoji: a small panel of common ones, put in at the caret.
EMOJI.forEach((ch) => {
  const b = el('button', 'sb-emoji-btn', ch);
  b.type = 'button';
  b.setAttribute('data-testid', 'sb-emoji-option');
  b.addEventListener('click', () => {
    const i = E.input;
    const start = i.selectionStart ?? i.value.length;
    const end = i.selectionEnd ?? i.value.length;
    i.value = i.value.slice(0, start) + ch + i.value.slice(end);
    i.selectionStart = i.selectionEnd = start + ch.length;
    toggleEmoji(false);
    i.focus();
    autosize();
  });
  E.emojiPanel.append(b);
});

function toggleEmoji(show) {
  E.emojiPanel.hidden = !show;
  E.emoji.setAttribute('aria-expanded', show ? 'true' : 'false');
}
E.emoji.addEventListener('click', () => toggleEmoji(E.emojiPanel.hidden));
document.addEventListener('click', (e) => {
  if (!E.emojiPanel.hidden && !E.emojiPanel.contains(e.target) && !E.emoji.contains(e.target)) toggleEmoji(false);
});

// Drag and drop files onto the chat.
let dragDepth = 0;
const hasFiles = (e) => e.dataTransfer && [...(e.dataTransfer.types || [])].includes('Files');
E.app.addEventListener('dragenter', (e) => {
  if (!hasFiles(e) || S.fatal || E.composer.hidden) return;
  dragDepth++;
  E.drop.hidden = false;
});
E.app.addEventListener('dragover', (e) => {
  if (hasFiles(e)) e.preventDefault();
});
E.app.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (!dragDepth) E.drop.hidden = true;
});
E.app.addEventListener('drop', (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  dragDepth = 0;
  E.drop.hidden = true;
  if (!E.composer.hidden) sendFiles([...e.dataTransfer.files]);
});

// ---------------------------------------------------------------- open / close

function setOpen(open) {
  S.open = open;
  E.app.dataset.open = open ? 'true' : 'false';
  if (open) {
    updatePrechat();
    autosize();
    if (!needPrechat()) connect();
    markRead();
    scrollToEnd(true);
    if (!window.matchMedia('(pointer: coarse)').matches) {
      setTimeout(() => (E.prechat.hidden ? E.input : E.prechatName).focus({ preventScroll: true }), 60);
    }
  } else {
    toggleEmoji(false);
    typing(false);
  }
}

function requestClose() {
  setOpen(false);
  postParent({ type: 'close' });
}

E.close.addEventListener('click', requestClose);
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape') return;
  if (!E.emojiPanel.hidden) toggleEmoji(false);
  else if (embedded) requestClose();
});
E.earlier.addEventListener('click', () => {
  E.earlier.hidden = true;
  const conv = S.conv;
  whenWelcomed().then(() => {
    if (S.conv === conv) send('sync', { after_seq: 0 });
  });
});
E.bannerRetry.addEventListener('click', () => {
  S.attempt = 0;
  reconnectNow();
});
document.addEventListener('pointerdown', unlockSound, { passive: true });
document.addEventListener('keydown', unlockSound);

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState !== 'visible') return;
  markRead();
  if (S.want && !S.ws) reconnectNow();
  else if (S.ws && S.welcomed) {
    // Back from the background or from sleep: is the connection still alive?
    S.lastPingAt = Date.now();
    send('ping');
  }
});
window.addEventListener('online', () => {
  if (S.want && !S.welcomed) {
    S.attempt = 0;
    reconnectNow();
  }
});
window.addEventListener('offline', updateBanner);
window.addEventListener('resize', autosize);
window.addEventListener('pagehide', saveNow);

// ---------------------------------------------------------------- the loader

function originAllowed(o) {
  const list = cfg.allowed_origins || [];
  return o === location.origin || list.length === 0 || list.includes(String(o).toLowerCase());
}

const clip = (v, n) => (typeof v === 'string' ? v.slice(0, n) : '');

window.addEventListener('message', (e) => {
  if (!embedded || e.source !== window.parent) return;
  const d = e.data;
  if (!d || typeof d !== 'object' || d.sb !== 1) return;
  if (S.parentOrigin ? e.origin !== S.parentOrigin : !originAllowed(e.origin)) return;
  S.parentOrigin = e.origin;
  switch (d.type) {
    case 'init':
      if (S.started) return;
      start({
        page_url: clip(d.page_url, 2000), page_title: clip(d.page_title, 300), referrer: clip(d.referrer, 2000),
        origin: e.origin, name: clip(d.name, 200), email: clip(d.email, 254), user_id: clip(d.user_id, 200),
        user_hash: clip(d.user_hash, 128),
      }, d.store);
      break;
    case 'open': setOpen(true); break;
    case 'close': setOpen(false); break;
    case 'page':
      if (!S.host) return;
      S.host.page_url = clip(d.page_url, 2000);
      S.host.page_title = clip(d.page_title, 300);
      if (S.welcomed) send('page', { page_url: S.host.page_url, page_title: S.host.page_title });
      break;
    default: break;
  }
});

function start(host, hostStore) {
  S.host = host;
  S.started = true;
  storage.useHost(hostStore);
  S.token = storage.get('token');
  S.profile = storage.get('profile') || {};
  restore();
  updatePrechat();
  autosize();
  postParent({
    type: 'ready', color: cfg.color, on_color: onColor(cfg.color), position: cfg.position,
    labels: { open: t('launcher_open'), close: t('launcher_close'), title: t('frame_title'), unread: t('launcher_unread') },
    width: 380, height: 640, unread: unreadCount(),
  });
  lastUnread = unreadCount();
  // A returning visitor connects at once (replies and the unread badge);
  // a new one only when opening the chat, so that mere page views create nobody.
  if (S.token || S.outbox.length || S.open) connect();
  if (S.open) setOpen(true);
}

applyChannel(cfg);
updateSubtitle();
E.app.dataset.open = S.open ? 'true' : 'false';
E.app.dataset.embedded = embedded ? 'true' : 'false';
if (embedded) {
  postParentBoot();
  // Framed without the loader: go on alone after a while.
  setTimeout(() => { if (!S.started) start({}); }, 5000);
} else {
  start({});
}

function postParentBoot() {
  // No data: only a nudge for the loader to send init, to any origin.
  window.parent.postMessage({ sb: 1, type: 'boot' }, '*');
}
