// One message of the thread as an element: author, note label, time, the
// text with links, images and files, and for this console's own messages
// not acknowledged yet, "sending" or "failed" with retry and discard.
import { t, el, icon, richText, dayKey, clock, fullTime, size } from './console-util.js';
import { S } from './console-state.js';
import { displayName } from './console-convs.js';
import { scrollToBottom } from './console-thread.js';
import { retryPending, discardPending } from './console-composer.js';

const OUTGOING = new Set(['agent', 'integration', 'bot']);

function senderName(m) {
  switch (m.sender_type) {
    case 'contact': return displayName(S.convs.get(m.conversation_id));
    case 'agent': return m.sender_name || S.users.get(m.sender_id)?.name || t('console.sender_agent');
    case 'integration': return t('console.sender_integration');
    case 'bot': return t('console.sender_bot');
    default: return t('console.sender_system');
  }
}

export function buildMessage(m, pending) {
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
