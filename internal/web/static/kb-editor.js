// The knowledge-base entry editor: the fields of an entry, the Markdown
// preview, the review workflow buttons the signed-in user may use, the
// entry's translations and its version history with diffs and restore.
import { t, call, el, showError, flash, errorText, safeHTML, markdown, when } from './kb-api.js';

const view = document.getElementById('kb-editor-view');
const form = document.getElementById('entry-form');
const f = form.elements;
const rejectForm = document.getElementById('reject-form');
const flashBox = document.getElementById('editor-flash');
const similarList = document.getElementById('similar-list');
const buttonList = document.getElementById('button-list');
const preview = document.getElementById('answer-preview');

let entry = null; // the entry as the API last returned it; null: a new one
let translationOf = '';
let reviewer = false;

export const statusLabel = (s) => t('adminkb.status.' + s);

/** badges are the status of an entry, and the live version while a newer one waits. */
export function badges(e) {
  const out = [el('span', { class: `kb-badge kb-${e.status}`, 'data-status': e.status }, statusLabel(e.status))];
  if (e.published_version > 0 && e.status !== 'published' && e.status !== 'archived') {
    out.push(el('span', { class: 'kb-badge kb-live', 'data-testid': 'live-version' }, t('adminkb.live_version', { n: e.published_version })));
  }
  return out;
}

// ------------------------------------------------------------ line lists

function similarRow(value) {
  const row = el('div', { class: 'kb-line' },
    el('input', { name: 'similar', maxlength: 500, 'aria-label': t('adminkb.similar_one'), value: value || '' }),
    el('button', { type: 'button', class: 'link danger', 'data-remove': '', 'aria-label': t('adminkb.remove') }, '✕'));
  row.querySelector('input').value = value || '';
  similarList.append(row);
  return row;
}

function buttonRow(b) {
  const row = el('div', { class: 'kb-line kb-button-row' },
    el('input', { name: 'button_label', maxlength: 40, placeholder: t('adminkb.button_label'), 'aria-label': t('adminkb.button_label') }),
    el('input', { name: 'button_text', maxlength: 500, placeholder: t('adminkb.button_text'), 'aria-label': t('adminkb.button_text') }),
    el('input', { name: 'button_url', maxlength: 2000, placeholder: 'https://', 'aria-label': t('adminkb.button_url') }),
    el('button', { type: 'button', class: 'link danger', 'data-remove': '', 'aria-label': t('adminkb.remove') }, '✕'));
  row.children[0].value = b?.label || '';
  row.children[1].value = b?.text || '';
  row.children[2].value = b?.url || '';
  buttonList.append(row);
  return row;
}

document.getElementById('similar-add').addEventListener('click', () => similarRow('').querySelector('input').focus());
document.getElementById('button-add').addEventListener('click', () => buttonRow(null).querySelector('input').focus());
form.addEventListener('click', (ev) => {
  const rm = ev.target.closest('[data-remove]');
  if (rm) rm.closest('.kb-line').remove();
});

// ------------------------------------------------------------ the fields

