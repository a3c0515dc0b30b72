// The server's frames on the visitor connection (docs/protocol.md):
// welcome (resume or start over), message, ack of the visitor's own,
// read, conversation changes, errors and bye; and the visitor's wording of
// the server's error codes.
import { cfg, t, S, E, visibleNow } from './frame-state.js';
import { storage, save } from './frame-storage.js';
import { draw, place, relayout, nearBottom, scrollToEnd, currentSection } from './frame-render.js';
import { applyChannel, updateBanner, updateSubtitle, toast } from './frame-header.js';
import { refreshStatuses, postUnread, updateClosed, resetConversation, switchConversation, noteSeq, markRead } from './frame-store.js';
import { pump, holdOutbox, unqueue } from './frame-outbox.js';
import { send } from './frame-connection.js';
import { onTyping, hideTyping } from './frame-typing.js';
import { updatePrechat } from './frame-prechat.js';
import { chime } from './sound.js';
import { csatFrame } from './frame-csat.js';
import { queueFrame } from './frame-queue.js';

export function onFrame(type, d) {
  if (csatFrame(type, d)) return; // the satisfaction rating's own frames
  if (queueFrame(type, d)) return; // the queue's and the left message's own frames
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
    const startOver = () => {
      resetConversation();
      currentSection().dataset.conversation = d.conversation_id;
      S.conv = d.conversation_id;
    };
    if (S.conv !== d.conversation_id) {
      startOver();
    } else if ((d.last_seq || 0) < S.maxSeq) {
      // The server knows less than this browser (a restored backup): start over.
      startOver();
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
    meta: m.sender_type === 'bot' && m.meta && typeof m.meta === 'object' ? m.meta : null,
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

/** errorText is what the visitor is told of an error (rec: the message it is about). */
export function errorText(e, rec) {
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
      holdOutbox();
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
