// The agent console: a live inbox (Unassigned / Mine / All open), the
// conversation with its full history and live messages, the composer
// (replies, internal notes, files), and the visitor's details.
//
// Data comes from the REST API at first and after every reconnect; the live
// connection (/ws/agent) then carries every change of the tenant. Messages
// are kept per conversation by seq: shown in seq order, each seq once, and a
// gap is filled with "sync". A message this console sends stays "pending"
// until its ack, and is sent again with the same client_id after a
// reconnect, which the server stores once.
//
// Everything from the network is inserted as text (textContent; no string is
// ever parsed as markup): a message, a name or a file name that looks like
// HTML shows as what it is.
import { t, el, icon, richText, safeHref, randomID, dayKey, dayLabel, shortTime, clock, fullTime, size,
  browserOf, languageName, initials, hue } from './console-util.js';
import { Live } from './console-live.js';

const $ = (id) => document.getElementById(id);
const cfg = JSON.parse($('sb-console')?.textContent || '{}');
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';
const MAX_UPLOAD = 10 << 20;
const TABS = ['unassigned', 'mine', 'open'];
const OUTGOING = new Set(['agent', 'integration', 'bot']);

const S = {
  me: cfg.user_id || '',
  tab: TABS.includes(localStorage.getItem('sb.console.tab')) ? localStorage.getItem('sb.console.tab') : 'unassigned',
  convs: new Map(), // id → conversation, with contact_name and assignee_name when a live frame told them
  contacts: new Map(), // id → contact
  contactLoads: new Map(), // id → promise
  convLoads: new Map(), // id → promise
  users: new Map(), // id → user
  threads: new Map(), // conversation id → Thread (conversations opened in this page)
  pending: new Map(), // client_id → message this console sent and the server has not acknowledged
  drafts: new Map(), // conversation id → { text, note, uploads }
  cursors: {}, // tab → next_cursor ('' when all are loaded; absent when not loaded yet)
  loading: {}, // tab → a first page or more is being fetched
  counts: { unassigned: 0, mine: 0, open: 0 },
  typing: new Map(), // conversation id → Map(key → { name, senderType, until })
  readSent: new Map(), // conversation id → the seq this console last reported as read
  notified: new Map(), // conversation id → the last seq a notification was shown for
  openId: null,
  note: false,
  uploads: [],
  typingOn: false,
  typingConv: null,
  typingSentAt: 0,
  typingTimer: null,
  welcomed: false,
  stick: true,
  sound: localStorage.getItem('sb.console.sound') !== 'off',
};

class Thread {
  constructor(id) {
    this.id = id;
    this.msgs = new Map(); // seq → message
    this.contiguous = 0; // every seq up to this one is here
    this.max = 0;
    this.loaded = false;
    this.loading = null;
    this.syncAt = 0;
    this.gapTimer = null;
  }
}

// ---------------------------------------------------------------- REST API

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    return { ok: false, status: 0, error: { code: 'network', message: t('err.network') } };
  }
  let data = null;
  if (res.status !== 204) {
    try { data = await res.json(); } catch { data = null; }
  }
  if (!res.ok) {
    const error = (data && data.error) || { code: 'internal', message: t('err.internal') };
    if (res.status === 401) location.assign('/login?next=' + encodeURIComponent('/console' + location.hash));
    else if (error.code === 'password_change_required') location.assign('/password?next=/console');
    return { ok: false, status: res.status, error };
  }
  return { ok: true, status: res.status, data };
}

