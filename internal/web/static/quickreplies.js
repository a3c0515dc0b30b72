// The quick-replies page: the quick replies the user sees, grouped by
// scope (their own, each team's, the shared ones), a search, and the
// editor with a live preview of the text with sample values. Agents write
// their own; supervisors and administrators also team and shared ones.
import { render, VARIABLES } from './quickreply-render.js';
import { call, strings } from './page-api.js';

const page = document.getElementById('qr-page');
const groups = document.getElementById('qr-groups');
const emptyBox = document.getElementById('qr-empty');
const listError = document.getElementById('qr-list-error');
const flash = document.getElementById('qr-flash');
const search = document.getElementById('qr-search');
const editor = document.getElementById('qr-editor');
const form = document.getElementById('qr-form');
const preview = document.getElementById('qr-preview');
const editorRole = page.dataset.editor === 'true';

/** t looks a message up and fills its {name} placeholders. */
const t = strings('qr-i18n');

/** el builds an element from text only. */
function el(tag, attrs, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') n.textContent = v;
    else n.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) n.append(c);
  return n;
}

let teams = new Map(); // id → name
let items = [];
let editing = null; // the quick reply being changed; null for a new one

async function loadTeams() {
  const res = await call('GET', '/api/v1/teams?limit=200');
  if (res.ok) teams = new Map((res.data.items || []).map((tm) => [tm.id, tm.name]));
  const sel = form.elements.team_id;
  sel.replaceChildren(...[...teams].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => el('option', { value: id, text: name })));
}

async function loadList() {
  const q = search.elements.q.value.trim();
  const res = await call('GET', '/api/v1/quick-replies' + (q ? '?q=' + encodeURIComponent(q) : ''));
  if (q !== search.elements.q.value.trim()) return; // a newer search is on its way
  if (!res.ok) {
    listError.textContent = res.error.message || t('quickreply.load_failed');
    return;
  }
  listError.textContent = '';
  items = res.data.items || [];
  paint(q);
}

function teamName(id) { return teams.get(id) || t('quickreply.team_deleted'); }

function paint(q) {
  const byGroup = new Map();
  for (const r of items) {
    const key = r.scope === 'team' ? 'team:' + r.team_id : r.scope;
    if (!byGroup.has(key)) byGroup.set(key, []);
    byGroup.get(key).push(r);
  }
  const order = [...byGroup.keys()].sort((a, b) => rank(a) - rank(b) || groupTitle(a).localeCompare(groupTitle(b)));
  groups.replaceChildren(...order.map((key) => {
    const id = 'qr-group-' + key.replace(/[^a-z0-9-]/gi, '-');
    return el('section', { class: 'qr-group', 'aria-labelledby': id, 'data-testid': 'qr-group', 'data-group': key },
      el('h2', { id, text: groupTitle(key) }),
      el('ul', { class: 'qr-items' }, ...byGroup.get(key).map(item)));
  }));
  emptyBox.textContent = items.length ? '' : t(q ? 'quickreply.no_match' : 'quickreply.empty');
  emptyBox.hidden = items.length > 0;
}

function rank(key) { return key === 'personal' ? 0 : key === 'tenant' ? 2 : 1; }

function groupTitle(key) {
  if (key === 'personal') return t('quickreply.group_personal');
  if (key === 'tenant') return t('quickreply.group_tenant');
  return t('quickreply.group_team', { name: teamName(key.slice(5)) });
}

function item(r) {
  const li = el('li', { class: 'qr-item', 'data-testid': 'qr-item', 'data-shortcut': r.shortcut },
    el('code', { class: 'qr-shortcut', text: '/' + r.shortcut }),
    el('div', { class: 'qr-about' },
      r.title ? el('div', { class: 'qr-item-title', text: r.title }) : null,
      el('div', { class: 'qr-body', text: r.body })));
  const buttons = el('div', { class: 'qr-buttons' });
  if (r.can_edit) {
    const edit = el('button', { type: 'button', class: 'secondary', 'data-testid': 'qr-edit', 'aria-label': t('quickreply.edit') + ' /' + r.shortcut, text: t('quickreply.edit') });
    edit.addEventListener('click', () => openEditor(r));
    const del = el('button', { type: 'button', class: 'secondary danger', 'data-testid': 'qr-delete', 'aria-label': t('quickreply.delete') + ' /' + r.shortcut, text: t('quickreply.delete') });
    del.addEventListener('click', () => remove(r, del));
    buttons.append(edit, del);
  }
  li.append(buttons);
  return li;
}

