// The agent's workspace in the console: the close dialog (会话小结: a
// category from the tenant's list and a resolution note, required or
// optional as the tenant decides) and the response timer — how long the
// customer has waited for an answer, coloured against the tenant's target,
// on the open thread's waiting messages, in its head, and on the inbox rows
// whose last message is the customer's.
import { t, el, toast } from './console-util.js';
import { $, S } from './console-state.js';
import { api } from './console-api.js';
import { mergeConv } from './console-convs.js';
import { scheduleList } from './console-inbox.js';
import { renderThreadHead } from './console-actions.js';
import { renderDetails } from './console-visitor.js';

const DEFAULTS = { summary_categories: [], summary_required: false, response_target_seconds: 120 };
let settings = { ...DEFAULTS };
let fetched = 0; // when the settings were last loaded (ms)
let loading = null;

/** loadSettings reads the tenant's workspace settings (again when older than maxAge ms). */
function loadSettings(maxAge = 0) {
  if (loading) return loading;
  if (fetched && Date.now() - fetched < maxAge) return Promise.resolve(settings);
  loading = api('GET', '/api/v1/workspace/settings').then((res) => {
    loading = null;
    if (!res.ok) return null;
    settings = { ...DEFAULTS, ...res.data };
    fetched = Date.now();
    return settings;
  });
  return loading;
}

// ------------------------------------------------------------ close dialog

function fillCategories() {
  const sel = $('close-category');
  const cats = settings.summary_categories || [];
  const required = !!settings.summary_required;
  const current = sel.value;
  const opts = [el('option', { value: '', text: required && cats.length ? t('console.workspace.category_choose') : t('console.workspace.category_none') })];
  for (const c of cats) opts.push(el('option', { value: c, text: c }));
  sel.replaceChildren(...opts);
  sel.value = cats.includes(current) ? current : '';
  sel.disabled = cats.length === 0;
  $('close-no-categories').hidden = cats.length > 0;
  // What a close needs: a category, or a note while there are no categories.
  const needCategory = required && cats.length > 0;
  const needNote = required && cats.length === 0;
  $('close-category-need').textContent = '(' + t(needCategory ? 'console.workspace.required' : 'console.workspace.optional') + ')';
  $('close-note-need').textContent = '(' + t(needNote ? 'console.workspace.required' : 'console.workspace.optional') + ')';
  sel.toggleAttribute('aria-required', needCategory);
  $('close-note').toggleAttribute('aria-required', needNote);
  $('close-dialog').dataset.required = required ? 'true' : 'false';
}

function showCloseError(err) {
  $('close-error').textContent = err ? err.message : '';
  for (const id of ['close-category', 'close-note']) $(id).removeAttribute('aria-invalid');
  const field = err && { category: 'close-category', note: 'close-note' }[err.field];
  if (field) {
    $(field).setAttribute('aria-invalid', 'true');
    $(field).focus();
  }
}

/**
 * openCloseDialog asks for the close summary of the open conversation. A
 * tenant without categories that does not require a summary has nothing
 * to ask: the conversation closes at once (if a summary turns out to be
 * required after all, the dialog opens with the server's reason).
 */
export async function openCloseDialog(ask) {
  const conv = S.convs.get(S.openId);
  if (!conv) return;
  if (!ask && fetched && !settings.summary_required && !(settings.summary_categories || []).length) {
    const btn = $('close-conv');
    btn.disabled = true;
    const res = await api('POST', `/api/v1/conversations/${encodeURIComponent(conv.id)}/close`);
    btn.disabled = false;
    if (res.ok) return closed(conv.id, res.data);
    if (res.error.code !== 'summary_required') return toast(res.error.message);
    await loadSettings();
    await openCloseDialog(true);
    showCloseError(res.error);
    return;
  }
  const dlg = $('close-dialog');
  dlg.dataset.conversationId = conv.id;
  $('close-category').value = '';
  $('close-note').value = '';
  showCloseError(null);
  $('close-confirm').disabled = false;
  fillCategories();
  if (typeof dlg.showModal === 'function') {
    if (!dlg.open) dlg.showModal();
  } else dlg.setAttribute('open', '');
  if ($('close-category').disabled) $('close-note').focus();
  else $('close-category').focus();
  // The administrator may have changed the list since the page loaded.
  const st = await loadSettings(5000);
  if (st && dlg.open) fillCategories();
}

function closeDialog() {
  const dlg = $('close-dialog');
  if (typeof dlg.close === 'function' && dlg.open) dlg.close(); else dlg.removeAttribute('open');
}