async function loadUsers() {
  let cursor = '';
  for (let i = 0; i < 20; i++) {
    const res = await api('GET', '/api/v1/users?limit=200' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    if (!res.ok) return;
    for (const u of res.data.items || []) S.users.set(u.id, u);
    cursor = res.data.next_cursor || '';
    if (!cursor) break;
  }
  renderAssignOptions();
  scheduleList();
  if (S.openId) renderThreadHead();
}

function fetchConv(id) {
  if (S.convLoads.has(id)) return S.convLoads.get(id);
  const p = api('GET', '/api/v1/conversations/' + encodeURIComponent(id)).then((res) => {
    S.convLoads.delete(id);
    if (!res.ok) return null;
    const c = mergeConv(res.data);
    ensureContact(c.contact_id);
    scheduleList();
    return c;
  });
  S.convLoads.set(id, p);
  return p;
}

function ensureContact(id, fresh) {
  if (!id || (!fresh && S.contacts.has(id))) return Promise.resolve(S.contacts.get(id));
  if (S.contactLoads.has(id)) return S.contactLoads.get(id);
  const p = api('GET', '/api/v1/contacts/' + encodeURIComponent(id)).then((res) => {
    S.contactLoads.delete(id);
    if (res.ok) S.contacts.set(id, res.data);
    scheduleList();
    const open = S.convs.get(S.openId);
    if (open && open.contact_id === id) {
      renderThreadHead();
      renderDetails();
      refreshAuthors();
    }
    return res.ok ? res.data : null;
  });
  S.contactLoads.set(id, p);
  return p;
}

async function loadTab(tab, more, replace) {
  if (S.loading[tab] && !replace) return;
  S.loading[tab] = true;
  renderListState();
  const q = new URLSearchParams({ status: 'open', limit: '50' });
  if (tab === 'unassigned') q.set('assignee_id', 'none');
  if (tab === 'mine') q.set('assignee_id', 'me');
  if (more && S.cursors[tab]) q.set('cursor', S.cursors[tab]);
  const res = await api('GET', '/api/v1/conversations?' + q);
  S.loading[tab] = false;
  if (!res.ok) {
    toast(res.error.message);
    renderListState();
    return;
  }
  if (replace) {
    // After a reconnect: what we knew may be stale (closed, reassigned
    // meanwhile). Keep the open conversation and what this page returned.
    const keep = new Set((res.data.items || []).map((c) => c.id));
    for (const id of [...S.convs.keys()]) if (id !== S.openId && !keep.has(id)) S.convs.delete(id);
    S.cursors = {};
  }
  for (const c of res.data.items || []) {
    const cur = mergeConv(c);
    if (!cur.contact_name) queueContact(cur.contact_id);
  }
  S.cursors[tab] = res.data.next_cursor || '';
  scheduleList();
}

// Contacts of a list are fetched a few at a time.
const contactQueue = [];
let contactWorkers = 0;
function queueContact(id) {
  if (!id || S.contacts.has(id) || S.contactLoads.has(id) || contactQueue.includes(id)) return;
  contactQueue.push(id);
  while (contactWorkers < 4 && contactQueue.length) {
    contactWorkers++;
    (async () => {
      while (contactQueue.length) await ensureContact(contactQueue.shift());
      contactWorkers--;
    })();
  }
}

// ----------------------------------------------------------- conversations

const time = (s) => (s ? Date.parse(s) : 0);

/** mergeConv folds a conversation from the API or a live frame into what we know. */
function mergeConv(c) {
  const cur = S.convs.get(c.id);
  if (!cur) {
    const n = { ...c };
    S.convs.set(c.id, n);
    return n;
  }
  const before = { ...cur };
  if (time(c.updated_at) >= time(cur.updated_at)) Object.assign(cur, c);
  for (const k of ['last_seq', 'agent_read_seq', 'contact_read_seq']) cur[k] = Math.max(before[k] || 0, c[k] || 0);
  if (time(before.last_message_at) > time(c.last_message_at)) {
    cur.last_message_at = before.last_message_at;
    cur.last_preview = before.last_preview;
    cur.last_sender = before.last_sender;
  }
  return cur;
}

function contactName(conv) {
  const ct = conv && S.contacts.get(conv.contact_id);
  return (ct && ct.name) || (conv && conv.contact_name) || '';
}

/** displayName is the contact's name, or "Visitor 3F9A" for an anonymous visitor. */
function displayName(conv) {
  return contactName(conv) || t('console.visitor_name', { code: (conv?.contact_id || '').slice(-4).toUpperCase() });
}

function assigneeName(conv) {
  if (!conv.assignee_id) return '';
  return S.users.get(conv.assignee_id)?.name || conv.assignee_name || '…';
}

function channelLabel(conv) {
  const key = 'console.channel_' + conv.channel;
  const s = t(key);
  return s === key ? conv.channel : s;
}

const activity = (c) => time(c.last_message_at) || time(c.created_at);
const unread = (c) => c.last_sender === 'contact' && (c.last_seq || 0) > (c.agent_read_seq || 0);

function inTab(c, tab) {
  if (c.status !== 'open') return false;
  if (tab === 'unassigned') return !c.assignee_id;
  if (tab === 'mine') return !!S.me && c.assignee_id === S.me;
  return true;
}

function previewOf(m) {
  const p = (m.body || '').split(/\s+/).filter(Boolean).join(' ');
  if (p) return p.length > 140 ? p.slice(0, 140) + '…' : p;
  if (m.attachments && m.attachments.length) return '📎 ' + m.attachments[0].name;
  return '';
}

// -------------------------------------------------------------- inbox list

const items = new Map(); // conversation id → list item
let listQueued = false;
function scheduleList() {
  if (listQueued) return;
  listQueued = true;
  requestAnimationFrame(() => {
    listQueued = false;
    renderList();
  });
}

function buildItem(id) {
  const li = el('li', { class: 'conv-item', 'data-conversation-id': id, 'data-testid': 'conversation-item' });
  const a = el('a', { class: 'conv-link', href: '#c/' + id });
  const parts = {
    avatar: el('span', { class: 'avatar', 'aria-hidden': 'true' }),
    name: el('span', { class: 'conv-name', 'data-testid': 'conversation-name' }),
    time: el('time', { class: 'conv-time' }),
    preview: el('span', { class: 'conv-preview', 'data-testid': 'conversation-preview' }),
    dot: el('span', { class: 'unread-dot', 'data-testid': 'unread-marker', title: t('console.unread') }),
    chan: el('span', { class: 'chan-tag' }),
    assignee: el('span', { class: 'conv-assignee' }),
  };
  a.append(parts.avatar, el('span', { class: 'conv-main' },
    el('span', { class: 'conv-top' }, parts.name, parts.time),
    el('span', { class: 'conv-mid' }, parts.preview, parts.dot),
    el('span', { class: 'conv-bottom' }, parts.chan, parts.assignee)));
  li.append(a);
  li._p = parts;
  return li;
}

function updateItem(li, c) {
  const p = li._p;
  const name = displayName(c);
  const set = (node, text) => { if (node.textContent !== text) node.textContent = text; };
  set(p.name, name);
  set(p.avatar, initials(contactName(c) || '') === '?' ? '' : initials(contactName(c)));
  p.avatar.className = 'avatar ' + hue(c.contact_id) + (contactName(c) ? '' : ' anon');
  const when = new Date(activity(c));
  set(p.time, shortTime(when));
  p.time.setAttribute('datetime', when.toISOString());
  p.time.title = fullTime(when);
  const typing = typingNames(c.id, true);
  set(p.preview, typing || c.last_preview || '');
  p.preview.classList.toggle('is-typing', !!typing);
  const un = unread(c);
  li.classList.toggle('unread', un);
  li.dataset.unread = un ? 'true' : 'false';
  p.dot.hidden = !un;
  set(p.chan, channelLabel(c));
  const an = assigneeName(c);
  set(p.assignee, an ? '→ ' + an : '');
  const current = c.id === S.openId;
  li.classList.toggle('current', current);
  const link = li.querySelector('.conv-link');
  if (current) link.setAttribute('aria-current', 'true');
  else link.removeAttribute('aria-current');
}

function renderList() {
  const ul = $('conv-list');
  const list = [...S.convs.values()].filter((c) => inTab(c, S.tab)).sort((a, b) => activity(b) - activity(a) || (a.id < b.id ? 1 : -1));
  const want = new Set(list.map((c) => c.id));
  for (const [id, li] of items) {
    if (!want.has(id)) {
      li.remove();
      items.delete(id);
    }
  }
  let prev = null;
  for (const c of list) {
    let li = items.get(c.id);
    if (!li) {
      li = buildItem(c.id);
      items.set(c.id, li);
    }
    updateItem(li, c);
    const at = prev ? prev.nextSibling : ul.firstChild;
    if (at !== li) ul.insertBefore(li, at);
    prev = li;
  }
  renderListState(list.length);
  renderTitle();
}

function renderListState(n = $('conv-list').children.length) {
  const loaded = S.tab in S.cursors;
  const busy = !!S.loading[S.tab];
  $('list-loading').hidden = !(busy && n === 0);
  const empty = $('list-empty');
  empty.hidden = !(loaded && !busy && n === 0);
  empty.textContent = t('console.empty_' + S.tab);
  $('load-more').hidden = !(loaded && S.cursors[S.tab]);
  $('load-more').disabled = busy;
}

function renderCounts() {
  for (const k of TABS) {
    const n = S.counts[k] || 0;
    const node = $('count-' + k);
    node.textContent = n > 999 ? '999+' : String(n);
    node.classList.toggle('zero', n === 0);
  }
}

function renderTitle() {
  let n = 0;
  for (const c of S.convs.values()) if (c.status === 'open' && unread(c) && (!c.assignee_id || c.assignee_id === S.me)) n++;
  const base = t('console.title') + ' · Switchboard';
  document.title = n ? `(${n}) ${base}` : base;
}

function selectTab(tab) {
  S.tab = tab;
  localStorage.setItem('sb.console.tab', tab);
  for (const b of document.querySelectorAll('.tab')) {
    const on = b.dataset.tab === tab;
    b.setAttribute('aria-selected', on ? 'true' : 'false');
    b.tabIndex = on ? 0 : -1;
  }
  $('conv-list').setAttribute('aria-labelledby', 'tab-' + tab);
  if (!(tab in S.cursors)) loadTab(tab);
  renderList();
}

// ------------------------------------------------------------ the thread

const msgEls = new Map(); // seq → element of the open conversation
let listEl = null; // confirmed messages, in seq order
let pendingEl = null; // this console's unacknowledged messages

function threadOf(id, create) {
  let th = S.threads.get(id);
  if (!th && create) {
    th = new Thread(id);
    S.threads.set(id, th);
  }
  return th;
}

async function openConversation(id) {
  if (!id) {
    closeView();
    return;
  }
  if (S.openId === id) return;
  saveDraft();
  stopTyping();
  S.openId = id;
  $('console').dataset.view = 'thread';
  $('thread-empty').hidden = true;
  $('thread-main').hidden = false;
  const box = $('messages');
  box.replaceChildren();
  msgEls.clear();
  listEl = el('div', { class: 'msg-list' });
  pendingEl = el('div', { class: 'pending-list' });
  box.append(el('p', { class: 'history-state', id: 'history-state', text: t('console.history_loading') }), listEl, pendingEl);
  $('new-pill').hidden = true;
  S.stick = true;
  restoreDraft();
  renderTyping();
  scheduleList();
  let conv = S.convs.get(id);
  if (!conv) conv = await fetchConv(id);
  if (S.openId !== id) return;
  if (!conv) {
    toast(t('console.not_found'));
    location.hash = '';
    return;
  }
  ensureContact(conv.contact_id, true);
  renderThreadHead();
  renderDetails();
  const th = threadOf(id, true);
  for (const seq of [...th.msgs.keys()].sort((a, b) => a - b)) insertMessageEl(th.msgs.get(seq), true);
  renderPending();
  refreshDecorations();
  scrollToBottom();
  await loadHistory(th);
  if (S.openId !== id) return;
  S.live.send('subscribe', { conversation_id: id, after_seq: th.contiguous });
  markRead();
  if (window.matchMedia('(min-width: 821px)').matches) $('composer-input').focus({ preventScroll: true });
}

function closeView() {
  saveDraft();
  stopTyping();
  S.openId = null;
  $('console').dataset.view = 'list';
  $('thread-empty').hidden = false;
  $('thread-main').hidden = true;
  $('details-inner').hidden = true;
  msgEls.clear();
  scheduleList();
}

async function loadHistory(th) {
  if (th.loading) return th.loading;
  th.loading = (async () => {
    const state = () => $('history-state');
    for (let i = 0; i < 1000; i++) {
      const res = await api('GET', `/api/v1/conversations/${encodeURIComponent(th.id)}/messages?limit=200&after_seq=${th.contiguous}`);
      if (!res.ok) {
        if (S.openId === th.id && state()) {
          const s = state();
          s.replaceChildren(t('console.load_failed') + ' ', el('button', { type: 'button', class: 'link', text: t('console.retry'), onclick: () => loadHistory(th) }));
          s.hidden = false;
        }
        return;
      }
      const got = res.data.items || [];
      for (const m of got) addMessage(m);
      if (got.length < 200) break;
    }
    th.loaded = true;
    if (S.openId === th.id && state()) {
      state().hidden = true;
      if (th.msgs.size === 0) {
        state().textContent = t('console.no_messages');
        state().hidden = false;
      }
    }
    checkGap(th);
  })().finally(() => { th.loading = null; });
  return th.loading;
}

/** addMessage stores a message of a followed conversation (and shows it if open). */
function addMessage(m) {
  const th = S.threads.get(m.conversation_id);
  if (m.client_id && S.pending.has(m.client_id) && m.sender_id === S.me) {
    S.pending.delete(m.client_id);
    if (S.openId === m.conversation_id) renderPending();
  }
  if (!th) return;
  const known = th.msgs.get(m.seq);
  if (known) {
    if (!known.sender_name && m.sender_name) known.sender_name = m.sender_name;
    return;
  }
  th.msgs.set(m.seq, m);
  while (th.msgs.has(th.contiguous + 1)) th.contiguous++;
  if (m.seq > th.max) th.max = m.seq;
  if (S.openId === m.conversation_id) {
    const hs = $('history-state');
    if (hs && th.loaded) hs.hidden = true;
    insertMessageEl(m);
    scheduleDecorations();
  }
  if (th.loaded) checkGap(th);
}

/** checkGap asks for the messages missing between what we hold and the newest. */
function checkGap(th) {
  if (th.max <= th.contiguous) return;
  const now = Date.now();
  if (now - th.syncAt < 3000) {
    // One sync at a time; look again when it had time to be answered.
    if (!th.gapTimer) th.gapTimer = setTimeout(() => { th.gapTimer = null; checkGap(th); }, 3100 - (now - th.syncAt));
    return;
  }
  th.syncAt = now;
  S.live.send('sync', { conversation_id: th.id, after_seq: th.contiguous });
}

function senderName(m) {
  switch (m.sender_type) {
    case 'contact': return displayName(S.convs.get(m.conversation_id));
    case 'agent': return m.sender_name || S.users.get(m.sender_id)?.name || t('console.sender_agent');
    case 'integration': return t('console.sender_integration');
    case 'bot': return t('console.sender_bot');
    default: return t('console.sender_system');
  }
}

function buildMessage(m, pending) {
  const kind = m.private ? 'note' : m.sender_type === 'system' ? 'system' : OUTGOING.has(m.sender_type) ? 'out' : 'in';
  const d = new Date(m.created_at || Date.now());
  const art = el('article', {
    class: `msg msg-${kind}` + (pending ? ' pending' : ''),
    'data-testid': 'message',
    'data-seq': pending ? undefined : m.seq,
    'data-client-id': m.client_id || undefined,
    'data-sender-type': m.sender_type,
    'data-private': m.private ? 'true' : 'false',
    'data-day': dayKey(d),
    'data-at': d.getTime(),
    'data-who': m.sender_type + ':' + (m.sender_id || ''),
  });
  const meta = el('div', { class: 'msg-meta' },
    el('span', { class: 'msg-author', text: m.sender_type === 'agent' && m.sender_id === S.me ? t('console.name_you', { name: senderName(m) }) : senderName(m) }),
    m.private ? el('span', { class: 'note-label', 'data-testid': 'note-label' }, icon('lock'), t('console.note')) : null,
    el('time', { datetime: d.toISOString(), title: fullTime(d), text: clock(d) }));
  const bubble = el('div', { class: 'msg-bubble' });
  if (m.body) bubble.append(el('div', { class: 'msg-body' }, richText(m.body)));
  const atts = m.attachments || [];
  if (atts.length) {
    const files = el('div', { class: 'msg-files' });
    for (const a of atts) {
      const href = a.url && a.url.startsWith('/') ? a.url : null;
      if (a.kind === 'image' && href) {
        const img = el('img', { src: href, alt: a.name, loading: 'lazy' });
        img.addEventListener('load', () => { if (S.stick) scrollToBottom(); });
        files.append(el('a', { class: 'msg-image', href, target: '_blank', rel: 'noopener', title: t('console.open_image', { name: a.name }) }, img));
      } else {
        files.append(el('a', { class: 'msg-file', href: href || undefined, download: a.name, title: t('console.download', { name: a.name }) },
          icon('file'), el('span', { class: 'file-name', text: a.name }), el('span', { class: 'file-size', text: size(a.size || 0) })));
      }
    }
    bubble.append(files);
  }
  art.append(meta, bubble);
  if (pending) {
    if (m.state === 'failed') {
      art.classList.add('failed');
      art.append(el('div', { class: 'msg-status failed', 'data-testid': 'message-failed' }, icon('alert'),
        el('span', { text: t('console.failed') + (m.error ? ' · ' + m.error : '') }),
        el('button', { type: 'button', class: 'link', text: t('console.retry'), onclick: () => retryPending(m.client_id) }),
        el('button', { type: 'button', class: 'link', text: t('console.discard'), onclick: () => discardPending(m.client_id) })));
    } else {
      art.append(el('div', { class: 'msg-status', 'data-testid': 'message-pending' }, icon('clock'),
        el('span', { text: S.live?.ready ? t('console.sending') : t('console.waiting_connection') })));
    }
  }
  return art;
}

function insertMessageEl(m, bulk) {
  if (!listEl || msgEls.has(m.seq)) return;
  const box = $('messages');
  const near = isNearBottom();
  const node = buildMessage(m, false);
  msgEls.set(m.seq, node);
  // New messages come last, so look from the end for the one before.
  let ref = listEl.lastElementChild;
  while (ref && !(ref.dataset.seq && Number(ref.dataset.seq) < m.seq)) ref = ref.previousElementSibling;
  if (ref) ref.after(node);
  else listEl.prepend(node);
  if (bulk) return;
  const mine = m.sender_type === 'agent' && m.sender_id === S.me;
  if (near || mine) scrollToBottom();
  else if (box.scrollHeight > box.clientHeight) $('new-pill').hidden = false;
}

let decoQueued = false;
function scheduleDecorations() {
  if (decoQueued) return;
  decoQueued = true;
  requestAnimationFrame(() => {
    decoQueued = false;
    refreshDecorations();
  });
}

/** refreshDecorations adds day separators, groups runs of one sender, and shows the visitor's read receipt. */
function refreshDecorations() {
  if (!listEl) return;
  let prevDay = null;
  let prevArt = null;
  for (const node of [...listEl.children]) {
    if (node.classList.contains('day-sep')) {
      node.remove();
      continue;
    }
    const day = node.dataset.day;
    if (day !== prevDay) {
      node.before(el('div', { class: 'day-sep', role: 'separator' }, el('span', { text: dayLabel(new Date(Number(day))) })));
      prevDay = day;
      prevArt = null;
    }
    const cont = prevArt && prevArt.dataset.who === node.dataset.who && prevArt.dataset.private === node.dataset.private &&
      Number(node.dataset.at) - Number(prevArt.dataset.at) < 5 * 60 * 1000;
    node.classList.toggle('cont', !!cont);
    prevArt = node;
  }
  renderReceipt();
}

function renderReceipt() {
  if (!listEl) return;
  for (const r of listEl.querySelectorAll('.receipt')) r.remove();
  const conv = S.convs.get(S.openId);
  if (!conv) return;
  const outs = listEl.querySelectorAll('article.msg-out');
  const last = outs[outs.length - 1];
  if (!last) return;
  const seen = (conv.contact_read_seq || 0) >= Number(last.dataset.seq);
  last.append(el('div', { class: 'receipt' + (seen ? ' seen' : ''), 'data-testid': 'read-receipt' },
    icon(seen ? 'checks' : 'check'), t(seen ? 'console.seen' : 'console.sent')));
  renderReadFact();
}

/** refreshAuthors renames the visitor's messages once the contact's name is known. */
function refreshAuthors() {
  if (!listEl) return;
  const name = displayName(S.convs.get(S.openId));
  for (const a of listEl.querySelectorAll('article[data-sender-type="contact"] .msg-author')) if (a.textContent !== name) a.textContent = name;
}

function renderPending() {
  if (!pendingEl) return;
  pendingEl.replaceChildren();
  for (const p of S.pending.values()) if (p.conversation_id === S.openId) pendingEl.append(buildMessage(p, true));
}

function isNearBottom() {
  const box = $('messages');
  return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
}

function scrollToBottom() {
  const box = $('messages');
  box.scrollTop = box.scrollHeight;
  S.stick = true;
  $('new-pill').hidden = true;
}

// ------------------------------------------------------- head and details

function renderThreadHead() {
  const conv = S.convs.get(S.openId);
  if (!conv) return;
  const name = displayName(conv);
  $('thread-title').textContent = name;
  const av = $('thread-avatar');
  av.textContent = contactName(conv) ? initials(contactName(conv)) : '';
  av.className = 'avatar ' + hue(conv.contact_id) + (contactName(conv) ? '' : ' anon');
  const st = $('thread-status');
  st.textContent = t('console.status_' + conv.status);
  st.className = 'badge status-' + conv.status;
  const an = assigneeName(conv);
  $('thread-sub').textContent = [channelLabel(conv), an ? t('console.assigned_to', { name: an }) : t('console.unassigned')].join(' · ');
  const closed = conv.status === 'closed';
  $('close-conv').hidden = closed;
  $('reopen-conv').hidden = !closed;
  $('closed-note').hidden = !closed;
  $('assign-me').hidden = !S.me || conv.assignee_id === S.me;
  renderAssignOptions();
  $('assign-select').value = conv.assignee_id || '';
  $('composer').classList.toggle('closed', closed);
}

function renderAssignOptions() {
  const sel = $('assign-select');
  const conv = S.convs.get(S.openId);
  const current = conv?.assignee_id || '';
  const users = [...S.users.values()].filter((u) => !u.disabled || u.id === current).sort((a, b) => a.name.localeCompare(b.name));
  // Rebuild only when the choice changed: an open drop-down stays open.
  const sig = current + '|' + users.map((u) => u.id + ':' + u.name).join(',');
  if (sel.dataset.sig === sig) {
    sel.value = current;
    return;
  }
  sel.dataset.sig = sig;
  const opts = [el('option', { value: '', text: t('console.unassigned') })];
  for (const u of users) opts.push(el('option', { value: u.id, text: u.id === S.me ? t('console.name_you', { name: u.name }) : u.name }));
  if (current && !S.users.has(current)) opts.push(el('option', { value: current, text: assigneeName(conv) }));
  sel.replaceChildren(...opts);
  sel.value = current;
}

function fact(id, value, opt) {
  const dd = $(id);
  if (opt) {
    dd.hidden = !value;
    $('dt-' + id.slice(2)).hidden = !value;
  }
  if (value instanceof Node) dd.replaceChildren(value);
  else dd.textContent = value || '—';
}

function renderDetails() {
  const conv = S.convs.get(S.openId);
  if (!conv) return;
  $('details-inner').hidden = false;
  const ct = S.contacts.get(conv.contact_id);
  const v = conv.visitor || {};
  fact('d-name', displayName(conv));
  fact('d-email', ct && ct.emails && ct.emails.length ? ct.emails.join(', ') : '');
  fact('d-phone', ct && ct.phones && ct.phones.length ? ct.phones.join(', ') : '', true);
  const site = ct && (ct.external_ids || []).find((x) => x.source === 'site');
  fact('d-identity', site ? t('console.identity_verified', { id: site.id }) : '', true);
  const href = v.page_url && safeHref(v.page_url);
  if (href) {
    const frag = el('span', { class: 'page' },
      el('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow', title: v.page_url, text: v.page_title || v.page_url }));
    if (v.page_title) frag.append(el('small', { text: v.page_url }));
    fact('d-page', frag);
  } else fact('d-page', v.page_url || '');
  fact('d-referrer', v.referrer || '', true);
  fact('d-browser', browserOf(v.user_agent) || '');
  fact('d-language', languageName(v.language) || '');
  fact('d-status', t('console.status_' + conv.status));
  fact('d-assignee', assigneeName(conv) || t('console.unassigned'));
  fact('d-channel', [channelLabel(conv), v.origin].filter(Boolean).join(' · '));
  fact('d-started', fullTime(new Date(conv.created_at)));
  renderReadFact();
}

