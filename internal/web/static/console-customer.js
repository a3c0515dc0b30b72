// The customer panel beside the thread and the reply suggestions above the
// composer.
//
// The panel adds to the visitor's facts (console-visitor.js: name, e-mail,
// phone, verified id and the current page, which follows the visitor live)
// what the agent knows of the customer: their tags, as chips to remove
// with × and an input to add one (Enter); their ids in other systems and
// custom attributes; and their other conversations, newest first, each
// opening with a click.
//
// Suggestions are the bot's best knowledge-base answers to the customer's
// last question (GET …/suggestions): up to three chips showing the question
// each answers; a click puts the answer in the composer to edit and send.
// They refresh when a conversation opens and when the customer writes.
import { t, el, fullTime, toast } from './console-util.js';
import { $, cfg, S } from './console-state.js';
import { api } from './console-api.js';
import { insertText } from './console-composer.js';
import { scrollToBottom } from './console-thread.js';
import { renderDetails } from './console-visitor.js';

const HISTORY = 20; // past conversations shown
const enc = encodeURIComponent;

const P = {
  convId: null, // the open conversation the panel shows
  contactId: null,
  contactReq: 0, // counters: an answer to an older request is dropped
  historyReq: 0,
  suggestReq: 0,
  suggestTimer: null,
  historyTimer: null,
  busy: false, // a tag change is on its way
};

// ------------------------------------------------------------------ panel

/** buildPanel fills the (empty) panel section with its parts, once. */
function buildPanel() {
  const box = $('customer-panel');
  if (!box || box.dataset.built) return;
  box.dataset.built = '1';
  const input = el('input', {
    type: 'text', id: 'customer-tag-input', class: 'tag-input', 'data-testid': 'customer-tag-input', maxlength: '32',
    autocomplete: 'off', placeholder: t('console.customer.tag_placeholder'), 'aria-label': t('console.customer.tag_add'),
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter' || ev.isComposing || ev.keyCode === 229) return;
    ev.preventDefault();
    addTag(input.value);
  });
  input.addEventListener('input', () => { $('customer-tag-error').textContent = ''; });
  box.append(
    el('h2', { id: 'customer-title', text: t('console.customer.title') }),
    el('h3', { class: 'customer-sub', id: 'customer-tags-title', text: t('console.customer.tags') }),
    el('ul', { class: 'tag-chips', id: 'customer-tags', 'data-testid': 'customer-tags', 'aria-labelledby': 'customer-tags-title' }),
    el('p', { class: 'customer-none', id: 'customer-no-tags', text: t('console.customer.no_tags'), hidden: true }),
    cfg.can_write === false ? null : input,
    el('p', { class: 'customer-error', id: 'customer-tag-error', role: 'alert', 'data-testid': 'customer-tag-error' }),
    el('dl', { class: 'facts customer-facts', id: 'customer-facts', 'data-testid': 'customer-facts' }),
    el('h3', { class: 'customer-sub', id: 'customer-history-title', text: t('console.customer.history') }),
    el('p', { class: 'customer-none', id: 'customer-history-state', role: 'status', 'data-testid': 'customer-history-state' }),
    el('ol', { class: 'customer-history', id: 'customer-history', 'data-testid': 'customer-history', 'aria-labelledby': 'customer-history-title' }),
  );
}

function renderContact() {
  const ct = P.contactId && S.contacts.get(P.contactId);
  const box = $('customer-panel');
  box.hidden = !P.contactId;
  if (!ct) {
    $('customer-tags').replaceChildren();
    $('customer-facts').replaceChildren();
    $('customer-no-tags').hidden = true;
    return;
  }
  renderTags(ct.tags || []);
  const facts = [];
  const ids = (ct.external_ids || []).filter((x) => x.source !== 'site');
  if (ids.length) {
    facts.push(el('dt', { text: t('console.customer.ids') }),
      el('dd', {}, el('ul', { class: 'customer-list', 'data-testid': 'customer-ids' },
        ...ids.map((x) => el('li', {}, el('span', { class: 'customer-key', text: x.source }), ' ', x.id)))));
  }
  const attrs = Object.entries(ct.attributes || {}).sort(([a], [b]) => a.localeCompare(b));
  if (attrs.length) {
    facts.push(el('dt', { text: t('console.customer.attributes') }),
      el('dd', {}, el('ul', { class: 'customer-list', 'data-testid': 'customer-attributes' },
        ...attrs.map(([k, v]) => el('li', { dataset: { key: k } }, el('span', { class: 'customer-key', text: k }), ' ',
          v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v))))));
  }
  $('customer-facts').replaceChildren(...facts);
}

function renderTags(tags) {
  const canWrite = cfg.can_write !== false;
  $('customer-tags').replaceChildren(...tags.map((tag) => el('li', { class: 'tag-chip', 'data-testid': 'customer-tag', dataset: { tag } },
    el('span', { class: 'tag-text', text: tag }),
    canWrite ? el('button', {
      type: 'button', class: 'tag-remove', 'data-testid': 'customer-tag-remove', 'aria-label': t('console.customer.tag_remove', { tag }),
      title: t('console.customer.tag_remove', { tag }), text: '×', onclick: () => removeTag(tag),
    }) : null)));
  $('customer-no-tags').hidden = tags.length > 0;
}

async function loadContact() {
  const id = P.contactId;
  if (!id) return;
  const req = ++P.contactReq;
  const res = await api('GET', '/api/v1/contacts/' + enc(id));
  if (req !== P.contactReq || id !== P.contactId) return;
  if (res.ok) S.contacts.set(id, res.data);
  renderContact();
}