async function submitClose(ev) {
  ev.preventDefault();
  const id = $('close-dialog').dataset.conversationId;
  if (!id) return;
  const btn = $('close-confirm');
  btn.disabled = true;
  showCloseError(null);
  const body = { category: $('close-category').value, note: $('close-note').value.trim() };
  const res = await api('POST', `/api/v1/conversations/${encodeURIComponent(id)}/close`, body);
  btn.disabled = false;
  if (!res.ok) {
    // The settings may have changed (a category removed, a summary now required).
    if (res.error.code === 'unknown_category' || res.error.code === 'summary_required') {
      loadSettings().then(() => { if ($('close-dialog').open) fillCategories(); });
    }
    showCloseError(res.error);
    return;
  }
  closeDialog();
  closed(id, res.data);
}

/** closed shows a conversation the server has closed. */
function closed(id, conv) {
  mergeConv(conv);
  if (S.openId === id) {
    renderThreadHead();
    renderDetails();
    if (!$('reopen-conv').hidden) $('reopen-conv').focus();
  }
  scheduleList();
  tick();
}

// ------------------------------------------------------------ response timer

const REPLIES = new Set(['agent', 'integration', 'bot']);

/** waiting reports whether people owe this open conversation an answer. */
const waiting = (c) => c && c.status === 'open' && c.owner !== 'bot';

/**
 * waitingSince is when the oldest customer message after the last public
 * reply of the thread was written, and the seqs of those messages; null
 * when nobody is waiting.
 */
function waitingSince(convId) {
  const th = S.threads.get(convId);
  if (!th || !th.msgs.size) return null;
  const seqs = [...th.msgs.keys()].sort((a, b) => b - a);
  const unanswered = [];
  for (const seq of seqs) {
    const m = th.msgs.get(seq);
    if (m.private) continue;
    if (REPLIES.has(m.sender_type)) break;
    if (m.sender_type === 'contact') unanswered.push(m);
  }
  if (!unanswered.length) return null;
  const oldest = unanswered[unanswered.length - 1];
  return { since: Date.parse(oldest.created_at), seqs: new Set(unanswered.map((m) => m.seq)) };
}

/** clock renders a duration as m:ss, or h:mm:ss from an hour on. */
function clockText(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** stateOf colours a wait against the target: ok (under half), warn (under the target), late. */
function stateOf(ms) {
  const target = (settings.response_target_seconds || DEFAULTS.response_target_seconds) * 1000;
  if (ms >= target) return 'late';
  return ms < target / 2 ? 'ok' : 'warn';
}

/** paint shows a wait on a timer element (built when node is null) and returns it. */
function paint(node, since, now) {
  const n = node || el('span', { class: 'ws-timer', role: 'timer' });
  const ms = Math.max(0, now - since);
  const text = t('console.workspace.waiting', { time: clockText(ms) });
  if (n.textContent !== text) n.textContent = text;
  const state = stateOf(ms);
  if (n.dataset.state !== state) n.dataset.state = state;
  n.title = t('console.workspace.waiting_title', { time: clockText(ms), target: clockText((settings.response_target_seconds || 0) * 1000) });
  n.hidden = false;
  return n;
}

function tickThread(now) {
  const head = $('response-timer');
  const conv = S.convs.get(S.openId);
  const w = waiting(conv) ? waitingSince(conv.id) : null;
  const box = $('messages');
  const want = w ? w.seqs : new Set();
  for (const old of box.querySelectorAll('.ws-timer')) {
    const art = old.closest('article[data-seq]');
    if (!art || !want.has(Number(art.dataset.seq))) old.remove();
  }
  if (!w || Number.isNaN(w.since)) {
    head.hidden = true;
    head.textContent = '';
    delete head.dataset.state;
    return;
  }
  paint(head, w.since, now);
  for (const seq of want) {
    const art = box.querySelector(`article[data-seq="${seq}"]`);
    if (!art) continue;
    const meta = art.querySelector('.msg-meta') || art;
    const cur = meta.querySelector('.ws-timer');
    const node = paint(cur, w.since, now);
    if (!cur) {
      node.dataset.testid = 'message-timer';
      meta.append(node);
    }
  }
}

function tickInbox(now) {
  for (const li of $('conv-list').children) {
    const c = S.convs.get(li.dataset.conversationId);
    const since = c && waiting(c) && c.last_sender === 'contact' ? Date.parse(c.last_message_at || '') : NaN;
    let node = li.querySelector('.ws-timer');
    if (Number.isNaN(since)) {
      if (node) node.remove();
      continue;
    }
    const fresh = !node;
    node = paint(node, since, now);
    if (fresh) {
      node.dataset.testid = 'inbox-timer';
      const badges = li.querySelector('.conv-badges');
      if (badges) badges.after(node); else li.append(node);
    }
  }
}

function tick() {
  const now = Date.now();
  tickThread(now);
  tickInbox(now);
}

export function wireWorkspace() {
  $('close-form').addEventListener('submit', submitClose);
  $('close-cancel').addEventListener('click', closeDialog);
  loadSettings().then(tick);
  // Opening a conversation is a good moment to pick up changed settings.
  document.addEventListener('sb:open', () => {
    loadSettings(30_000);
    tick();
  });
  setInterval(tick, 1000);
}