function renderReadFact() {
  const conv = S.convs.get(S.openId);
  if (!conv) return;
  const outs = listEl ? listEl.querySelectorAll('article.msg-out') : [];
  const last = outs[outs.length - 1];
  let s = '';
  if (last) s = (conv.contact_read_seq || 0) >= Number(last.dataset.seq) ? t('console.seen_by_visitor') : t('console.not_seen');
  fact('d-read', s);
}

// --------------------------------------------------------------- composer

function saveDraft() {
  if (!S.openId) return;
  const text = $('composer-input').value;
  if (text || S.uploads.length || S.note) S.drafts.set(S.openId, { text, note: S.note, uploads: S.uploads });
  else S.drafts.delete(S.openId);
}

function restoreDraft() {
  const d = S.drafts.get(S.openId);
  $('composer-input').value = d ? d.text : '';
  S.uploads = d ? d.uploads : [];
  setNote(d ? d.note : false);
  $('composer-error').textContent = '';
  renderUploads();
  autosize();
}

function setNote(on) {
  S.note = on;
  const f = $('composer');
  f.dataset.mode = on ? 'note' : 'reply';
  $('note-toggle').setAttribute('aria-pressed', on ? 'true' : 'false');
  $('mode-reply').setAttribute('aria-pressed', on ? 'false' : 'true');
  $('note-hint').hidden = !on;
  const input = $('composer-input');
  input.placeholder = t(on ? 'console.placeholder_note' : 'console.placeholder_reply');
  $('send-button').textContent = t(on ? 'console.add_note' : 'console.send');
  if (on) stopTyping();
}

