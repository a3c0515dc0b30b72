// @mentions: in Note mode, typing "@" opens a list of the tenant's people
// that narrows as the agent types (@li → 李娜, Li Wei); ↑/↓ move, Enter or
// Tab (or a click) writes "@Name ", Esc closes (console-picker.js). Notes
// show their mentions highlighted. A bell in the inbox head counts the
// agent's unread mentions (GET /api/v1/notifications); its list says who
// mentioned them, where, what and when, and a click opens the conversation
// and marks it read. A mention arriving live (the "notification" frame)
// shows a toast and adds to the count.
//
// Who is mentioned follows the server's rule (internal/notification): "@"
// (or "＠") not inside a word, then the longest display name or e-mail
// local part of an active user, without case.
import { t, el, toast, shortTime, fullTime, initials, hue } from './console-util.js';
import { $, S } from './console-state.js';
import { api } from './console-api.js';
import { tokenPicker } from './console-picker.js';

const MAX_SHOWN = 8;
const MAX_QUERY = 40;
const PAGE = 20;

// ------------------------------------------------------------ the parser

const WORD = /[\p{L}\p{N}_]/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const isWord = (ch) => !!ch && WORD.test(ch) && !CJK.test(ch);
const isAt = (ch) => ch === '@' || ch === '＠';
// fold compares without case, keeping every character's length (offsets
// into the folded text are offsets into the text), and makes every space a
// plain one.
const fold = (s) => Array.from(s, (c) => {
  if (c === '\u00a0' || c === '\u3000') return ' ';
  const l = c.toLowerCase();
  return l.length === c.length ? l : c;
}).join('');

/** people are the active users who can be mentioned. */
function people() {
  return [...S.users.values()].filter((u) => !u.disabled && u.id);
}

/** keysOf are the folded names a user is mentioned by: display name and e-mail local part. */
function keysOf(u) {
  const out = [];
  const name = (u.name || '').trim();
  if (name) out.push(fold(name));
  const at = (u.email || '').lastIndexOf('@');
  if (at > 0) out.push(fold(u.email.slice(0, at)));
  return out;
}

/** findMentions returns [{ start, end, ids }] of the mentions in text (start at the "@"). */
export function findMentions(text) {
  if (!text || !/[@＠]/.test(text)) return [];
  const keys = [];
  for (const u of people()) for (const k of keysOf(u)) keys.push({ k, id: u.id });
  if (!keys.length) return [];
  const low = fold(text);
  const out = [];
  const chars = [...text];
  // Work on UTF-16 offsets, as the DOM does; Array.from keeps pairs together.
  let off = 0;
  const offsets = chars.map((c) => { const o = off; off += c.length; return o; });
  for (let i = 0; i < chars.length; i++) {
    if (!isAt(chars[i]) || (i > 0 && isWord(chars[i - 1]))) continue;
    const from = offsets[i] + chars[i].length;
    let best = null;
    for (const { k, id } of keys) {
      if (low.slice(from, from + k.length) !== k) continue;
      const end = from + k.length;
      const last = text.slice(from, end).slice(-1);
      const next = text.slice(end, end + 2);
      if (isWord(last) && isWord([...next][0])) continue;
      if (!best || end > best.end) best = { start: offsets[i], end, ids: [id] };
      else if (end === best.end && !best.ids.includes(id)) best.ids.push(id);
    }
    if (best) {
      out.push(best);
      while (i + 1 < chars.length && offsets[i + 1] < best.end) i++;
    }
  }
  return out;
}

// ------------------------------------------------------------ highlighting

