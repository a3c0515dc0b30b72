// Quick replies in the composer: typing "/" at the start or after a space
// opens a list of the agent's quick replies that narrows as they type
// (/ret → returns). ↑/↓ move, Enter or Tab (or a click) replaces "/ret"
// with the reply, its variables filled in from the open conversation's
// customer and the agent; Esc closes (console-picker.js).
import { t, el } from './console-util.js';
import { cfg, S } from './console-state.js';
import { api } from './console-api.js';
import { tokenPicker } from './console-picker.js';
import { render } from './quickreply-render.js';

const MAX_SHOWN = 50;
const STALE_MS = 30_000;
// "/" then up to 32 shortcut characters, right before the caret, at the
// start of the text or after white space.
const TOKEN = /(?:^|\s)\/([\p{L}\p{M}\p{Nd}_-]{0,32})$/u;

let replies = null; // the agent's quick replies, sorted by shortcut; null until loaded
let loadedAt = 0;
let loading = null;
let failed = false;
let picker = null;

function load() {
  if (loading) return loading;
  loading = api('GET', '/api/v1/quick-replies').then((res) => {
    loading = null;
    failed = !res.ok;
    if (res.ok) {
      replies = res.data.items || [];
      loadedAt = Date.now();
    }
    picker?.repaint();
  });
  return loading;
}

/** vars are the values of the variables for the open conversation. */
function vars() {
  const conv = S.convs.get(S.openId);
  const ct = conv ? S.contacts.get(conv.contact_id) : null;
  const me = S.users.get(S.me);
  return {
    'customer.name': (ct && ct.name) || (conv && conv.contact_name) || '',
    'customer.email': (ct && ct.emails && ct.emails[0]) || '',
    'customer.phone': (ct && ct.phones && ct.phones[0]) || '',
    'agent.name': cfg.user_name || (me && me.name) || '',
    'agent.email': (me && me.email) || '',
  };
}

function tokenAt(input) {
  if (input.selectionStart !== input.selectionEnd) return null;
  const upto = input.value.slice(0, input.selectionStart);
  const m = TOKEN.exec(upto);
  if (!m) return null;
  return { start: upto.length - m[1].length - 1, end: upto.length, query: m[1].toLowerCase() };
}

/** matching ranks shortcuts that start with the query, then shortcuts and titles that contain it. */
function matching(q) {
  const ranked = [];
  for (const r of replies || []) {
    const rank = r.shortcut.startsWith(q) ? 0 : r.shortcut.includes(q) ? 1 : (r.title || '').toLowerCase().includes(q) ? 2 : -1;
    if (rank >= 0) ranked.push({ rank, r });
  }
  ranked.sort((a, b) => a.rank - b.rank); // stable: shortcut order within a rank
  return ranked.slice(0, MAX_SHOWN).map((x) => x.r);
}

/** option shows a reply: its shortcut, title, scope and text with the variables filled in. */
function option(r) {
  return {
    data: { shortcut: r.shortcut },
    content: [
      el('span', { class: 'qr-line' },
        el('span', { class: 'qr-shortcut', text: '/' + r.shortcut }),
        r.title ? el('span', { class: 'qr-title', text: r.title }) : null,
        el('span', { class: 'qr-badge qr-' + r.scope, text: t('console.quickreply.badge_' + r.scope) })),
      el('span', { class: 'qr-text', text: render(r.body, vars()) }),
    ],
  };
}

/** note says why nothing is listed. */
function note(q) {
  if (failed) return t('console.quickreply.load_failed');
  if (!replies) return t('console.quickreply.loading');
  if (!replies.length) return t('console.quickreply.empty');
  return t('console.quickreply.none', { q });
}

export function wireQuickReplies() {
  picker = tokenPicker({
    name: 'qr',
    formClass: 'has-qr',
    label: t('console.quickreply.label'),
    hint: [t('console.quickreply.hint') + ' · ',
      el('a', { href: '/quick-replies', target: '_blank', rel: 'noopener', text: t('console.quickreply.manage') })],
    testids: { popup: 'quick-reply-popup', list: 'quick-reply-list', option: 'quick-reply-option' },
    tokenAt,
    items: (q) => (replies ? matching(q) : []),
    option,
    note,
    text: (r) => render(r.body, vars()),
    onToken: (opening) => {
      if (!replies || (opening && Date.now() - loadedAt > STALE_MS)) load();
    },
  });
}