function autosize() {
  const ta = $('composer-input');
  ta.style.height = 'auto';
  ta.style.height = Math.min(ta.scrollHeight + 2, 240) + 'px';
}

function send() {
  const id = S.openId;
  if (!id) return;
  const input = $('composer-input');
  const body = input.value.replace(/\s+$/, '');
  if (S.uploads.some((u) => u.state === 'uploading')) {
    $('composer-error').textContent = t('console.wait_uploads');
    return;
  }
  const files = S.uploads.filter((u) => u.state === 'done');
  if (!body.trim() && !files.length) return;
  const p = {
    client_id: randomID(), conversation_id: id, body, private: S.note, sender_type: 'agent', sender_id: S.me,
    sender_name: cfg.user_name, attachments: files.map((u) => u.att), created_at: new Date().toISOString(), state: 'sending', sentAt: 0,
  };
  S.pending.set(p.client_id, p);
  transmit(p);
  input.value = '';
  for (const u of S.uploads) if (u.preview) URL.revokeObjectURL(u.preview);
  S.uploads = [];
  S.drafts.delete(id);
  $('composer-error').textContent = '';
  renderUploads();
  autosize();
  stopTyping();
  renderPending();
  scrollToBottom();
}

function transmit(p) {
  const data = { conversation_id: p.conversation_id, client_id: p.client_id, body: p.body };
  if (p.private) data.private = true;
  if (p.attachments.length) data.attachments = p.attachments.map((a) => a.id);
  if (S.live.send('message', data)) p.sentAt = Date.now();
}

