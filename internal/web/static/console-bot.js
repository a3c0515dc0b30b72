// The bot in the console: who owns a conversation (the bot, the queue of
// people, an agent) and why the bot handed it over, and how urgent it is;
// the "Why?" panel with the bot's decisions in the open conversation; the
// knowledge-base search whose answers go into the composer; and "Save as
// FAQ", which drafts a knowledge-base entry from a customer's question and
// the agent's reply (a reviewer approves it before the bot uses it).
import { t, el, fullTime } from './console-util.js';
import { $, S, cfg } from './console-state.js';
import { api } from './console-api.js';
import { insertText } from './console-composer.js';

export const OWNERS = ['bot', 'queue', 'agent'];

/** ownerOf is who is responsible for a conversation now. */
export function ownerOf(c) {
  if (!c || c.status === 'closed') return 'closed';
  if (c.owner && c.owner !== 'closed') return c.owner;
  return c.assignee_id ? 'agent' : 'queue';
}

/** reasonLabel is the hand-off reason in words ('' when there is none). */
export function reasonLabel(r) {
  if (!r) return '';
  const k = 'console.reason_' + r;
  const s = t(k);
  return s === k ? r : s;
}

/** urgent: the bot raised the priority (an unhappy customer). */
export const urgent = (c) => (c.priority || 0) > 0;

/** queueRank orders waiting conversations: higher priority first. */
export const queueRank = (c) => (ownerOf(c) === 'queue' ? c.priority || 0 : 0);

/**
 * ownerBadges are the badges of a conversation: its owner, the hand-off
 * reason (while people have it), and ⚠ for an unhappy customer.
 */
export function ownerBadges(c) {
  const o = ownerOf(c);
  const out = [];
  if (o !== 'closed') {
    out.push(el('span', { class: 'badge owner owner-' + o, 'data-testid': 'owner-badge', 'data-owner': o, text: t('console.owner_' + o) }));
  }
  if (c.handoff_reason && (o === 'queue' || o === 'agent')) {
    out.push(el('span', { class: 'badge reason', 'data-testid': 'reason-badge', 'data-reason': c.handoff_reason,
      title: t('console.handoff_reason'), text: reasonLabel(c.handoff_reason) }));
  }
  if (urgent(c) && o !== 'closed') {
    out.push(el('span', { class: 'badge priority', 'data-testid': 'priority-badge', title: t('console.priority_title', { n: c.priority }),
      text: '⚠ ' + t('console.priority_unhappy') }));
  }
  // Left a message (留言): nobody could serve the customer live.
  if (c.left_message) out.push(el('span', { class: 'badge left-message', 'data-testid': 'left-message-badge', title: t('console.agent.left_message_title'), text: '✉ ' + t('console.agent.left_message') }));
  return out;
}

// ------------------------------------------------------------ the side panel

let panel = null; // 'why', 'kb' or null

export function openPanel(which) {
  panel = panel === which ? null : which;
  const box = $('tool-panel');
  box.hidden = !panel;
  box.dataset.panel = panel || '';
  $('why-view').hidden = panel !== 'why';
  $('kb-view').hidden = panel !== 'kb';
  $('why-button').setAttribute('aria-pressed', panel === 'why' ? 'true' : 'false');
  $('kb-button').setAttribute('aria-pressed', panel === 'kb' ? 'true' : 'false');
  if (panel === 'why') renderWhy();
  if (panel === 'kb') $('kb-q').focus();
}

/** panelConversationChanged refreshes the panel for another open conversation. */
export function panelConversationChanged() {
  if (panel === 'why') renderWhy();
}

let whyTimer = null;
/** botActivity: the bot spoke or handed off in a conversation; the "Why?" panel follows. */
export function botActivity(convId) {
  if (panel !== 'why' || convId !== S.openId) return;
  clearTimeout(whyTimer);
  whyTimer = setTimeout(renderWhy, 300);
}

const pct = (x) => Math.round(Math.max(0, Math.min(1, x || 0)) * 100) + '%';

