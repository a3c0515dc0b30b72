// Quick replies in the composer: typing "/" at the start or after a space
// opens a list of the agent's quick replies that narrows as they type
// (/ret → returns). ↑/↓ move, Enter or Tab (or a click) replaces "/ret"
// with the reply, its variables filled in from the open conversation's
// customer and the agent; Esc closes. The list is a listbox the reply box
// points at with aria-activedescendant, so the focus never leaves it.
import { t, el } from './console-util.js';
import { $, cfg, S } from './console-state.js';
import { api } from './console-api.js';
import { saveDraft } from './console-composer.js';
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
let token = null; // { start, end, query } of the "/word" being typed
let shown = []; // the replies listed
let active = 0;
let popup, list, empty;

function load() {
  if (loading) return loading;
  loading = api('GET', '/api/v1/quick-replies').then((res) => {
    loading = null;
    failed = !res.ok;
    if (res.ok) {
      replies = res.data.items || [];
      loadedAt = Date.now();
    }
    if (token) paint();
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

function optionID(i) { return 'qr-option-' + i; }

function paint() {
  const input = $('composer-input');
  const v = vars();
  shown = replies ? matching(token.query) : [];
  active = Math.min(active, Math.max(shown.length - 1, 0));
  list.replaceChildren(...shown.map((r, i) => el('li', {
    id: optionID(i), role: 'option', class: 'qr-option', 'aria-selected': i === active ? 'true' : 'false',
    dataset: { testid: 'quick-reply-option', shortcut: r.shortcut },
    onmousedown: (ev) => ev.preventDefault(), // keep the focus in the reply box
    onclick: () => pick(r),
  },
  el('span', { class: 'qr-line' },
    el('span', { class: 'qr-shortcut', text: '/' + r.shortcut }),
    r.title ? el('span', { class: 'qr-title', text: r.title }) : null,
    el('span', { class: 'qr-badge qr-' + r.scope, text: t('console.quickreply.badge_' + r.scope) })),
  el('span', { class: 'qr-text', text: render(r.body, v) }))));
  list.hidden = shown.length === 0;
  let note = '';
  if (!shown.length) {
    if (failed) note = t('console.quickreply.load_failed');
    else if (!replies) note = t('console.quickreply.loading');
    else if (!replies.length) note = t('console.quickreply.empty');
    else note = t('console.quickreply.none', { q: token.query });
  }
  empty.textContent = note;
  empty.hidden = !note;
  popup.hidden = false;
  input.setAttribute('aria-expanded', 'true');
  if (shown.length) {
    input.setAttribute('aria-activedescendant', optionID(active));
    $(optionID(active))?.scrollIntoView({ block: 'nearest' });
  } else input.removeAttribute('aria-activedescendant');
}

function close() {
  if (!token && popup.hidden) return;
  token = null;
  shown = [];
  popup.hidden = true;
  const input = $('composer-input');
  input.setAttribute('aria-expanded', 'false');
  input.removeAttribute('aria-activedescendant');
}

/** update opens, narrows or closes the list after the text or the caret changed. */
function update() {
  const input = $('composer-input');
  const tok = S.openId && document.activeElement === input ? tokenAt(input) : null;
  if (!tok) return close();
  const opening = !token;
  if (opening || tok.query !== token.query) active = 0;
  token = tok;
  if (!replies || (opening && Date.now() - loadedAt > STALE_MS)) load();
  paint();
}

function move(by) {
  if (!shown.length) return;
  active = (active + by + shown.length) % shown.length;
  for (const [i, li] of [...list.children].entries()) li.setAttribute('aria-selected', i === active ? 'true' : 'false');
  $('composer-input').setAttribute('aria-activedescendant', optionID(active));
  $(optionID(active))?.scrollIntoView({ block: 'nearest' });
}

/** pick replaces the "/word" with the reply, its variables filled in. */
function pick(r) {
  const input = $('composer-input');
  const tok = tokenAt(input) || token;
  if (!tok) return close();
  const text = render(r.body, vars());
  const before = input.value.slice(0, tok.start);
  const value = (before + text + input.value.slice(tok.end)).slice(0, input.maxLength > 0 ? input.maxLength : 10000);
  close();
  input.value = value;
  const caret = Math.min(before.length + text.length, value.length);
  input.focus();
  input.setSelectionRange(caret, caret);
  // The composer sizes itself and tells the customer the agent is typing.
  input.dispatchEvent(new Event('input', { bubbles: true }));
  close();
  saveDraft();
}

export function wireQuickReplies() {
  const form = $('composer');
  const input = $('composer-input');
  if (!form || !input) return;
  popup = el('div', { class: 'qr-popup', id: 'qr-popup', hidden: true, dataset: { testid: 'quick-reply-popup' } },
    list = el('ul', { class: 'qr-list', id: 'qr-list', role: 'listbox', 'aria-label': t('console.quickreply.label'), dataset: { testid: 'quick-reply-list' } }),
    empty = el('p', { class: 'qr-empty', role: 'status', hidden: true }),
    el('p', { class: 'qr-hint' }, t('console.quickreply.hint') + ' · ',
      el('a', { href: '/quick-replies', target: '_blank', rel: 'noopener', text: t('console.quickreply.manage') })));
  form.classList.add('has-qr');
  form.prepend(popup);
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', 'qr-list');
  input.setAttribute('aria-expanded', 'false');

  input.addEventListener('input', update);
  input.addEventListener('click', update);
  input.addEventListener('keyup', (ev) => {
    if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(ev.key)) update();
  });
  input.addEventListener('blur', () => close());
  // Capture, on the form: before the composer's own Enter (send) handler.
  form.addEventListener('keydown', (ev) => {
    if (!token || ev.target !== input || ev.isComposing || ev.keyCode === 229) return;
    switch (ev.key) {
      case 'ArrowDown': move(1); break;
      case 'ArrowUp': move(-1); break;
      case 'Enter':
      case 'Tab':
        if (ev.shiftKey || !shown.length) {
          close();
          return; // a new line, a send, or the next field, as usual
        }
        pick(shown[active]);
        break;
      case 'Escape': close(); break;
      default: return;
    }
    ev.preventDefault();
    ev.stopPropagation();
  }, true);
  document.addEventListener('sb:open', () => close());
}
