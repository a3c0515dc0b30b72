// The unanswered questions page: groups of similar questions the bot could
// not answer well. Each group becomes, in two clicks, either a new draft
// FAQ entry (opened in the editor for its answer) or similar questions of
// an existing entry; its decisions are then resolved and it leaves the list.
import { t, call, el, errorText, when } from './kb-api.js';

const box = document.getElementById('ua-groups');
const flashBox = document.getElementById('ua-flash');
const MAX_SIMILAR = 200;

const language = (s) => (/[\u3400-\u9fff\uf900-\ufaff]/.test(s) ? 'zh' : 'en');
const pct = (x) => `${Math.round((x || 0) * 100)}%`;

async function resolve(g) {
  return call('POST', '/api/v1/bot/unanswered/resolve', { decision_ids: g.decision_ids });
}

function fail(card, err) {
  card.querySelector('.form-error').textContent = errorText(err);
  card.querySelectorAll('button').forEach((b) => { b.disabled = false; });
}

async function createEntry(card, g) {
  card.querySelectorAll('button').forEach((b) => { b.disabled = true; });
  const similar = g.questions.filter((q) => q !== g.question).slice(0, MAX_SIMILAR);
  const res = await call('POST', '/api/v1/kb/entries', { kind: 'faq', language: language(g.question), question: g.question, similar, answer: '' });
  if (!res.ok) return fail(card, res.error);
  const done = await resolve(g);
  if (!done.ok) return fail(card, done.error);
  location.assign('/kb#entry/' + res.data.id);
}

async function addTo(card, g, entryID) {
  card.querySelectorAll('button').forEach((b) => { b.disabled = true; });
  const got = await call('GET', `/api/v1/kb/entries/${encodeURIComponent(entryID)}`);
  if (!got.ok) return fail(card, got.error);
  const e = got.data;
  if (e.kind !== 'faq') return fail(card, { message: t('adminkb.ua.not_faq') });
  const seen = new Set([e.question, ...(e.similar || [])].map((s) => s.trim().toLowerCase()));
  const add = g.questions.filter((q) => !seen.has(q.trim().toLowerCase()));
  const similar = [...(e.similar || []), ...add].slice(0, MAX_SIMILAR);
  if (add.length) {
    const res = await call('PATCH', `/api/v1/kb/entries/${e.id}`, { similar, note: t('adminkb.ua.note') });
    if (!res.ok) return fail(card, res.error);
  }
  const done = await resolve(g);
  if (!done.ok) return fail(card, done.error);
  card.remove();
  flashBox.replaceChildren(t('adminkb.ua.added', { n: add.length, question: e.question }), ' ',
    el('a', { href: '/kb#entry/' + e.id }, t('adminkb.ua.open')));
  document.getElementById('ua-empty').hidden = box.childElementCount > 0;
}

function target(entryID, question, extra) {
  return el('li', { 'data-entry-id': entryID }, el('a', { href: '/kb#entry/' + entryID }, question), extra ? ' ' : '',
    extra ? el('span', { class: 'hint' }, extra) : '', ' ',
    el('button', { type: 'button', class: 'secondary small', 'data-add-to': entryID }, t('adminkb.ua.add_here')));
}

function card(g) {
  const c = el('article', { class: 'card ua-group', 'data-testid': 'group', 'data-question': g.question },
    el('header', { class: 'ua-head' }, el('h2', {}, g.question),
      el('span', { class: 'kb-badge', 'data-testid': 'group-count' }, t('adminkb.ua.count', { n: g.count })),
      g.downvotes ? el('span', { class: 'kb-badge kb-down', 'data-testid': 'group-down' }, `👎 ${g.downvotes}`) : null,
      el('span', { class: 'hint' }, t('adminkb.ua.last', { when: when(g.last_at) }))),
    el('h3', {}, t('adminkb.ua.wordings')),
    el('ul', { class: 'ua-words' }, ...g.questions.map((q) => el('li', {}, q))),
    el('div', { class: 'kb-actions' }, el('button', { type: 'button', 'data-create': '' }, t('adminkb.ua.create'))));
  const sugg = el('ul', { class: 'ua-targets', 'data-testid': 'suggested' }, ...(g.suggested || []).map((s) => target(s.entry_id, s.question, pct(s.confidence))));
  if (!(g.suggested || []).length) sugg.append(el('li', { class: 'empty' }, t('adminkb.ua.no_suggested')));
  const search = el('form', { class: 'inline ua-search', role: 'search' },
    el('input', { type: 'search', name: 'q', maxlength: 200, 'aria-label': t('adminkb.ua.search'), placeholder: t('adminkb.ua.search') }),
    el('button', { type: 'submit', class: 'secondary' }, t('adminkb.ua.search_go')));
  const found = el('ul', { class: 'ua-targets', 'data-testid': 'search-results' });
  c.append(el('h3', {}, t('adminkb.ua.or_add')), sugg, search, found, el('p', { class: 'form-error', role: 'alert' }));
  search.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = search.elements.q.value.trim();
    if (!q) return;
    const res = await call('GET', '/api/v1/kb/search?' + new URLSearchParams({ q, kind: 'faq', limit: '5' }));
    found.replaceChildren();
    if (!res.ok) return fail(c, res.error);
    for (const h of res.data.items || []) found.append(target(h.entry.id, h.entry.question, h.entry.language));
    if (!found.childElementCount) found.append(el('li', { class: 'empty' }, t('adminkb.ua.no_results')));
  });
  c.addEventListener('click', (ev) => {
    if (ev.target.closest('[data-create]')) createEntry(c, g);
    const add = ev.target.closest('[data-add-to]');
    if (add) addTo(c, g, add.dataset.addTo);
  });
  return c;
}

const res = await call('GET', '/api/v1/bot/unanswered');
document.getElementById('ua-loading').hidden = true;
if (!res.ok) {
  document.getElementById('ua-error').textContent = errorText(res.error);
} else {
  const groups = res.data.items || [];
  box.replaceChildren(...groups.map(card));
  document.getElementById('ua-empty').hidden = groups.length > 0;
}