const pad = (n) => String(n).padStart(2, '0');
function toLocal(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
function fromLocal(v) {
  if (!v) return '';
  const d = new Date(v);
  return isNaN(d) ? v : d.toISOString();
}

function syncKind() {
  const article = f.kind.value === 'article';
  form.querySelectorAll('[data-faq]').forEach((n) => { n.hidden = article; });
  form.querySelectorAll('[data-article]').forEach((n) => { n.hidden = !article; });
}
f.kind.addEventListener('change', syncKind);

function fill(e, defaults) {
  const c = e || defaults || {};
  f.kind.value = c.kind || 'faq';
  f.language.value = c.language || (document.documentElement.lang.startsWith('zh') ? 'zh' : 'en');
  f.category_id.value = c.category_id || '';
  f.question.value = c.question || '';
  f.answer.value = c.answer || '';
  f.tags.value = (c.tags || []).join(', ');
  f.valid_from.value = toLocal(c.valid_from);
  f.valid_until.value = toLocal(c.valid_until);
  f.note.value = '';
  similarList.replaceChildren();
  for (const s of c.similar || []) similarRow(s);
  if (!(c.similar || []).length) similarRow('');
  buttonList.replaceChildren();
  for (const b of c.buttons || []) buttonRow(b);
  syncKind();
  showTab('write');
}

function body() {
  const article = f.kind.value === 'article';
  const lines = (name) => [...form.querySelectorAll(`input[name="${name}"]`)].map((i) => i.value.trim());
  const labels = lines('button_label');
  const texts = lines('button_text');
  const urls = lines('button_url');
  const buttons = [];
  labels.forEach((label, i) => {
    if (!label && !texts[i] && !urls[i]) return;
    const b = { label };
    if (texts[i]) b.text = texts[i];
    if (urls[i]) b.url = urls[i];
    buttons.push(b);
  });
  const out = {
    kind: f.kind.value,
    language: f.language.value,
    category_id: f.category_id.value,
    question: f.question.value.trim(),
    similar: article ? [] : lines('similar').filter(Boolean),
    answer: f.answer.value,
    buttons,
    tags: f.tags.value.split(/[,，]/).map((s) => s.trim()).filter(Boolean),
    valid_from: fromLocal(f.valid_from.value),
    valid_until: fromLocal(f.valid_until.value),
  };
  if (f.note.value.trim()) out.note = f.note.value.trim();
  if (!entry && translationOf) out.translation_of = translationOf;
  return out;
}

// An error on "similar[2]" or "buttons[0].url" marks the first such line.
const fieldName = (name) => ({ buttons: 'button_label', links: 'answer' }[name] || name);

// ------------------------------------------------------------ the preview

function showTab(which) {
  const write = which === 'write';
  document.getElementById('tab-write').setAttribute('aria-selected', String(write));
  document.getElementById('tab-preview').setAttribute('aria-selected', String(!write));
  document.getElementById('answer-write').hidden = !write;
  preview.hidden = write;
  if (write) return;
  // The saved answer is shown as the server rendered and sanitised it;
  // unsaved text is read as Markdown here, text only.
  const saved = entry && entry.answer === f.answer.value && entry.answer_html;
  preview.replaceChildren(saved ? safeHTML(entry.answer_html) : markdown(f.answer.value));
  if (!f.answer.value.trim()) preview.append(el('p', { class: 'empty' }, t('adminkb.preview_empty')));
  else if (!saved) preview.prepend(el('p', { class: 'hint' }, t('adminkb.preview_unsaved')));
}
document.getElementById('tab-write').addEventListener('click', () => showTab('write'));
document.getElementById('tab-preview').addEventListener('click', () => showTab('preview'));

// ------------------------------------------------------------ workflow

function paintWorkflow() {
  const s = entry ? entry.status : 'new';
  const live = entry && entry.published_version > 0;
  const show = {
    submit: s === 'draft',
    approve: s === 'in_review' && reviewer,
    archive: reviewer && entry && s !== 'archived',
    unarchive: reviewer && s === 'archived',
  };
  for (const b of form.querySelectorAll('button[data-step]')) b.hidden = !show[b.dataset.step];
  document.getElementById('reject-open').hidden = !(s === 'in_review' && reviewer);
  document.getElementById('entry-delete').hidden = !entry || (live && !reviewer);
  document.getElementById('waiting-review').hidden = !(s === 'in_review' && !reviewer);
  document.getElementById('editor-title').textContent = entry ? t('adminkb.edit_entry', { n: entry.version }) : t('adminkb.new_entry');
  document.getElementById('editor-badges').replaceChildren(...(entry ? badges(entry) : []));
  const rc = document.getElementById('review-comment');
  rc.hidden = !(entry && entry.review_comment && s === 'draft');
  rc.textContent = rc.hidden ? '' : t('adminkb.rejected_because', { comment: entry.review_comment });
  rejectForm.hidden = true;
}

function loaded(e, message) {
  entry = e;
  translationOf = '';
  fill(e);
  paintWorkflow();
  if (message) flash(flashBox, message);
  loadTranslations();
  loadVersions();
  if (location.hash !== '#entry/' + e.id) history.replaceState(null, '', '#entry/' + e.id);
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const btn = document.getElementById('save-draft');
  btn.disabled = true;
  const res = entry ? await call('PATCH', `/api/v1/kb/entries/${entry.id}`, body()) : await call('POST', '/api/v1/kb/entries', body());
  btn.disabled = false;
  if (!res.ok) return showError(form, res.error, fieldName);
  showError(form, null);
  loaded(res.data, t('adminkb.saved_version', { n: res.data.version }));
});