/** highlight wraps the mentions in a note's text in <span class="mention">. */
function highlight(body) {
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => (n.parentElement && n.parentElement.closest('a, .mention') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const nodes = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
  for (const n of nodes) {
    const text = n.nodeValue;
    const found = findMentions(text);
    if (!found.length) continue;
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const m of found) {
      if (m.start > last) frag.append(text.slice(last, m.start));
      const me = m.ids.includes(S.me);
      frag.append(el('span', { class: 'mention' + (me ? ' mention-me' : ''), 'data-testid': 'mention', text: text.slice(m.start, m.end) }));
      last = m.end;
    }
    if (last < text.length) frag.append(text.slice(last));
    n.replaceWith(frag);
  }
}

let retryTimer = null;
let retries = 0;

/** highlightNotes highlights the notes under root not done yet (once the people are known). */
function highlightNotes(root) {
  // The selector is matched in the whole page, the bodies found under root
  // (root may be the note's article itself).
  const bodies = root.querySelectorAll ? root.querySelectorAll('article[data-private="true"] .msg-body:not([data-mentions])') : [];
  if (!bodies.length) return;
  if (!S.users.size) {
    // The people are still loading: look again in a moment.
    if (!retryTimer && retries < 40) {
      retries++;
      retryTimer = setTimeout(() => { retryTimer = null; highlightNotes($('messages')); }, 500);
    }
    return;
  }
  for (const b of bodies) {
    b.dataset.mentions = '1';
    highlight(b);
  }
}

// ------------------------------------------------------------ the picker

let picker = null;

/** tokenAt finds "@query" right before the caret, in Note mode. */
function tokenAt(input) {
  if (!S.note || input.selectionStart !== input.selectionEnd) return null;
  const upto = input.value.slice(0, input.selectionStart);
  const at = Math.max(upto.lastIndexOf('@'), upto.lastIndexOf('＠'));
  if (at < 0) return null;
  const query = upto.slice(at + 1);
  if (query.length > MAX_QUERY || /[\n@＠]/.test(query) || /^\s/.test(query)) return null;
  if (at > 0 && isWord([...upto.slice(0, at)].pop())) return null;
  return { start: at, end: upto.length, query: fold(query) };
}

/** matching ranks people whose name or address starts with the query, then those whose name has a word or part that does. */
function matching(q) {
  const ranked = [];
  for (const u of people()) {
    if (u.id === S.me) continue;
    const keys = keysOf(u);
    const name = fold((u.name || '').trim());
    let rank = -1;
    if (keys.some((k) => k.startsWith(q))) rank = 0;
    else if (name.split(/\s+/).some((w) => w.startsWith(q))) rank = 1;
    else if (q && keys.some((k) => k.includes(q))) rank = 2;
    if (rank >= 0) ranked.push({ rank, u });
  }
  ranked.sort((a, b) => a.rank - b.rank || (a.u.name || '').localeCompare(b.u.name || ''));
  return ranked.slice(0, MAX_SHOWN).map((x) => x.u);
}

/** option shows a person: avatar, name and address. */
function option(u) {
  return {
    data: { userId: u.id },
    content: [
      el('span', { class: 'mention-avatar ' + hue(u.id), 'aria-hidden': 'true', text: initials(u.name) }),
      el('span', { class: 'mention-who' },
        el('span', { class: 'mention-name', text: u.name || u.email }),
        el('span', { class: 'mention-email', text: u.email || '' })),
    ],
  };
}

function wirePicker() {
  picker = tokenPicker({
    name: 'mention',
    formClass: 'has-mentions',
    label: t('console.mentions.picker_label'),
    hint: t('console.mentions.picker_hint'),
    testids: { popup: 'mention-picker', option: 'mention-option' },
    tokenAt,
    items: matching,
    option,
    // Typed on past a name: not a mention being written any more.
    note: (q) => (/\s/.test(q) ? null : S.users.size ? t('console.mentions.no_match') : t('console.mentions.loading')),
    text: (u) => '@' + (u.name || u.email.split('@')[0]) + ' ',
  });
  // Leaving Note mode, or the conversation, closes the list.
  for (const id of ['note-toggle', 'mode-reply']) $(id)?.addEventListener('click', () => setTimeout(() => picker?.update(), 0));
}