function retryPending(cid) {
  const p = S.pending.get(cid);
  if (!p) return;
  p.state = 'sending';
  p.error = '';
  transmit(p);
  renderPending();
}

function discardPending(cid) {
  S.pending.delete(cid);
  renderPending();
}

function onAck(a) {
  const p = S.pending.get(a.client_id);
  if (!p) return;
  S.pending.delete(a.client_id);
  addMessage({ ...p, seq: a.seq, id: a.id, conversation_id: a.conversation_id, state: undefined });
  if (S.openId === a.conversation_id) renderPending();
}

// Uploads: pasted images, the file button, and files dropped on the thread.
function addFiles(list) {
  const id = S.openId;
  if (!id) return;
  for (const file of list) {
    let name = file.name || 'image.png';
    if (/^image\.(png|jpe?g|gif|webp)$/i.test(name)) {
      const d = new Date();
      const pad = (n) => String(n).padStart(2, '0');
      name = `screenshot-${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}.${name.split('.').pop()}`;
    }
    const u = { key: randomID(), name, size: file.size, state: 'uploading', preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : null };
    S.uploads.push(u);
    if (file.size > MAX_UPLOAD) {
      u.state = 'error';
      u.error = t('console.file_too_large', { max: MAX_UPLOAD >> 20 });
      continue;
    }
    const fd = new FormData();
    fd.append('file', file, name);
    api('POST', `/api/v1/conversations/${encodeURIComponent(id)}/uploads`, fd).then((res) => {
      if (res.ok) {
        u.state = 'done';
        u.att = res.data;
      } else {
        u.state = 'error';
        u.error = res.error.message;
      }
      renderUploads();
    });
  }
  renderUploads();
}