/** contactChanged stores the contact a tag change returned and shows it. */
function contactChanged(c) {
  S.contacts.set(c.id, c);
  if (c.id !== P.contactId) return;
  renderContact();
  renderDetails();
}

async function addTag(raw) {
  const tag = raw.trim();
  const id = P.contactId;
  if (!tag || !id || P.busy) return;
  const input = $('customer-tag-input');
  P.busy = true;
  const res = await api('POST', `/api/v1/contacts/${enc(id)}/tags`, { tag });
  P.busy = false;
  if (!res.ok) {
    $('customer-tag-error').textContent = res.error.message || t('err.internal');
    return;
  }
  if (id === P.contactId) {
    input.value = '';
    $('customer-tag-error').textContent = '';
  }
  contactChanged(res.data);
}

async function removeTag(tag) {
  const id = P.contactId;
  if (!id || P.busy) return;
  P.busy = true;
  const res = await api('DELETE', `/api/v1/contacts/${enc(id)}/tags/${enc(tag)}`);
  P.busy = false;
  if (res.ok) {
    contactChanged(res.data);
    if (id === P.contactId) $('customer-tag-input')?.focus();
    return;
  }
  // Someone else removed it meanwhile: show the tags as they are now.
  if (res.status === 404) loadContact();
  else toast(res.error.message || t('err.internal'));
}

// ------------------------------------------------------ past conversations

async function loadHistory() {
  const id = P.contactId;
  const open = P.convId;
  if (!id) return;
  const req = ++P.historyReq;
  const state = $('customer-history-state');
  if (!$('customer-history').children.length) state.textContent = t('console.customer.loading');
  const res = await api('GET', `/api/v1/conversations?contact_id=${enc(id)}&limit=${HISTORY + 1}`);
  if (req !== P.historyReq || id !== P.contactId) return;
  if (!res.ok) {
    state.textContent = t('console.customer.load_failed');
    return;
  }
  const items = (res.data.items || []).filter((c) => c.id !== open);
  const more = items.length > HISTORY || !!res.data.next_cursor;
  const shown = items.slice(0, HISTORY);
  state.textContent = shown.length ? (more ? t('console.customer.history_more', { count: HISTORY }) : '') : t('console.customer.history_none');
  $('customer-history').replaceChildren(...shown.map(historyItem));
}

function historyItem(c) {
  const when = new Date(c.last_message_at || c.created_at);
  const preview = c.last_preview || c.subject || t('console.customer.history_empty_preview');
  return el('li', {},
    el('a', {
      href: '#c/' + c.id, class: 'history-item', 'data-testid': 'customer-history-item', dataset: { conversationId: c.id, status: c.status },
      'aria-label': t('console.customer.history_open', { date: fullTime(when) }),
    },
    el('span', { class: 'history-head' },
      el('span', { class: 'badge status-' + c.status, 'data-testid': 'customer-history-status', text: t('console.status_' + c.status) }),
      el('time', { datetime: when.toISOString(), text: fullTime(when) })),
    el('span', { class: 'history-preview', 'data-testid': 'customer-history-preview', text: preview })));
}

function scheduleHistory() {
  clearTimeout(P.historyTimer);
  P.historyTimer = setTimeout(loadHistory, 400);
}

// ------------------------------------------------------------ suggestions

function renderSuggestions(items) {
  const box = $('suggestions');
  if (!box) return;
  box.replaceChildren(
    el('span', { class: 'suggestions-label', text: t('console.customer.suggestions') }),
    ...items.map((it) => el('button', {
      type: 'button', class: 'suggestion', 'data-testid': 'suggestion', dataset: { entryId: it.entry_id },
      title: it.answer, 'aria-label': t('console.customer.suggestion_insert', { question: it.question }), text: it.question,
      onclick: () => insertText(it.answer),
    })));
  const wasHidden = box.hidden;
  box.hidden = items.length === 0;
  // The chips take room from the thread: keep its last message in view.
  if (wasHidden !== box.hidden && S.stick) scrollToBottom();
}

async function loadSuggestions() {
  const id = S.openId;
  const req = ++P.suggestReq;
  if (!id) {
    renderSuggestions([]);
    return;
  }
  const res = await api('GET', `/api/v1/conversations/${enc(id)}/suggestions`);
  if (req !== P.suggestReq || id !== S.openId) return;
  renderSuggestions(res.ok ? (res.data.items || []) : []);
}

function scheduleSuggestions(delay) {
  clearTimeout(P.suggestTimer);
  P.suggestTimer = setTimeout(loadSuggestions, delay);
}

// ------------------------------------------------------------------ events

function onOpen(ev) {
  const { id, conv } = ev.detail || {};
  P.convId = id || null;
  P.contactId = (conv && conv.contact_id) || null;
  P.contactReq++;
  P.historyReq++;
  $('customer-history').replaceChildren();
  $('customer-history-state').textContent = '';
  $('customer-tag-error').textContent = '';
  const input = $('customer-tag-input');
  if (input) input.value = '';
  renderContact();
  renderSuggestions([]);
  if (!id) return;
  loadContact();
  loadHistory();
  scheduleSuggestions(0);
}

function onFrame(ev) {
  const { type, data } = ev.detail || {};
  if (!data || !P.convId) return;
  if (type === 'message' && data.conversation_id === S.openId && data.sender_type === 'contact' && !data.private) {
    scheduleSuggestions(250);
  } else if (type === 'conversation' && data.contact_id === P.contactId && data.id !== P.convId) {
    // Another conversation of this customer began, closed or changed.
    scheduleHistory();
  }
}

export function wireCustomer() {
  buildPanel();
  if (!$('customer-panel')) return;
  document.addEventListener('sb:open', onOpen);
  document.addEventListener('sb:frame', onFrame);
}
