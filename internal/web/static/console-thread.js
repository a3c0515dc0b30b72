// The open conversation's thread: opening and closing it (from the URL's
// #c/ID), its full history loaded page by page, messages kept by seq (each
// seq once, a gap filled with "sync"), day separators, runs of one sender,
// the visitor's read receipt, staying at the bottom, and reporting what the
// agent has read.
import { t, el, icon, dayLabel, toast } from './console-util.js';
import { $, S, threadOf } from './console-state.js';
import { api, fetchConv, ensureContact } from './console-api.js';
import { displayName } from './console-convs.js';
import { scheduleList } from './console-inbox.js';
import { buildMessage } from './console-message.js';
import { saveDraft, restoreDraft } from './console-composer.js';
import { stopTyping, renderTyping } from './console-typing.js';
import { renderThreadHead } from './console-actions.js';
import { renderDetails, renderReadFact } from './console-visitor.js';
import { panelConversationChanged } from './console-bot.js';

const msgEls = new Map(); // seq → element of the open conversation
let listEl = null; // confirmed messages, in seq order
let pendingEl = null; // this console's unacknowledged messages

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
  panelConversationChanged();
  // Workspace panels (customer, suggestions, timer…) listen for this.
  document.dispatchEvent(new CustomEvent('sb:open', { detail: { id, conv } }));
  const th = threadOf(id);
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
  document.dispatchEvent(new CustomEvent('sb:open', { detail: { id: null, conv: null } }));
}

/** routeFromHash opens the conversation the URL names (#c/ID), or none. */
export function routeFromHash() {
  const m = /^#c\/([A-Za-z0-9-]{1,64})$/.exec(location.hash);
  openConversation(m ? m[1] : null);
}

/** loadHistory loads what the thread lacks after its contiguous seq. */
export async function loadHistory(th) {
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
export function addMessage(m) {
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

/** lastOutgoing is the element of the thread's last outgoing message, if any. */
export function lastOutgoing() {
  if (!listEl) return undefined;
  const outs = listEl.querySelectorAll('article.msg-out');
  return outs[outs.length - 1];
}

export function renderReceipt() {
  if (!listEl) return;
  for (const r of listEl.querySelectorAll('.receipt')) r.remove();
  const conv = S.convs.get(S.openId);
  if (!conv) return;
  const last = lastOutgoing();
  if (!last) return;
  const seen = (conv.contact_read_seq || 0) >= Number(last.dataset.seq);
  last.append(el('div', { class: 'receipt' + (seen ? ' seen' : ''), 'data-testid': 'read-receipt' },
    icon(seen ? 'checks' : 'check'), t(seen ? 'console.seen' : 'console.sent')));
  renderReadFact();
}

/** refreshAuthors renames the visitor's messages once the contact's name is known. */
export function refreshAuthors() {
  if (!listEl) return;
  const name = displayName(S.convs.get(S.openId));
  for (const a of listEl.querySelectorAll('article[data-sender-type="contact"] .msg-author')) if (a.textContent !== name) a.textContent = name;
}

/** renderPending shows this console's unacknowledged messages of the open conversation. */
export function renderPending() {
  if (!pendingEl) return;
  pendingEl.replaceChildren();
  for (const p of S.pending.values()) if (p.conversation_id === S.openId) pendingEl.append(buildMessage(p, true));
}

function isNearBottom() {
  const box = $('messages');
  return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
}

export function scrollToBottom() {
  const box = $('messages');
  box.scrollTop = box.scrollHeight;
  S.stick = true;
  $('new-pill').hidden = true;
}

/** markRead reports the open conversation as read up to its contiguous seq. */
export function markRead() {
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

export function wireThread() {
  window.addEventListener('hashchange', routeFromHash);
  $('back').addEventListener('click', () => { location.hash = ''; });
}

export function wireScrolling() {
  const box = $('messages');
  box.addEventListener('scroll', () => {
    S.stick = isNearBottom();
    if (S.stick) $('new-pill').hidden = true;
  });
  $('new-pill').addEventListener('click', scrollToBottom);
}