// ------------------------------------------------------------ the bell

const N = {
  items: [], // newest first
  cursor: '', // next page
  unread: 0,
  loaded: false,
  loading: null,
  failed: false,
};
let bell, badge, menu, menuList, menuState, more, markAll;

function renderBadge() {
  const n = N.unread;
  badge.textContent = n > 99 ? '99+' : String(n);
  badge.hidden = n <= 0;
  bell.classList.toggle('has-unread', n > 0);
  const label = n > 0 ? t('console.mentions.bell_unread', { count: n }) : t('console.mentions.bell');
  bell.setAttribute('aria-label', label);
  bell.title = label;
  markAll.disabled = n <= 0;
}

/** load fetches the first page (again), or the next one. */
function load(next) {
  if (N.loading) return N.loading;
  const q = '?limit=' + PAGE + (next && N.cursor ? '&cursor=' + encodeURIComponent(N.cursor) : '');
  N.loading = api('GET', '/api/v1/notifications' + q).then((res) => {
    N.loading = null;
    N.failed = !res.ok;
    if (res.ok) {
      const got = res.data.items || [];
      if (next) {
        const known = new Set(N.items.map((x) => x.id));
        N.items.push(...got.filter((x) => !known.has(x.id)));
      } else N.items = got;
      N.cursor = res.data.next_cursor || '';
      N.unread = res.data.unread || 0;
      N.loaded = true;
    }
    renderBadge();
    if (!menu.hidden) renderMenu();
  });
  return N.loading;
}

function whoOf(n) {
  return n.actor_name || S.users.get(n.actor_id)?.name || t('console.mentions.someone');
}

function whereOf(n) {
  const conv = S.convs.get(n.conversation_id);
  const name = n.contact_name || conv?.contact_name || '';
  return name ? t('console.mentions.in_conversation', { name }) : t('console.mentions.a_conversation');
}

function renderMenu() {
  menuState.hidden = true;
  if (!N.loaded) {
    menuState.textContent = N.failed ? t('console.mentions.load_failed') : t('console.mentions.loading');
    menuState.hidden = false;
  } else if (!N.items.length) {
    menuState.textContent = t('console.mentions.empty');
    menuState.hidden = false;
  }
  menuList.replaceChildren(...N.items.map((n) => {
    const d = new Date(n.created_at);
    return el('li', { class: 'mention-item' + (n.read_at ? '' : ' unread'), dataset: { testid: 'notification', id: n.id, conversationId: n.conversation_id } },
      el('button', { type: 'button', class: 'mention-open', onclick: () => openNotification(n) },
        el('span', { class: 'mention-avatar ' + hue(n.actor_id), 'aria-hidden': 'true', text: initials(whoOf(n)) }),
        el('span', { class: 'mention-text' },
          el('span', { class: 'mention-line' },
            el('strong', { class: 'mention-actor', text: t('console.mentions.mentioned_you', { name: whoOf(n) }) }),
            el('time', { datetime: d.toISOString(), title: fullTime(d), text: shortTime(d) })),
          el('span', { class: 'mention-where', text: whereOf(n) }),
          el('span', { class: 'mention-excerpt', text: n.body || '' })),
        n.read_at ? null : el('span', { class: 'unread-dot', title: t('console.mentions.unread') })));
  }));
  more.hidden = !N.cursor;
}

function setMenu(open) {
  menu.hidden = !open;
  bell.setAttribute('aria-expanded', open ? 'true' : 'false');
  if (open) {
    renderMenu();
    load(false);
  }
}

/** markRead marks notifications read on the server and here. */
async function markRead(body) {
  const res = await api('POST', '/api/v1/notifications/read', body);
  if (!res.ok) {
    toast(res.error.message || t('console.mentions.load_failed'));
    return;
  }
  const now = new Date().toISOString();
  for (const n of N.items) if (body.all || body.ids.includes(n.id)) n.read_at = n.read_at || now;
  N.unread = res.data.unread;
  renderBadge();
  if (!menu.hidden) renderMenu();
}