async function remove(r, btn) {
  if (!confirm(t('quickreply.confirm_delete', { shortcut: r.shortcut }))) return;
  btn.disabled = true;
  const res = await call('DELETE', '/api/v1/quick-replies/' + encodeURIComponent(r.id));
  btn.disabled = false;
  if (!res.ok) {
    listError.textContent = res.error.message;
    return;
  }
  if (editing && editing.id === r.id) closeEditor();
  say(t('quickreply.deleted'));
  loadList();
}

function say(msg) {
  flash.textContent = msg;
  setTimeout(() => { if (flash.textContent === msg) flash.textContent = ''; }, 4000);
}

// ------------------------------------------------------------- the editor

function sampleVars() {
  return {
    'customer.name': t('quickreply.sample.customer.name'),
    'customer.email': t('quickreply.sample.customer.email'),
    'customer.phone': t('quickreply.sample.customer.phone'),
    'agent.name': page.dataset.agentName || '',
    'agent.email': page.dataset.agentEmail || '',
  };
}

function paintPreview() { preview.textContent = render(form.elements.body.value, sampleVars()); }

function scopeChanged() {
  const team = form.elements.scope.value === 'team';
  document.getElementById('qr-team-field').hidden = !team;
  form.elements.team_id.disabled = !team;
}

function openEditor(r) {
  editing = r || null;
  showError(null);
  form.reset();
  const scope = form.elements.scope;
  // An agent edits only personal ones; an editor may move one between scopes.
  if (r) {
    if (![...scope.options].some((o) => o.value === r.scope)) scope.append(el('option', { value: r.scope, text: r.scope }));
    scope.value = r.scope;
    if (r.scope === 'team') {
      if (!teams.has(r.team_id)) form.elements.team_id.append(el('option', { value: r.team_id, text: teamName(r.team_id) }));
      form.elements.team_id.value = r.team_id;
    }
    form.elements.shortcut.value = r.shortcut;
    form.elements.title.value = r.title;
    form.elements.body.value = r.body;
  }
  scope.disabled = !editorRole;
  scopeChanged();
  document.getElementById('qr-editor-title').textContent = t(r ? 'quickreply.edit_title' : 'quickreply.new');
  document.getElementById('qr-save').textContent = t(r ? 'quickreply.save' : 'quickreply.create');
  paintPreview();
  editor.hidden = false;
  editor.scrollIntoView({ block: 'nearest' });
  form.elements.shortcut.focus();
}

function closeEditor() {
  editing = null;
  editor.hidden = true;
}

function showError(err) {
  const box = form.querySelector('.form-error');
  form.querySelectorAll('[aria-invalid]').forEach((n) => n.removeAttribute('aria-invalid'));
  box.textContent = err ? err.message : '';
  if (err && err.field) {
    const field = form.elements[err.field];
    if (field && field.focus) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
  }
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = form.elements;
  const body = { shortcut: f.shortcut.value, title: f.title.value, body: f.body.value };
  if (editorRole) {
    body.scope = f.scope.value;
    if (body.scope === 'team') body.team_id = f.team_id.value;
  } else if (!editing) body.scope = 'personal';
  const btn = document.getElementById('qr-save');
  btn.disabled = true;
  const res = editing
    ? await call('PATCH', '/api/v1/quick-replies/' + encodeURIComponent(editing.id), body)
    : await call('POST', '/api/v1/quick-replies', body);
  btn.disabled = false;
  if (!res.ok) return showError(res.error);
  closeEditor();
  say(t('quickreply.saved'));
  if (search.elements.q.value) search.elements.q.value = '';
  await loadList();
  document.querySelector(`.qr-item[data-shortcut="${CSS.escape(res.data.shortcut)}"]`)?.scrollIntoView({ block: 'nearest' });
});

form.elements.body.addEventListener('input', paintPreview);
form.elements.scope.addEventListener('change', scopeChanged);
document.getElementById('qr-cancel').addEventListener('click', closeEditor);
document.getElementById('qr-new').addEventListener('click', () => openEditor(null));
for (const b of form.querySelectorAll('[data-var]')) {
  if (!VARIABLES.includes(b.dataset.var)) continue;
  b.addEventListener('click', () => {
    const ta = form.elements.body;
    const v = '{{' + b.dataset.var + '}}';
    const at = ta.selectionStart ?? ta.value.length;
    const end = ta.selectionEnd ?? at;
    ta.value = ta.value.slice(0, at) + v + ta.value.slice(end);
    ta.focus();
    ta.setSelectionRange(at + v.length, at + v.length);
    paintPreview();
  });
}
editor.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') closeEditor(); });

let searchTimer = null;
search.addEventListener('submit', (ev) => { ev.preventDefault(); loadList(); });
search.elements.q.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(loadList, 200);
});

await loadTeams();
await loadList();