function renderUploads() {
  const ul = $('uploads');
  ul.hidden = S.uploads.length === 0;
  ul.replaceChildren(...S.uploads.map((u) => el('li', { class: 'upload ' + u.state, 'data-testid': 'upload', 'data-state': u.state },
    u.preview ? el('img', { src: u.preview, alt: '' }) : icon('file'),
    el('span', { class: 'upload-text' },
      el('span', { class: 'file-name', text: u.name }),
      el('small', { text: u.state === 'uploading' ? t('console.uploading') : u.state === 'error' ? u.error : size(u.size) })),
    el('button', { type: 'button', class: 'icon-btn small', 'aria-label': t('console.remove_file', { name: u.name }), title: t('console.remove_file', { name: u.name }),
      onclick: () => {
        if (u.preview) URL.revokeObjectURL(u.preview);
        S.uploads = S.uploads.filter((x) => x !== u);
        renderUploads();
      } }, icon('x')))));
}

// Typing: "on" at most every 3 s while the agent types a reply, "off" after
// 4 s without a key or when the reply is sent. Notes are never announced.
function onComposerInput() {
  autosize();
  if (!S.openId || S.note) return;
  const has = $('composer-input').value.trim() !== '';
  if (!has) {
    stopTyping();
    return;
  }
  const now = Date.now();
  if (!S.typingOn || S.typingConv !== S.openId || now - S.typingSentAt > 3000) {
    if (S.typingOn && S.typingConv !== S.openId) stopTyping();
    if (S.live.send('typing', { conversation_id: S.openId, on: true })) {
      S.typingOn = true;
      S.typingConv = S.openId;
      S.typingSentAt = now;
    }
  }
  clearTimeout(S.typingTimer);
  S.typingTimer = setTimeout(stopTyping, 4000);
}

function stopTyping() {
  clearTimeout(S.typingTimer);
  if (S.typingOn && S.typingConv) S.live.send('typing', { conversation_id: S.typingConv, on: false });
  S.typingOn = false;
  S.typingConv = null;
}

function typingNames(convId, contactOnly) {
  const m = S.typing.get(convId);
  if (!m) return '';
  const now = Date.now();
  const names = [];
  for (const [k, v] of m) {
    if (v.until < now) m.delete(k);
    else if (!contactOnly || v.senderType === 'contact') names.push(v.senderType === 'contact' ? displayName(S.convs.get(convId)) : v.name || t('console.sender_agent'));
  }
  if (!names.length) return '';
  return contactOnly ? t('console.typing_short') : t('console.typing', { name: names.join(', ') });
}

function renderTyping() {
  const s = S.openId ? typingNames(S.openId, false) : '';
  const box = $('typing');
  if (box.textContent !== s) {
    box.replaceChildren();
    if (s) box.append(el('span', { class: 'dots', 'aria-hidden': 'true' }, el('i'), el('i'), el('i')), s);
  }
}

// --------------------------------------------------------------- reading

function markRead() {
  const id = S.openId;
  if (!id || document.hidden) return;
  const th = S.threads.get(id);
  const conv = S.convs.get(id);
  if (!th || !th.loaded || !conv) return;
  const seq = th.contiguous;
  if (seq <= 0 || seq <= (S.readSent.get(id) || 0) || seq <= (conv.agent_read_seq || 0)) return;
  if (S.live.send('read', { conversation_id: id, seq })) {
    S.readSent.set(id, seq);
    conv.agent_read_seq = Math.max(conv.agent_read_seq || 0, seq);
    scheduleList();
  }
}

// ------------------------------------------------- notifications and sound

let audio = null;
let lastBeep = 0;
function unlockAudio() {
  if (!audio) {
    const AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return;
    audio = new AC();
  }
  if (audio.state === 'suspended') audio.resume().catch(() => {});
}

function beep() {
  if (!S.sound || !audio || audio.state !== 'running') return;
  const now = Date.now();
  if (now - lastBeep < 1500) return;
  lastBeep = now;
  const t0 = audio.currentTime + 0.01;
  for (const [freq, at] of [[880, 0], [1318.5, 0.12]]) {
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.type = 'sine';
    o.frequency.value = freq;
    g.gain.setValueAtTime(0.0001, t0 + at);
    g.gain.exponentialRampToValueAtTime(0.18, t0 + at + 0.015);
    g.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 0.22);
    o.connect(g).connect(audio.destination);
    o.start(t0 + at);
    o.stop(t0 + at + 0.25);
  }
}

function renderNotifyState() {
  const btn = $('notify-enable');
  const note = $('notify-state');
  if (!('Notification' in window)) {
    btn.hidden = true;
    note.hidden = true;
    return;
  }
  const p = Notification.permission;
  btn.hidden = p !== 'default';
  note.hidden = p === 'default';
  note.textContent = p === 'granted' ? t('console.notify_on') : t('console.notify_blocked');
  note.dataset.state = p;
  const snd = $('sound-toggle');
  snd.setAttribute('aria-pressed', S.sound ? 'true' : 'false');
  snd.textContent = t(S.sound ? 'console.sound_on' : 'console.sound_off');
}

