// The conversation's messages, kept by seq: each seq once, a gap asks the
// server for what is missing; delivery ticks from the agent's read state;
// the visitor's read state and unread count; starting over for a new
// conversation; and restoring what was saved on the last visit.
import { t, el, S, E, visibleNow, postParent } from './frame-state.js';
import { storage, save, wipe } from './frame-storage.js';
import { draw, place, relayout, currentSection } from './frame-render.js';
import { updateSubtitle } from './frame-header.js';
import { send } from './frame-connection.js';

/** refreshStatuses shows "sent" or "read" on the visitor's stored messages. */
export function refreshStatuses() {
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

export function unreadCount() {
  let n = 0;
  for (const rec of S.msgs.values()) if (rec.sender_type !== 'contact' && rec.seq > S.seen) n++;
  return n;
}

let lastUnread = -1;
/** postUnread tells the loader the unread count when it changed. */
export function postUnread() {
  const n = unreadCount();
  if (n === lastUnread) return;
  lastUnread = n;
  postParent({ type: 'unread', count: n });
}

/** primeUnread notes the count the loader was told with "ready". */
export function primeUnread() {
  lastUnread = unreadCount();
}

export function updateClosed() {
  E.closed.hidden = S.status !== 'closed' || S.outbox.length > 0;
}

function forgetMessages() {
  S.msgs = new Map();
  S.maxSeq = 0;
  S.syncAfter = -1;
  S.agentRead = 0;
  S.readSent = 0;
  S.seen = 0;
  S.byClient = new Map(S.outbox.map((r) => [r.client_id, r]));
}

/** resetConversation forgets the conversation and what was shown of it. */
export function resetConversation() {
  E.history.replaceChildren();
  E.earlier.hidden = true;
  S.conv = null;
  S.status = null;
  S.assignee = '';
  forgetMessages();
  lastUnread = -1;
  updateClosed();
  updateSubtitle();
  postUnread();
}

// A newer conversation began (the last one was closed and the visitor wrote
// again): the old one stays on screen above a divider.
export function switchConversation(id) {
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
  forgetMessages();
  updateClosed();
}

/** resumeSeq is the seq after which the server is to send what it has. */
export function resumeSeq() {
  return S.syncAfter >= 0 ? S.syncAfter : S.maxSeq;
}

// noteSeq follows the highest seq; a gap asks the server for what is missing
// (once per gap: internal notes leave gaps the visitor never fills).
export function noteSeq(seq) {
  if (S.syncAfter >= 0 && seq >= S.syncUntil) S.syncAfter = -1;
  if (seq > S.maxSeq + 1 && S.syncAfter < 0 && S.welcomed) {
    S.syncAfter = S.maxSeq;
    S.syncUntil = seq;
    send('sync', { after_seq: S.maxSeq });
  }
  if (seq > S.maxSeq) S.maxSeq = seq;
}

/** markRead reports what the visitor has seen, when the chat is in view. */
export function markRead() {
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

/** restore shows the saved conversation and unsent messages of this visitor. */
export function restore() {
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