function decisionEl(d) {
  const kindKey = 'console.decision_' + d.kind;
  const kind = t(kindKey) === kindKey ? d.kind : t(kindKey);
  const when = new Date(d.created_at);
  const head = el('div', { class: 'decision-head' },
    el('span', { class: 'badge decision-kind kind-' + d.kind, 'data-testid': 'decision-kind', text: kind }),
    d.reason ? el('span', { class: 'badge reason', text: reasonLabel(d.reason) }) : null,
    el('time', { datetime: when.toISOString(), text: fullTime(when) }));
  const cands = el('ol', { class: 'candidates', 'aria-label': t('console.why_candidates') });
  for (const c of (d.candidates || []).slice(0, 3)) {
    const chosen = c.entry_id && c.entry_id === d.entry_id;
    const meter = el('span', { class: 'bar', 'aria-hidden': 'true' }, el('i', { class: 'fill' }));
    meter.firstChild.style.width = pct(c.confidence);
    cands.append(el('li', { class: chosen ? 'chosen' : '', 'data-testid': 'decision-candidate' },
      el('span', { class: 'cand-q', text: c.question }), meter, el('span', { class: 'cand-pct', text: pct(c.confidence) })));
  }
  const flags = [];
  if (d.context) flags.push(t('console.why_context'));
  if (d.negative) flags.push(t('console.why_negative'));
  if (d.rating > 0) flags.push('👍 ' + t('console.why_rated_up'));
  if (d.rating < 0) flags.push('👎 ' + t('console.why_rated_down'));
  return el('li', { class: 'decision', 'data-testid': 'decision', 'data-kind': d.kind, 'data-rating': String(d.rating || 0) },
    head,
    el('p', { class: 'decision-q' }, el('span', { class: 'label', text: t('console.why_question') + ' ' }), el('q', { 'data-testid': 'decision-question', text: d.question })),
    el('p', { class: 'decision-conf', text: t('console.why_confidence', { pct: pct(d.confidence) }) }),
    (d.candidates || []).length ? cands : el('p', { class: 'muted', text: t('console.why_no_candidates') }),
    flags.length ? el('p', { class: 'decision-flags', text: flags.join(' · ') }) : null);
}

let whySeq = 0;
export async function renderWhy() {
  const id = S.openId;
  const list = $('why-list');
  const state = $('why-state');
  if (!id) return;
  const mine = ++whySeq;
  state.hidden = false;
  state.textContent = t('console.loading');
  const res = await api('GET', `/api/v1/conversations/${encodeURIComponent(id)}/bot-decisions`);
  if (mine !== whySeq || S.openId !== id) return;
  if (!res.ok) {
    list.replaceChildren();
    state.textContent = res.status === 404 ? t('console.why_none') : res.error.message;
    return;
  }
  const items = res.data.items || [];
  list.replaceChildren(...items.slice().reverse().map(decisionEl));
  state.hidden = items.length > 0;
  state.textContent = items.length ? '' : t('console.why_none');
}

// ------------------------------------------------------------ knowledge base

async function searchKB(ev) {
  ev.preventDefault();
  const q = $('kb-q').value.trim();
  const list = $('kb-results');
  const state = $('kb-state');
  if (!q) {
    $('kb-q').focus();
    return;
  }
  const params = new URLSearchParams({ q: q.slice(0, 200), limit: '10' });
  if ($('kb-lang').value) params.set('language', $('kb-lang').value);
  state.hidden = false;
  state.textContent = t('console.loading');
  const res = await api('GET', '/api/v1/kb/search?' + params);
  if (!res.ok) {
    list.replaceChildren();
    state.textContent = res.error.message;
    return;
  }
  const hits = res.data.items || [];
  list.replaceChildren(...hits.map(hitEl));
  state.hidden = hits.length > 0;
  state.textContent = hits.length ? '' : t('console.kb_no_hits');
}