/** alertAbout shows a desktop notification and plays the sound, once per message. */
function alertAbout(convId, seq, isNew, body) {
  const last = S.notified.get(convId);
  if (last !== undefined && last >= seq) return;
  S.notified.set(convId, seq);
  // Only when the reader cannot see it: the page is hidden, or another conversation is open.
  if (!document.hidden && (!S.openId || S.openId === convId)) return;
  const conv = S.convs.get(convId);
  if (!conv) return;
  if (!isNew && conv.assignee_id && conv.assignee_id !== S.me) return; // another agent's conversation
  beep();
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  const name = displayName(conv);
  const title = isNew ? t('console.notify_new_conversation') : t('console.notify_new_message', { name });
  try {
    const n = new Notification(title, { body: (isNew ? name + (body ? ': ' + body : '') : body || '').slice(0, 180), tag: 'sb-' + convId, icon: '/static/favicon.svg' });
    n.onclick = () => {
      window.focus();
      location.hash = '#c/' + convId;
      n.close();
    };
  } catch { /* some browsers allow notifications only from a service worker */ }
}

// ------------------------------------------------------ live frames

function onFrame(type, d) {
  switch (type) {
    case 'welcome': onWelcome(d); break;
    case 'counts':
      S.counts = { unassigned: d.unassigned || 0, mine: d.mine || 0, open: d.open || 0 };
      renderCounts();
      break;
    case 'conversation': onConversation(d); break;
    case 'message': onMessage(d); break;
    case 'ack': onAck(d); break;
    case 'typing': onTyping(d); break;
    case 'read': onRead(d); break;
    case 'error': onError(d); break;
    case 'bye':
      if (d.reason === 'unauthorized') api('GET', '/api/v1/me');
      break;
    default: break;
  }
}

function onWelcome(d) {
  if (d.user_id) S.me = d.user_id;
  const again = S.welcomed;
  S.welcomed = true;
  if (again) {
    // Whatever changed while we were away: load the list afresh, and let
    // the hello's subscription replay the open conversation's messages.
    loadTab(S.tab, false, true);
    if (S.openId) {
      fetchConv(S.openId).then(() => { renderThreadHead(); renderDetails(); });
      const th = S.threads.get(S.openId);
      if (th) loadHistory(th);
    }
    // Conversations not on screen reload their history when opened.
    for (const th of S.threads.values()) if (th.id !== S.openId) th.loaded = false;
  } else if (S.openId) {
    const th = S.threads.get(S.openId);
    if (th && th.loaded) S.live.send('subscribe', { conversation_id: S.openId, after_seq: th.contiguous });
  }
  for (const p of S.pending.values()) if (p.state === 'sending') transmit(p);
  if (S.openId) renderPending();
  markRead();
}

function onConversation(c) {
  const before = S.convs.get(c.id);
  const prevSeq = before ? before.last_seq || 0 : 0;
  const known = !!before;
  if (c.contact_name) {
    const ct = S.contacts.get(c.contact_id);
    if (ct && !ct.name) ct.name = c.contact_name;
  }
  const conv = mergeConv(c);
  if (S.welcomed && conv.status === 'open') {
    if (!known) alertAbout(conv.id, conv.last_seq || 0, true, conv.last_sender === 'contact' ? conv.last_preview : '');
    else if ((c.last_seq || 0) > prevSeq && c.last_sender === 'contact') alertAbout(conv.id, c.last_seq, false, c.last_preview);
  }
  if (conv.id === S.openId) {
    renderThreadHead();
    renderDetails();
    renderReceipt();
    refreshAuthors();
  }
  scheduleList();
}

function onMessage(m) {
  const conv = S.convs.get(m.conversation_id);
  const prevSeq = conv ? conv.last_seq || 0 : 0;
  if (conv) {
    conv.last_seq = Math.max(prevSeq, m.seq);
    if (!m.private && time(m.created_at) >= time(conv.last_message_at)) {
      conv.last_message_at = m.created_at;
      conv.last_preview = previewOf(m);
      conv.last_sender = m.sender_type;
    }
  } else {
    fetchConv(m.conversation_id);
  }
  if (m.sender_type === 'contact') {
    S.typing.get(m.conversation_id)?.delete('contact');
    if (m.conversation_id === S.openId) renderTyping();
  }
  addMessage(m);
  if (m.sender_type === 'contact' && m.seq > prevSeq && conv) alertAbout(m.conversation_id, m.seq, false, previewOf(m));
  if (m.conversation_id === S.openId) markRead();
  scheduleList();
}

function onTyping(d) {
  if (!d.conversation_id) return;
  if (d.sender_type !== 'contact' && d.sender_id === S.me) return;
  let m = S.typing.get(d.conversation_id);
  if (!m) {
    m = new Map();
    S.typing.set(d.conversation_id, m);
  }
  const key = d.sender_type === 'contact' ? 'contact' : d.sender_type + ':' + (d.sender_id || d.name);
  if (d.on) m.set(key, { name: d.name, senderType: d.sender_type, until: Date.now() + 8000 });
  else m.delete(key);
  if (d.conversation_id === S.openId) renderTyping();
  scheduleList();
}

function onRead(d) {
  const conv = S.convs.get(d.conversation_id);
  if (!conv) return;
  if (d.reader === 'contact') {
    conv.contact_read_seq = Math.max(conv.contact_read_seq || 0, d.seq);
    if (conv.id === S.openId) renderReceipt();
  } else {
    conv.agent_read_seq = Math.max(conv.agent_read_seq || 0, d.seq);
    scheduleList();
  }
}

function onError(d) {
  if (d.client_id && S.pending.has(d.client_id)) {
    const p = S.pending.get(d.client_id);
    p.state = 'failed';
    p.error = d.message || '';
    if (p.conversation_id === S.openId) renderPending();
    return;
  }
  if (d.message) toast(d.message);
}

// ------------------------------------------------------------ connection

let bannerTimer = null;
function onState(state, info) {
  const root = $('console');
  root.dataset.conn = state;
  const status = $('conn-status');
  status.dataset.state = state;
  const text = { connecting: 'console.connecting', live: 'console.connected', reconnecting: 'console.reconnecting', waiting: 'console.reconnecting', offline: 'console.offline' }[state];
  status.querySelector('.conn-text').textContent = t(text);
  const banner = $('conn-banner');
  if (state === 'live' || state === 'connecting') {
    clearTimeout(bannerTimer);
    bannerTimer = null;
    banner.hidden = true;
    if (state === 'live' && S.openId) renderPending();
    return;
  }
  S.retryAt = info && info.retryAt;
  renderBanner();
  // A reconnect that succeeds at once (after "bye") never shows the banner.
  if (banner.hidden && !bannerTimer) {
    bannerTimer = setTimeout(() => {
      bannerTimer = null;
      if (!S.live.ready) banner.hidden = false;
    }, 1200);
  }
  if (S.openId) renderPending();
}

