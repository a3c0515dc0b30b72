// The satisfaction ratings page (/ratings): the average and distribution of
// the customers' ratings in a period, the ratings themselves with their
// comments and links to the conversations, and — for supervisors and
// administrators — tables per agent, team and channel. The API gives an
// agent only their own ratings; this page only chooses what to ask for.
import { t, call, el, errorText } from './kb-api.js';

const root = document.getElementById('ratings');
const form = document.getElementById('csat-filter');
const totalBox = document.getElementById('csat-total');
const list = document.getElementById('csat-list');
const state = document.getElementById('csat-state');
const more = document.getElementById('csat-more');
const groupBoxes = [...document.querySelectorAll('[data-group]')];
const lang = document.documentElement.lang || 'en';
const timeFmt = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
const numFmt = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 2 });

let cursor = '';
let run = 0;

function filterQuery() {
  const q = new URLSearchParams();
  for (const name of ['from', 'to']) {
    const v = form.elements[name].value;
    if (v) q.set(name, v);
  }
  return q;
}

function starsOf(score) {
  return el('span', { class: 'csat-stars', 'aria-hidden': 'true' }, '★'.repeat(score) + '☆'.repeat(5 - score));
}

/** nameOf is a group's or rating's name: its name, "(none)" or "(deleted)". */
function nameOf(id, name) {
  if (!id) return t('csat.none');
  return name || t('csat.deleted');
}

function distribution(g) {
  const rows = [];
  const max = Math.max(1, ...g.distribution);
  for (let s = 5; s >= 1; s--) {
    const n = g.distribution[s - 1] || 0;
    const fill = el('span', { class: 'csat-bar-fill' });
    fill.style.width = `${Math.round((n / max) * 100)}%`;
    rows.push(el('li', { class: 'csat-dist-row', 'data-score': s },
      el('span', { class: 'csat-dist-label' }, t('csat.stars', { n: s })),
      el('span', { class: 'csat-bar', 'aria-hidden': 'true' }, fill),
      el('span', { class: 'csat-dist-count' }, String(n))));
  }
  return el('ol', { class: 'csat-dist', 'aria-label': t('csat.distribution') }, rows);
}

function renderTotal(g) {
  const avg = g.count ? numFmt.format(g.average) : '–';
  totalBox.replaceChildren(
    el('div', { class: 'csat-headline' },
      el('span', { class: 'csat-avg', 'data-testid': 'csat-average' }, avg),
      el('span', { class: 'csat-avg-of' }, ' / 5'),
      g.count ? starsOf(Math.round(g.average)) : null,
      el('span', { class: 'csat-count', 'data-testid': 'csat-count' }, t('csat.count', { n: g.count }))),
    distribution(g));
}

function renderGroup(box, items) {
  if (!items.length) {
    box.replaceChildren(el('p', { class: 'hint' }, t('csat.empty')));
    return;
  }
  const head = el('tr', {}, el('th', { scope: 'col' }, box.dataset.label), el('th', { scope: 'col' }, t('csat.ratings')),
    el('th', { scope: 'col' }, t('csat.average')),
    ...[1, 2, 3, 4, 5].map((s) => el('th', { scope: 'col', class: 'num' }, t('csat.stars', { n: s }))));
  const rows = items.map((g) => el('tr', { 'data-key': g.key },
    el('th', { scope: 'row' }, nameOf(g.key, g.name)),
    el('td', { class: 'num' }, String(g.count)),
    el('td', { class: 'num' }, numFmt.format(g.average)),
    ...g.distribution.map((n) => el('td', { class: 'num' }, String(n)))));
  box.replaceChildren(el('table', { class: 'list csat-table' }, el('thead', {}, head), el('tbody', {}, rows)));
}

function ratingItem(r) {
  const when = new Date(r.updated_at);
  const meta = [r.contact_name || t('csat.visitor')];
  if (root.dataset.all === 'true') meta.push(`${t('csat.agent')}: ${nameOf(r.agent_id, r.agent_name)}`);
  if (r.channel_id) meta.push(nameOf(r.channel_id, r.channel_name));
  return el('li', { class: 'csat-item', 'data-testid': 'csat-item', 'data-conversation-id': r.conversation_id, 'data-score': r.score },
    el('div', { class: 'csat-item-head' },
      starsOf(r.score),
      el('strong', { class: 'csat-item-score' }, t('csat.score', { n: r.score })),
      el('span', { class: 'csat-item-meta' }, meta.join(' · ')),
      el('time', { datetime: r.updated_at, class: 'csat-item-time' }, timeFmt.format(when))),
    r.comment ? el('blockquote', { class: 'csat-item-comment', 'data-testid': 'csat-item-comment' }, r.comment) : null,
    el('a', { href: `/console#c/${encodeURIComponent(r.conversation_id)}`, class: 'csat-item-link' }, t('csat.open_conversation')));
}

function fail(err) {
  form.querySelector('.form-error').textContent = errorText(err);
  state.textContent = '';
}

async function loadPage(mine) {
  const q = filterQuery();
  q.set('limit', '50');
  if (cursor) q.set('cursor', cursor);
  more.disabled = true;
  const res = await call('GET', `/api/v1/csat/ratings?${q}`);
  if (mine !== run) return;
  more.disabled = false;
  if (!res.ok) return fail(res.error);
  list.append(...res.data.items.map(ratingItem));
  cursor = res.data.next_cursor || '';
  more.hidden = !cursor;
  state.textContent = list.childElementCount ? '' : t('csat.empty');
  state.hidden = !state.textContent;
}

async function load() {
  const mine = ++run;
  form.querySelector('.form-error').textContent = '';
  cursor = '';
  list.replaceChildren();
  state.hidden = false;
  state.textContent = t('csat.loading');
  const q = filterQuery();
  const total = await call('GET', `/api/v1/csat/summary?${q}`);
  if (mine !== run) return;
  if (!total.ok) return fail(total.error);
  renderTotal(total.data.total);
  await Promise.all(groupBoxes.map(async (box) => {
    const gq = filterQuery();
    gq.set('group', box.dataset.group);
    const res = await call('GET', `/api/v1/csat/summary?${gq}`);
    if (mine !== run) return;
    if (!res.ok) return fail(res.error);
    renderGroup(box, res.data.items);
  }));
  await loadPage(mine);
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  load();
});
more.addEventListener('click', () => loadPage(run));
load();