/** openNotification opens its conversation and marks it read. */
function openNotification(n) {
  setMenu(false);
  location.hash = '#c/' + n.conversation_id;
  if (!n.read_at) {
    n.read_at = new Date().toISOString();
    N.unread = Math.max(0, N.unread - 1);
    renderBadge();
    markRead({ ids: [n.id] });
  }
}

/** onNotification: a mention arrived live. */
function onNotification(n) {
  if (!n || !n.id || N.items.some((x) => x.id === n.id)) return;
  N.items.unshift(n);
  if (!n.read_at) N.unread++;
  renderBadge();
  if (!menu.hidden) renderMenu();
  toast(t('console.mentions.toast', { name: whoOf(n), excerpt: (n.body || '').slice(0, 120) }));
  // The toast is clickable: it opens the conversation.
  const node = $('toasts')?.lastElementChild;
  if (node) {
    node.classList.add('toast-mention');
    node.dataset.testid = 'mention-toast';
    node.querySelector('svg.icon-alert')?.remove();
    const text = node.querySelector('span');
    if (text) {
      text.classList.add('toast-link');
      text.setAttribute('role', 'button');
      text.tabIndex = 0;
      const go = () => { node.remove(); openNotification(n); };
      text.addEventListener('click', go);
      text.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); go(); } });
    }
  }
}

function wireBell() {
  const box = $('mentions');
  if (!box) return;
  bell = el('button', { type: 'button', class: 'icon-btn mentions-bell', id: 'mentions-bell', 'data-testid': 'mentions-bell',
    'aria-haspopup': 'true', 'aria-expanded': 'false', 'aria-controls': 'mentions-menu' });
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', 'M6 16v-5a6 6 0 0 1 12 0v5l2 2H4zM10 21a2 2 0 0 0 4 0');
  svg.append(path);
  badge = el('span', { class: 'mentions-badge', id: 'mentions-badge', 'data-testid': 'mentions-badge', hidden: true, text: '0' });
  bell.append(svg, badge);
  markAll = el('button', { type: 'button', class: 'link', 'data-testid': 'mentions-mark-all', text: t('console.mentions.mark_all'),
    onclick: () => markRead({ all: true }) });
  menuList = el('ul', { class: 'mentions-list', 'data-testid': 'notification-list' });
  menuState = el('p', { class: 'mentions-state', role: 'status' });
  more = el('button', { type: 'button', class: 'link mentions-more', hidden: true, text: t('console.mentions.more'), onclick: () => load(true) });
  menu = el('div', { class: 'mentions-menu', id: 'mentions-menu', 'data-testid': 'mentions-menu', role: 'region',
    'aria-label': t('console.mentions.title'), hidden: true },
  el('div', { class: 'mentions-menu-head' }, el('h2', { text: t('console.mentions.title') }), markAll),
  menuState, menuList, more);
  box.append(bell, menu);
  bell.addEventListener('click', () => setMenu(menu.hidden));
  document.addEventListener('click', (ev) => {
    if (!menu.hidden && !box.contains(ev.target)) setMenu(false);
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !menu.hidden) {
      setMenu(false);
      bell.focus();
    }
  });
  renderBadge();
  load(false);
}

export function wireMentions() {
  wirePicker();
  wireBell();
  const messages = $('messages');
  if (messages) {
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1) highlightNotes(n);
    }).observe(messages, { childList: true, subtree: true });
  }
  document.addEventListener('sb:frame', (ev) => {
    const { type, data } = ev.detail || {};
    if (type === 'notification') onNotification(data);
    // After a reconnect, mentions may have arrived while away.
    else if (type === 'welcome' && N.loaded) load(false);
  });
}