function hitEl(h) {
  const e = h.entry || {};
  const answer = e.answer_text || e.answer || '';
  const tags = [e.language === 'zh' ? '中文' : e.language === 'en' ? 'English' : e.language, e.category_path].filter(Boolean).join(' · ');
  return el('li', { class: 'kb-hit', 'data-testid': 'kb-hit', 'data-language': e.language || '' },
    el('div', { class: 'kb-hit-head' },
      el('strong', { class: 'kb-q', text: e.question || '' }),
      e.status && e.status !== 'published' ? el('span', { class: 'badge kb-status', text: t('console.kb_status_' + e.status) }) : null),
    tags ? el('div', { class: 'kb-tags', text: tags }) : null,
    el('p', { class: 'kb-snippet', text: h.snippet || answer.slice(0, 160) }),
    el('button', { type: 'button', class: 'secondary small', 'data-testid': 'kb-insert', disabled: !answer,
      onclick: () => insertText(answer), text: t('console.kb_insert') }));
}

// ------------------------------------------------------------ save as FAQ

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** nextReply is the agent's first public reply after a message in its thread. */
function nextReply(m) {
  const th = S.threads.get(m.conversation_id);
  if (!th) return '';
  let best = null;
  for (const x of th.msgs.values()) {
    if (x.seq > m.seq && x.sender_type === 'agent' && !x.private && (x.body || '').trim() && (!best || x.seq < best.seq)) best = x;
  }
  return best ? best.body : '';
}

/** canSaveFAQ: this reader may draft entries. */
export const canSaveFAQ = () => cfg.can_write !== false;

/** openFAQ opens the "Save as FAQ" form for a customer's message. */
export function openFAQ(m) {
  const dlg = $('faq-dialog');
  const q = (m.body || '').trim().slice(0, 500);
  $('faq-question').value = q;
  $('faq-similar').value = '';
  const answer = nextReply(m);
  $('faq-answer').value = answer;
  $('faq-answer-hint').hidden = !!answer;
  $('faq-language').value = CJK.test(q) ? 'zh' : 'en';
  $('faq-error').textContent = '';
  $('faq-form').hidden = false;
  $('faq-done').hidden = true;
  $('faq-save').disabled = false;
  if (typeof dlg.showModal === 'function') dlg.showModal(); else dlg.setAttribute('open', '');
  (answer ? $('faq-question') : $('faq-answer')).focus();
}

async function saveFAQ(ev) {
  ev.preventDefault();
  const question = $('faq-question').value.trim();
  const answer = $('faq-answer').value.trim();
  const err = $('faq-error');
  if (!question) {
    err.textContent = t('console.faq_need_question');
    $('faq-question').focus();
    return;
  }
  if (!answer) {
    err.textContent = t('console.faq_need_answer');
    $('faq-answer').focus();
    return;
  }
  const similar = [...new Set($('faq-similar').value.split('\n').map((s) => s.trim()).filter((s) => s && s !== question))].slice(0, 50);
  const btn = $('faq-save');
  btn.disabled = true;
  err.textContent = '';
  const res = await api('POST', '/api/v1/kb/entries', { kind: 'faq', language: $('faq-language').value, question, similar, answer });
  btn.disabled = false;
  if (!res.ok) {
    err.textContent = res.error.message;
    return;
  }
  $('faq-form').hidden = true;
  $('faq-done').hidden = false;
  $('faq-done-text').textContent = t('console.faq_saved', { question: res.data.question || question });
  $('faq-done-close').focus();
}

function closeFAQ() {
  const dlg = $('faq-dialog');
  if (typeof dlg.close === 'function' && dlg.open) dlg.close(); else dlg.removeAttribute('open');
}

export function wireBot() {
  $('why-button').addEventListener('click', () => openPanel('why'));
  $('kb-button').addEventListener('click', () => openPanel('kb'));
  $('tool-panel-close').addEventListener('click', () => openPanel(panel));
  $('why-refresh').addEventListener('click', renderWhy);
  $('kb-form').addEventListener('submit', searchKB);
  $('faq-form').addEventListener('submit', saveFAQ);
  $('faq-cancel').addEventListener('click', closeFAQ);
  $('faq-done-close').addEventListener('click', closeFAQ);
  $('tool-panel').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && panel) {
      const which = panel;
      openPanel(panel);
      $(which === 'why' ? 'why-button' : 'kb-button').focus();
    }
  });
  if (!canSaveFAQ()) document.body.classList.add('read-only');
}
