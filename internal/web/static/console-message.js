// One message of the thread as an element: author, note label, time, the
// text with links, images and files, and for this console's own messages
// not acknowledged yet, "sending" or "failed" with retry and discard. A bot
// message shows its formatted answer (console-rich.js) and its buttons as
// chips; the bot's hand-off note says why; a customer's message can be
// saved as a FAQ draft.
import { t, el, icon, richText, dayKey, clock, fullTime, size } from './console-util.js';
import { S } from './console-state.js';
import { displayName } from './console-convs.js';
import { scrollToBottom } from './console-thread.js';
import { retryPending, discardPending } from './console-composer.js';
import { richHTML } from './console-rich.js';
import { reasonLabel, openFAQ, canSaveFAQ } from './console-bot.js';

function botKind(bm) {
  const k = 'console.bot_kind_' + (bm && bm.kind ? bm.kind : 'answer');
  const s = t(k);
  return s === k ? t('console.sender_bot') : s;
}

const metaOf = (m) => (m.meta && typeof m.meta === 'object' && !Array.isArray(m.meta) ? m.meta : null);

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
  const bm = metaOf(m);
  const bot = m.sender_type === 'bot';
  const handoffNote = m.sender_type === 'system' && bm && bm.kind === 'handoff_note';
  // A transfer's note (console-agent.js): "⇄ Transferred to …" and the note.
  const transfer = m.private && bm && bm.transfer && typeof bm.transfer === 'object' ? bm.transfer : null;
  const d = new Date(m.created_at || Date.now());
  const art = el('article', {
    class: `msg msg-${kind}` + (bot ? ' msg-bot' : '') + (handoffNote ? ' msg-handoff' : '') + (transfer ? ' msg-transfer' : '') + (pending ? ' pending' : ''),
    'data-testid': 'message',
    'data-seq': pending ? undefined : m.seq,
    'data-client-id': m.client_id || undefined,
    'data-sender-type': m.sender_type,
    'data-private': m.private ? 'true' : 'false',
    'data-day': dayKey(d),
    'data-at': d.getTime(),
    'data-who': m.sender_type + ':' + (m.sender_id || ''),
    'data-bot-kind': bot && bm && bm.kind ? bm.kind : undefined,
  });
  const meta = el('div', { class: 'msg-meta' },
    el('span', { class: 'msg-author', text: m.sender_type === 'agent' && m.sender_id === S.me ? t('console.name_you', { name: senderName(m) }) : senderName(m) }),
    m.private ? el('span', { class: 'note-label', 'data-testid': 'note-label' }, icon('lock'), t('console.note')) : null,
    bot ? el('span', { class: 'badge bot-tag', text: botKind(bm) }) : null,
    handoffNote && bm.reason ? el('span', { class: 'badge reason', 'data-testid': 'handoff-reason', text: reasonLabel(bm.reason) }) : null,
    transfer ? el('span', { class: 'badge transfer-tag', 'data-testid': 'transfer-label', text: '⇄ ' + t('console.agent.transferred_to', { name: String(transfer.to || '') }) }) : null,
    el('time', { datetime: d.toISOString(), title: fullTime(d), text: clock(d) }));
  const bubble = el('div', { class: 'msg-bubble' });
  const rich = bot && bm ? richHTML(bm.html) : null;
  if (rich) bubble.append(rich);
  else if (transfer) bubble.append(el('div', { class: 'msg-body' + (transfer.note ? '' : ' no-note') }, transfer.note ? richText(String(transfer.note)) : t('console.agent.transfer_no_note')));
  else if (m.body) bubble.append(el('div', { class: 'msg-body' }, richText(m.body)));
  if (bot && bm && Array.isArray(bm.buttons) && bm.buttons.length) {
    const chips = el('ul', { class: 'chips', 'aria-label': t('console.bot_buttons') });
    for (const b of bm.buttons.slice(0, 12)) {
      if (!b || typeof b !== 'object') continue;
      const label = String(b.label || b.text || '').slice(0, 200);
      if (!label) continue;
      const extra = b.url ? ' ↗' : '';
      chips.append(el('li', { class: 'chip' + (b.human ? ' chip-human' : ''), 'data-testid': 'bot-chip', title: b.url || b.text || '', text: label + extra }));
    }
    if (chips.childElementCount) bubble.append(chips);
  }
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
  if (m.sender_type === 'contact' && !pending && (m.body || '').trim() && canSaveFAQ()) {
    art.append(el('div', { class: 'msg-actions' },
      el('button', { type: 'button', class: 'link msg-action', 'data-testid': 'save-faq', text: t('console.save_faq'), onclick: () => openFAQ(m) })));
  }
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
