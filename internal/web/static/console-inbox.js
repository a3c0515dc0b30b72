// The inbox: the tabs (Unassigned / Mine / All open) with their counts, the
// list of conversations, newest activity first, loaded page by page and
// kept up to date in place, and the unread count in the page's title.
import { t, el, shortTime, fullTime, initials, hue, toast } from './console-util.js';
import { $, TABS, S } from './console-state.js';
import { api, queueContact } from './console-api.js';
import { mergeConv, contactName, displayName, assigneeName, channelLabel, activity, unread, inTab } from './console-convs.js';
import { typingNames } from './console-typing.js';
import { OWNERS, ownerOf, ownerBadges, queueRank, urgent } from './console-bot.js';

/** loadTab loads a tab's first page, or the next (more), or the first afresh after a reconnect (replace). */
export async function loadTab(tab, more, replace) {
  if (S.loading[tab] && !replace) return;
  S.loading[tab] = true;
  renderListState();
  const q = new URLSearchParams({ status: 'open', limit: '50' });
  if (tab === 'unassigned') q.set('assignee_id', 'none');
  if (tab === 'mine') q.set('assignee_id', 'me');
  if (more && S.cursors[tab]) q.set('cursor', S.cursors[tab]);
  const res = await api('GET', '/api/v1/conversations?' + q);
  S.loading[tab] = false;
  if (!res.ok) {
    toast(res.error.message);
    renderListState();
    return;
  }
  if (replace) {
    // After a reconnect: what we knew may be stale (closed, reassigned
    // meanwhile). Keep the open conversation and what this page returned.
    const keep = new Set((res.data.items || []).map((c) => c.id));
    for (const id of [...S.convs.keys()]) if (id !== S.openId && !keep.has(id)) S.convs.delete(id);
    S.cursors = {};
  }
  for (const c of res.data.items || []) {
    const cur = mergeConv(c);
    if (!cur.contact_name) queueContact(cur.contact_id);
  }
  S.cursors[tab] = res.data.next_cursor || '';
  scheduleList();
}

const items = new Map(); // conversation id → list item
let listQueued = false;
/** scheduleList redraws the list once, in the next frame. */
export function scheduleList() {
  if (listQueued) return;
  listQueued = true;
  requestAnimationFrame(() => {
    listQueued = false;
    renderList();
  });
}

function buildItem(id) {
  const li = el('li', { class: 'conv-item', 'data-conversation-id': id, 'data-testid': 'conversation-item' });
  const a = el('a', { class: 'conv-link', href: '#c/' + id });
  const parts = {
    avatar: el('span', { class: 'avatar', 'aria-hidden': 'true' }),
    name: el('span', { class: 'conv-name', 'data-testid': 'conversation-name' }),
    time: el('time', { class: 'conv-time' }),
    preview: el('span', { class: 'conv-preview', 'data-testid': 'conversation-preview' }),
    dot: el('span', { class: 'unread-dot', 'data-testid': 'unread-marker', title: t('console.unread') }),
    chan: el('span', { class: 'chan-tag' }),
    badges: el('span', { class: 'conv-badges' }),
    assignee: el('span', { class: 'conv-assignee' }),
  };
  a.append(parts.avatar, el('span', { class: 'conv-main' },
    el('span', { class: 'conv-top' }, parts.name, parts.time),
    el('span', { class: 'conv-mid' }, parts.preview, parts.dot),
    el('span', { class: 'conv-bottom' }, parts.chan, parts.badges, parts.assignee)));
  li.append(a);
  li._p = parts;
  return li;
}

function updateItem(li, c) {
  const p = li._p;
  const name = displayName(c);
  const set = (node, text) => { if (node.textContent !== text) node.textContent = text; };
  set(p.name, name);
  set(p.avatar, initials(contactName(c) || '') === '?' ? '' : initials(contactName(c)));
  p.avatar.className = 'avatar ' + hue(c.contact_id) + (contactName(c) ? '' : ' anon');
  const when = new Date(activity(c));
  set(p.time, shortTime(when));
  p.time.setAttribute('datetime', when.toISOString());
  p.time.title = fullTime(when);
  const typing = typingNames(c.id, true);
  set(p.preview, typing || c.last_preview || '');
  p.preview.classList.toggle('is-typing', !!typing);
  const un = unread(c);
  li.classList.toggle('unread', un);
  li.dataset.unread = un ? 'true' : 'false';
  p.dot.hidden = !un;
  set(p.chan, channelLabel(c));
  const sig = [ownerOf(c), c.handoff_reason || '', c.priority || 0, c.left_message ? 1 : 0].join('|');
  if (p.badges.dataset.sig !== sig) {
    p.badges.dataset.sig = sig;
    p.badges.replaceChildren(...ownerBadges(c));
  }
  li.dataset.owner = ownerOf(c);
  li.classList.toggle('urgent', urgent(c) && ownerOf(c) !== 'closed');
  const an = assigneeName(c);
  set(p.assignee, an ? '→ ' + an : '');
  const current = c.id === S.openId;
  li.classList.toggle('current', current);
  const link = li.querySelector('.conv-link');
  if (current) link.setAttribute('aria-current', 'true');
  else link.removeAttribute('aria-current');
}