form.addEventListener('click', async (ev) => {
  const btn = ev.target.closest('button[data-step]');
  if (!btn || !entry) return;
  btn.disabled = true;
  const res = await call('POST', `/api/v1/kb/entries/${entry.id}/${btn.dataset.step}`);
  btn.disabled = false;
  if (!res.ok) return showError(form, res.error);
  showError(form, null);
  loaded(res.data, t('adminkb.done.' + btn.dataset.step));
});

document.getElementById('reject-open').addEventListener('click', () => {
  rejectForm.hidden = false;
  rejectForm.elements.comment.focus();
});
document.getElementById('reject-cancel').addEventListener('click', () => { rejectForm.hidden = true; });
rejectForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const res = await call('POST', `/api/v1/kb/entries/${entry.id}/reject`, { comment: rejectForm.elements.comment.value.trim() });
  if (!res.ok) return showError(rejectForm, res.error);
  showError(rejectForm, null);
  rejectForm.reset();
  loaded(res.data, t('adminkb.done.reject'));
});

document.getElementById('entry-delete').addEventListener('click', async () => {
  if (!entry || !confirm(t('adminkb.delete_confirm'))) return;
  const res = await call('DELETE', `/api/v1/kb/entries/${entry.id}`);
  if (!res.ok) return showError(form, res.error);
  entry = null;
  location.hash = '';
});

// ------------------------------------------------------------ translations

async function loadTranslations() {
  const box = document.getElementById('kb-translations');
  box.hidden = !entry;
  if (!entry) return;
  const list = document.getElementById('translation-list');
  const res = await call('GET', `/api/v1/kb/entries/${entry.id}/translations`);
  list.replaceChildren();
  const others = res.ok ? (res.data.items || []).filter((x) => x.id !== entry.id) : [];
  for (const x of others) {
    list.append(el('li', {}, el('span', { class: 'tag' }, x.language), ' ',
      el('a', { href: '#entry/' + x.id }, x.question), ' ', ...badges(x)));
  }
  if (!res.ok) list.append(el('li', { class: 'form-error' }, errorText(res.error)));
  else if (!others.length) list.append(el('li', { class: 'empty' }, t('adminkb.no_translations')));
  const have = new Set([entry.language, ...others.map((x) => x.language)]);
  const missing = ['zh', 'en'].find((l) => !have.has(l));
  const btn = document.getElementById('translate');
  btn.hidden = !missing;
  btn.dataset.language = missing || '';
  btn.textContent = missing ? t('adminkb.translate_to.' + missing) : '';
}

document.getElementById('translate').addEventListener('click', (ev) => {
  const from = entry;
  const language = ev.currentTarget.dataset.language;
  openNew({ kind: from.kind, language, category_id: from.category_id, tags: from.tags, buttons: [] });
  translationOf = from.id;
  document.getElementById('editor-title').textContent = t('adminkb.new_translation', { question: from.question });
  f.question.focus();
});

// ------------------------------------------------------------ versions

// Authors are recorded as "user:<id>"; the page shows their names.
let names;
async function authorName(author) {
  names ||= call('GET', '/api/v1/users?limit=200').then((r) => new Map((r.ok ? r.data.items || [] : []).map((u) => ['user:' + u.id, u.name])));
  return (await names).get(author) || (author.startsWith('token:') ? t('adminkb.api_token') : author);
}

// A version records the status it was written with; the working copy and
// the live version are shown as they stand now.
function versionStatus(v) {
  if (v.version === entry.version) return entry.status;
  if (v.version === entry.published_version) return entry.status === 'archived' ? 'archived' : 'published';
  return v.status;
}

async function loadVersions() {
  const box = document.getElementById('kb-versions');
  box.hidden = !entry;
  document.getElementById('diff').hidden = true;
  if (!entry) return;
  const tbody = document.querySelector('#version-list tbody');
  const res = await call('GET', `/api/v1/kb/entries/${entry.id}/versions?limit=50`);
  const err = document.getElementById('version-error');
  err.textContent = res.ok ? '' : errorText(res.error);
  const rows = [];
  for (const v of res.ok ? res.data.items || [] : []) {
    const actions = el('td', { class: 'kb-rowactions' });
    if (v.version > 1) actions.append(el('button', { type: 'button', class: 'link', 'data-diff': v.version }, t('adminkb.compare_previous')));
    if (v.version !== entry.version) actions.append(el('button', { type: 'button', class: 'link', 'data-restore': v.version }, t('adminkb.restore')));
    const live = v.version === entry.published_version && entry.status !== 'archived';
    rows.push(el('tr', { 'data-version': v.version },
      el('td', {}, 'v' + v.version, live ? el('span', { class: 'kb-badge kb-live' }, t('adminkb.live')) : null),
      el('td', {}, statusLabel(versionStatus(v))), el('td', {}, await authorName(v.author || '')), el('td', {}, v.note || ''),
      el('td', {}, when(v.created_at)), actions));
  }
  tbody.replaceChildren(...rows);
}

