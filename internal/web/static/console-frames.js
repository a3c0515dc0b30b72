// The live frames of the agent connection (docs/protocol.md): welcome
// (reload what may have changed after a reconnect, resend what is pending),
// counts, conversation changes, messages, acks, typing, read state, errors
// and bye.
import { toast } from './console-util.js';
import { S } from './console-state.js';
import { api, fetchConv } from './console-api.js';
import { time, mergeConv, previewOf } from './console-convs.js';
import { loadTab, scheduleList, renderCounts } from './console-inbox.js';
import { loadHistory, addMessage, renderReceipt, refreshAuthors, renderPending, markRead } from './console-thread.js';
import { transmit, onAck } from './console-composer.js';
import { renderTyping, onTyping } from './console-typing.js';
import { renderThreadHead } from './console-actions.js';
import { renderDetails } from './console-visitor.js';
import { alertAbout } from './console-notify.js';
import { ownerOf, botActivity } from './console-bot.js';

export function onFrame(type, d) {
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
  // Every frame, for the workspace modules (agent status, notifications…).
  document.dispatchEvent(new CustomEvent('sb:frame', { detail: { type, data: d } }));
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
  const wasBot = known && ownerOf(before) === 'bot';
  if (c.contact_name) {
    const ct = S.contacts.get(c.contact_id);
    if (ct && !ct.name) ct.name = c.contact_name;
  }
  const conv = mergeConv(c);
  if (S.welcomed && conv.status === 'open') {
    if (!known) alertAbout(conv.id, conv.last_seq || 0, true, conv.last_sender === 'contact' ? conv.last_preview : '');
    else if (wasBot && ownerOf(conv) === 'queue') alertAbout(conv.id, conv.last_seq || 0, true, conv.last_preview);
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
  if (m.sender_type === 'bot' || m.sender_type === 'system') botActivity(m.conversation_id);
  // An agent's reply takes a conversation over from the bot (and assigns it):
  // learn its new owner.
  if (m.sender_type === 'agent' && !m.private && conv && ownerOf(conv) === 'bot') refreshConv(m.conversation_id);
  if (m.sender_type === 'contact' && m.seq > prevSeq && conv) alertAbout(m.conversation_id, m.seq, false, previewOf(m));
  if (m.conversation_id === S.openId) markRead();
  scheduleList();
}

/** tookOver: this console replied in a conversation; if the bot had it, learn its new owner. */
export function tookOver(id) {
  const c = S.convs.get(id);
  if (c && ownerOf(c) === 'bot') refreshConv(id);
}

const refreshing = new Set();
function refreshConv(id) {
  if (refreshing.has(id)) return;
  refreshing.add(id);
  fetchConv(id).then(() => {
    refreshing.delete(id);
    if (id === S.openId) {
      renderThreadHead();
      renderDetails();
    }
  });
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
