// What the console knows of a conversation: merging what the API and live
// frames say of it, the names shown for it (visitor, assignee, channel),
// its last activity, whether it is unread, which tab lists it, and the
// preview of a message.
import { t } from './console-util.js';
import { S } from './console-state.js';

export const time = (s) => (s ? Date.parse(s) : 0);

/** mergeConv folds a conversation from the API or a live frame into what we know. */
export function mergeConv(c) {
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

export function contactName(conv) {
  const ct = conv && S.contacts.get(conv.contact_id);
  return (ct && ct.name) || (conv && conv.contact_name) || '';
}

/** displayName is the contact's name, or "Visitor 3F9A" for an anonymous visitor. */
export function displayName(conv) {
  return contactName(conv) || t('console.visitor_name', { code: (conv?.contact_id || '').slice(-4).toUpperCase() });
}

export function assigneeName(conv) {
  if (!conv.assignee_id) return '';
  return S.users.get(conv.assignee_id)?.name || conv.assignee_name || '…';
}

export function channelLabel(conv) {
  const key = 'console.channel_' + conv.channel;
  const s = t(key);
  return s === key ? conv.channel : s;
}

export const activity = (c) => time(c.last_message_at) || time(c.created_at);
export const unread = (c) => c.last_sender === 'contact' && (c.last_seq || 0) > (c.agent_read_seq || 0);

export function inTab(c, tab) {
  if (c.status !== 'open') return false;
  if (tab === 'unassigned') return !c.assignee_id;
  if (tab === 'mine') return !!S.me && c.assignee_id === S.me;
  return true;
}

export function previewOf(m) {
  const p = (m.body || '').split(/\s+/).filter(Boolean).join(' ');
  if (p) return p.length > 140 ? p.slice(0, 140) + '…' : p;
  if (m.attachments && m.attachments.length) return '📎 ' + m.attachments[0].name;
  return '';
}