function renderBanner() {
  const state = $('console').dataset.conn;
  let s = t('console.reconnecting');
  if (state === 'offline') s = t('console.offline');
  else if (state === 'waiting' && S.retryAt) {
    const secs = Math.max(0, Math.ceil((S.retryAt - Date.now()) / 1000));
    if (secs >= 2) s = t('console.reconnect_in', { seconds: secs });
  }
  $('conn-banner-text').textContent = s;
}

async function onFailures(n) {
  if (n === 2 || n % 5 === 0) await api('GET', '/api/v1/me'); // sends a signed-out reader to the sign-in page
}

// ----------------------------------------------------------------- actions

async function assign(userId) {
  const conv = S.convs.get(S.openId);
  if (!conv) return;
  const res = await api('POST', `/api/v1/conversations/${encodeURIComponent(conv.id)}/assign`, { assignee_id: userId || null, team_id: conv.team_id || null });
  if (!res.ok) {
    toast(res.error.message);
    renderThreadHead();
    return;
  }
  mergeConv(res.data);
  renderThreadHead();
  renderDetails();
  scheduleList();
}

async function setStatus(action) {
  const conv = S.convs.get(S.openId);
  if (!conv) return;
  const btn = $(action === 'close' ? 'close-conv' : 'reopen-conv');
  btn.disabled = true;
  const res = await api('POST', `/api/v1/conversations/${encodeURIComponent(conv.id)}/${action}`);
  btn.disabled = false;
  if (!res.ok) {
    toast(res.error.message);
    return;
  }
  mergeConv(res.data);
  renderThreadHead();
  renderDetails();
  scheduleList();
}

function toast(text) {
  const box = $('toasts');
  const node = el('div', { class: 'toast', role: 'alert' }, icon('alert'), el('span', { text }),
    el('button', { type: 'button', class: 'icon-btn small', 'aria-label': t('console.dismiss'), onclick: () => node.remove() }, icon('x')));
  box.append(node);
  while (box.children.length > 4) box.firstElementChild.remove();
  setTimeout(() => node.remove(), 8000);
}

function routeFromHash() {
  const m = /^#c\/([A-Za-z0-9-]{1,64})$/.exec(location.hash);
  openConversation(m ? m[1] : null);
}

// ------------------------------------------------------------------ wiring

function wire() {
  for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => selectTab(b.dataset.tab));
  document.querySelector('.tabs').addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
    const i = TABS.indexOf(S.tab) + (ev.key === 'ArrowRight' ? 1 : -1);
    const tab = TABS[(i + TABS.length) % TABS.length];
    selectTab(tab);
    $('tab-' + tab).focus();
  });
  $('load-more').addEventListener('click', () => loadTab(S.tab, true));
  window.addEventListener('hashchange', routeFromHash);
  $('back').addEventListener('click', () => { location.hash = ''; });

  const form = $('composer');
  const input = $('composer-input');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    send();
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
      ev.preventDefault();
      send();
    }
  });
  input.addEventListener('input', onComposerInput);
  input.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== input) stopTyping(); }, 200));
  input.addEventListener('paste', (ev) => {
    const files = [...(ev.clipboardData?.items || [])].filter((i) => i.kind === 'file').map((i) => i.getAsFile()).filter(Boolean);
    if (files.length) {
      ev.preventDefault();
      addFiles(files);
    }
  });
  $('note-toggle').addEventListener('click', () => { setNote(!S.note); input.focus(); });
  $('mode-reply').addEventListener('click', () => { setNote(false); input.focus(); });
  $('file-button').addEventListener('click', () => $('file-input').click());
  $('file-input').addEventListener('change', (ev) => {
    addFiles([...ev.target.files]);
    ev.target.value = '';
  });
  const thread = $('thread-main');
  thread.addEventListener('dragover', (ev) => {
    if ([...(ev.dataTransfer?.types || [])].includes('Files')) {
      ev.preventDefault();
      thread.classList.add('dropping');
    }
  });
  thread.addEventListener('dragleave', (ev) => { if (!thread.contains(ev.relatedTarget)) thread.classList.remove('dropping'); });
  thread.addEventListener('drop', (ev) => {
    thread.classList.remove('dropping');
    if (ev.dataTransfer?.files?.length) {
      ev.preventDefault();
      addFiles([...ev.dataTransfer.files]);
    }
  });

  const box = $('messages');
  box.addEventListener('scroll', () => {
    S.stick = isNearBottom();
    if (S.stick) $('new-pill').hidden = true;
  });
  $('new-pill').addEventListener('click', scrollToBottom);

  $('assign-me').addEventListener('click', () => assign(S.me));
  $('assign-select').addEventListener('change', (ev) => assign(ev.target.value));
  $('close-conv').addEventListener('click', () => setStatus('close'));
  $('reopen-conv').addEventListener('click', () => setStatus('reopen'));
  $('details-toggle').addEventListener('click', () => {
    const on = !$('console').classList.contains('show-details');
    $('console').classList.toggle('show-details', on);
    $('details-toggle').setAttribute('aria-expanded', on ? 'true' : 'false');
  });
  $('reconnect-now').addEventListener('click', () => S.live.now());

  $('notify-enable').addEventListener('click', async () => {
    unlockAudio();
    try { await Notification.requestPermission(); } catch { /* old callback form */ }
    renderNotifyState();
  });
  $('sound-toggle').addEventListener('click', () => {
    S.sound = !S.sound;
    localStorage.setItem('sb.console.sound', S.sound ? 'on' : 'off');
    unlockAudio();
    renderNotifyState();
  });
  // Browsers start sound only after the reader has done something on the page.
  for (const ev of ['pointerdown', 'keydown']) document.addEventListener(ev, unlockAudio, { passive: true });

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) markRead();
  });
  window.addEventListener('focus', markRead);

  setInterval(() => {
    // Typing indicators expire; pending messages unanswered for 15 s are sent again.
    if (S.openId) renderTyping();
    const now = Date.now();
    for (const p of S.pending.values()) if (p.state === 'sending' && S.live.ready && now - p.sentAt > 15000) transmit(p);
    if ($('console').dataset.conn === 'waiting') renderBanner();
  }, 1000);
  setInterval(scheduleList, 60_000);
}

function start() {
  wire();
  renderCounts();
  renderNotifyState();
  setNote(false);
  S.live = new Live({
    hello: () => {
      const th = S.openId && S.threads.get(S.openId);
      return { subscriptions: th && th.loaded ? [{ conversation_id: th.id, after_seq: th.contiguous }] : [] };
    },
    onFrame,
    onState,
    onFailures,
  });
  selectTab(S.tab);
  loadUsers();
  S.live.start();
  routeFromHash();
}

start();