document.getElementById('version-list').addEventListener('click', async (ev) => {
  const d = ev.target.closest('[data-diff]');
  const r = ev.target.closest('[data-restore]');
  const err = document.getElementById('version-error');
  if (d) {
    const to = Number(d.dataset.diff);
    const res = await call('GET', `/api/v1/kb/entries/${entry.id}/diff?from=${to - 1}&to=${to}`);
    if (!res.ok) { err.textContent = errorText(res.error); return; }
    err.textContent = '';
    showDiff(res.data);
  }
  if (r) {
    if (!confirm(t('adminkb.restore_confirm', { n: r.dataset.restore }))) return;
    const res = await call('POST', `/api/v1/kb/entries/${entry.id}/versions/${r.dataset.restore}/restore`);
    if (!res.ok) { err.textContent = errorText(res.error); return; }
    err.textContent = '';
    loaded(res.data, t('adminkb.restored', { from: r.dataset.restore, n: res.data.version }));
  }
});

const fieldLabel = (name) => {
  const k = 'adminkb.field.' + name;
  const s = t(k);
  return s === k ? name : s;
};

function showDiff(d) {
  const box = document.getElementById('diff');
  box.hidden = false;
  box.replaceChildren(el('h3', {}, t('adminkb.diff_title', { from: d.from, to: d.to })));
  const texts = new Set((d.text || []).map((x) => x.field));
  for (const td of d.text || []) {
    const pre = el('div', { class: 'kb-difflines', 'data-field': td.field });
    for (const line of td.lines || []) {
      const cls = line.op === '+' ? 'add' : line.op === '-' ? 'del' : 'same';
      pre.append(el('div', { class: 'kb-dl ' + cls, 'data-op': line.op }, el('span', { class: 'kb-op', 'aria-hidden': 'true' }, line.op === '=' ? ' ' : line.op), line.text || ' '));
    }
    box.append(el('h4', {}, fieldLabel(td.field)), pre);
  }
  const other = (d.changes || []).filter((c) => !texts.has(c.field));
  if (other.length) {
    const table = el('table', { class: 'list' }, el('thead', {}, el('tr', {}, el('th', {}, t('adminkb.field')), el('th', {}, t('adminkb.before')), el('th', {}, t('adminkb.after')))));
    const tb = el('tbody');
    for (const c of other) tb.append(el('tr', { 'data-field': c.field }, el('td', {}, fieldLabel(c.field)), el('td', { class: 'kb-del' }, c.from), el('td', { class: 'kb-add' }, c.to)));
    table.append(tb);
    box.append(table);
  }
  if (!(d.text || []).length && !other.length) box.append(el('p', { class: 'empty' }, t('adminkb.no_changes')));
}

// ------------------------------------------------------------ opening

/** setReviewer says whether the signed-in user may approve. */
export function setReviewer(v) { reviewer = v; if (!view.hidden) paintWorkflow(); }

/** openNew shows an empty editor, with defaults for some fields. */
export function openNew(defaults) {
  entry = null;
  translationOf = '';
  fill(null, defaults);
  showError(form, null);
  paintWorkflow();
  loadTranslations();
  loadVersions();
  f.question.focus();
}

/** openEntry loads an entry into the editor. */
export async function openEntry(id) {
  showError(form, null);
  const res = await call('GET', `/api/v1/kb/entries/${encodeURIComponent(id)}`);
  if (!res.ok) {
    entry = null;
    fill(null);
    paintWorkflow();
    showError(form, res.error);
    return;
  }
  entry = null;
  loaded(res.data);
}

/** setCategories fills the category choice (tree order, indented). */
export function setCategories(cats) {
  const cur = f.category_id.value || entry?.category_id || '';
  f.category_id.replaceChildren(el('option', { value: '' }, t('adminkb.no_category')),
    ...cats.map((c) => el('option', { value: c.id }, '\u00a0\u00a0'.repeat(c.depth) + c.name)));
  f.category_id.value = cur;
}
