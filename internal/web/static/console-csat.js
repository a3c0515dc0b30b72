// The customer's satisfaction rating in the console's details panel: when
// a closed conversation is opened (the "sb:open" event), its rating — stars,
// comment, when — or a note that the customer has not rated it. A rating
// arrives after the close, so while the open conversation is closed and
// unrated the panel asks again now and then. Agents see only their own
// ratings: for a colleague's conversation the API answers 403 and the panel
// stays hidden.
import { t, el, fullTime } from './console-util.js';
import { S } from './console-state.js';
import { api } from './console-api.js';

const RECHECK_MS = 15000;

const panel = document.getElementById('csat-panel');
const body = document.getElementById('csat-panel-body');
let current = null; // the conversation id shown
let timer = 0;
let seq = 0;

function stars(score) {
  const s = el('span', { class: 'csat-stars', 'aria-hidden': 'true', text: '★'.repeat(score) + '☆'.repeat(5 - score) });
  return el('span', { class: 'csat-score', title: t('console.csat.score', { n: score }) }, s,
    el('span', { class: 'sr-only', text: t('console.csat.score', { n: score }) }));
}

function show(r) {
  body.replaceChildren(
    el('p', { class: 'csat-line', 'data-testid': 'csat-score', dataset: { score: String(r.score) } }, stars(r.score),
      el('span', { class: 'csat-num', text: ` ${r.score}/5` })),
    r.comment ? el('blockquote', { class: 'csat-comment', 'data-testid': 'csat-comment', text: r.comment }) : null,
    el('p', { class: 'csat-when', text: t('console.csat.rated_at', { time: fullTime(new Date(r.updated_at)) }) }));
  panel.hidden = false;
}

function clear() {
  clearTimeout(timer);
  timer = 0;
  current = null;
  panel.hidden = true;
  body.replaceChildren();
}

async function load(id) {
  clearTimeout(timer);
  const mine = ++seq;
  const res = await api('GET', `/api/v1/conversations/${encodeURIComponent(id)}/csat`);
  if (mine !== seq || current !== id) return;
  if (res.ok) {
    show(res.data);
    return;
  }
  if (res.status === 404) {
    body.replaceChildren(el('p', { class: 'csat-none', 'data-testid': 'csat-none', text: t('console.csat.none') }));
    panel.hidden = false;
  } else {
    panel.hidden = true;
  }
  // Not rated yet (or the network failed): the customer may still rate it.
  if (res.status === 404 || res.status === 0) timer = setTimeout(() => { if (current === id) load(id); }, RECHECK_MS);
}

function follow(conv) {
  if (!conv || conv.status !== 'closed') {
    clear();
    return;
  }
  if (current === conv.id) return;
  current = conv.id;
  panel.hidden = true;
  load(conv.id);
}

if (panel && body) {
  document.addEventListener('sb:open', (e) => follow(e.detail && e.detail.id ? e.detail.conv || S.convs.get(e.detail.id) : null));
  document.addEventListener('sb:frame', (e) => {
    const d = e.detail || {};
    if (d.type !== 'conversation' || !d.data || d.data.id !== S.openId) return;
    if (d.data.status !== 'closed') clear();
    else follow(d.data);
  });
  // Opened before this module was ready (a link to #c/ID).
  if (S.openId) follow(S.convs.get(S.openId));
}