function renderList() {
  const ul = $('conv-list');
  // Unhappy customers waiting for a person come first; then newest activity.
  const list = [...S.convs.values()].filter((c) => inTab(c, S.tab) && (!S.owner || ownerOf(c) === S.owner))
    .sort((a, b) => queueRank(b) - queueRank(a) || activity(b) - activity(a) || (a.id < b.id ? 1 : -1));
  const want = new Set(list.map((c) => c.id));
  for (const [id, li] of items) {
    if (!want.has(id)) {
      li.remove();
      items.delete(id);
    }
  }
  let prev = null;
  for (const c of list) {
    let li = items.get(c.id);
    if (!li) {
      li = buildItem(c.id);
      items.set(c.id, li);
    }
    updateItem(li, c);
    const at = prev ? prev.nextSibling : ul.firstChild;
    if (at !== li) ul.insertBefore(li, at);
    prev = li;
  }
  renderListState(list.length);
  renderTitle();
}

function renderListState(n = $('conv-list').children.length) {
  const loaded = S.tab in S.cursors;
  const busy = !!S.loading[S.tab];
  $('list-loading').hidden = !(busy && n === 0);
  const empty = $('list-empty');
  empty.hidden = !(loaded && !busy && n === 0);
  empty.textContent = S.owner ? t('console.empty_owner') : t('console.empty_' + S.tab);
  $('load-more').hidden = !(loaded && S.cursors[S.tab]);
  $('load-more').disabled = busy;
}

export function renderCounts() {
  for (const k of TABS) {
    const n = S.counts[k] || 0;
    const node = $('count-' + k);
    node.textContent = n > 999 ? '999+' : String(n);
    node.classList.toggle('zero', n === 0);
  }
}

function renderTitle() {
  let n = 0;
  for (const c of S.convs.values()) if (c.status === 'open' && unread(c) && (!c.assignee_id || c.assignee_id === S.me)) n++;
  const base = t('console.title') + ' · Switchboard';
  document.title = n ? `(${n}) ${base}` : base;
}

export function selectTab(tab) {
  S.tab = tab;
  localStorage.setItem('sb.console.tab', tab);
  for (const b of document.querySelectorAll('.tab')) {
    const on = b.dataset.tab === tab;
    b.setAttribute('aria-selected', on ? 'true' : 'false');
    b.tabIndex = on ? 0 : -1;
  }
  $('conv-list').setAttribute('aria-labelledby', 'tab-' + tab);
  if (!(tab in S.cursors)) loadTab(tab);
  renderList();
}

export function wireInbox() {
  for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => selectTab(b.dataset.tab));
  document.querySelector('.tabs').addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
    const i = TABS.indexOf(S.tab) + (ev.key === 'ArrowRight' ? 1 : -1);
    const tab = TABS[(i + TABS.length) % TABS.length];
    selectTab(tab);
    $('tab-' + tab).focus();
  });
  $('load-more').addEventListener('click', () => loadTab(S.tab, true));
  for (const b of document.querySelectorAll('#owner-filter button')) b.addEventListener('click', () => selectOwner(b.dataset.owner));
  selectOwner(S.owner);
}

/** selectOwner shows only conversations the bot, the queue or agents have ('' for all). */
export function selectOwner(owner) {
  S.owner = OWNERS.includes(owner) ? owner : '';
  localStorage.setItem('sb.console.owner', S.owner);
  for (const b of document.querySelectorAll('#owner-filter button')) b.setAttribute('aria-pressed', b.dataset.owner === S.owner ? 'true' : 'false');
  renderList();
}
