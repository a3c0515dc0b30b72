// The knowledge-base page: the category tree (create, rename, move, delete
// an empty one), the entry list with search, filters and pages, import
// with a dry run first, and the editor (kb-editor.js), opened at
// #entry/<id> or #new.
import { t, call, el, showError, errorText, me, isReviewer, when } from './kb-api.js';
import { badges, openEntry, openNew, setCategories, setReviewer } from './kb-editor.js';

const PAGE = 20;
const listView = document.getElementById('kb-list-view');
const editorView = document.getElementById('kb-editor-view');
const tree = document.getElementById('kb-tree');
const catForm = document.getElementById('cat-form');
const catEdit = document.getElementById('cat-edit');
const filters = document.getElementById('kb-filters');
const tbody = document.querySelector('#kb-entries tbody');
const listError = document.getElementById('list-error');

let cats = [];
let category = ''; // the category chosen in the tree
let cursors = ['']; // the cursor of each page seen so far
let pageNo = 0;
let nextCursor = '';

// ------------------------------------------------------------ categories

async function loadCategories() {
  const res = await call('GET', '/api/v1/kb/categories');
  if (!res.ok) {
    listError.textContent = errorText(res.error);
    return;
  }
  cats = (res.data.items || []).map((c) => ({ ...c, depth: (c.path || c.name).split('/').length - 1 }));
  if (category && !cats.some((c) => c.id === category)) category = '';
  paintTree();
  setCategories(cats);
}

function paintTree() {
  const all = tree.firstElementChild;
  all.querySelector('button').toggleAttribute('aria-current', !category);
  tree.replaceChildren(all, ...cats.map((c) => el('li', { class: 'depth-' + Math.min(c.depth, 7) },
    el('button', { type: 'button', class: 'link kb-cat', 'data-category': c.id, 'aria-current': c.id === category ? 'true' : null }, c.name))));
  for (const sel of document.querySelectorAll('[data-parent-select]')) {
    const self = sel.closest('form') === catEdit ? category : '';
    const cur = sel.value;
    sel.replaceChildren(el('option', { value: '' }, t('adminkb.category_top')),
      ...cats.filter((c) => c.id !== self && !(self && (c.path + '/').startsWith(pathOf(self) + '/')))
        .map((c) => el('option', { value: c.id }, '\u00a0\u00a0'.repeat(c.depth) + c.name)));
    sel.value = cats.some((c) => c.id === cur) ? cur : '';
  }
  catEdit.hidden = !category;
  if (category) {
    const c = cats.find((x) => x.id === category);
    catEdit.elements.name.value = c.name;
    catEdit.elements.parent_id.value = c.parent_id || '';
  }
}

const pathOf = (id) => cats.find((c) => c.id === id)?.path || '';

tree.addEventListener('click', (ev) => {
  const b = ev.target.closest('button[data-category]');
  if (!b) return;
  category = b.dataset.category;
  showError(catEdit, null);
  paintTree();
  if (location.hash) location.hash = '';
  reload();
});

catForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = { name: catForm.elements.name.value.trim() };
  if (catForm.elements.parent_id.value) body.parent_id = catForm.elements.parent_id.value;
  const res = await call('POST', '/api/v1/kb/categories', body);
  if (!res.ok) return showError(catForm, res.error);
  showError(catForm, null);
  catForm.reset();
  category = res.data.id;
  await loadCategories();
  reload();
});

catEdit.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const res = await call('PATCH', `/api/v1/kb/categories/${category}`,
    { name: catEdit.elements.name.value.trim(), parent_id: catEdit.elements.parent_id.value });
  if (!res.ok) return showError(catEdit, res.error);
  showError(catEdit, null);
  await loadCategories();
  reload();
});

document.getElementById('cat-delete').addEventListener('click', async () => {
  if (!category || !confirm(t('adminkb.category_delete_confirm'))) return;
  const res = await call('DELETE', `/api/v1/kb/categories/${category}`);
  if (!res.ok) return showError(catEdit, res.error);
  category = '';
  await loadCategories();
  reload();
});

// ------------------------------------------------------------ the list

function query(cursor) {
  const p = new URLSearchParams();
  const fe = filters.elements;
  for (const k of ['status', 'language', 'kind', 'tag']) if (fe[k].value.trim()) p.set(k, fe[k].value.trim());
  if (category) p.set('category_id', category);
  const q = fe.q.value.trim();
  if (q) p.set('q', q);
  p.set('limit', PAGE);
  if (cursor) p.set('cursor', cursor);
  return { url: (q ? '/api/v1/kb/search?' : '/api/v1/kb/entries?') + p, search: !!q };
}

async function loadPage() {
  const { url, search } = query(cursors[pageNo]);
  const res = await call('GET', url);
  tbody.replaceChildren();
  listError.textContent = res.ok ? '' : errorText(res.error);
  const items = res.ok ? res.data.items || [] : [];
  nextCursor = res.ok ? res.data.next_cursor || '' : '';
  for (const it of items) {
    const e = search ? it.entry : it;
    const q = el('td', {}, el('a', { href: '#entry/' + e.id, class: 'kb-q-link' }, e.question));
    if (search && it.snippet) q.append(el('div', { class: 'hint kb-snippet' }, it.snippet));
    if ((e.tags || []).length) q.append(el('div', { class: 'tags' }, ...e.tags.map((x) => el('span', { class: 'tag' }, x))));
    tbody.append(el('tr', { 'data-entry-id': e.id, 'data-question': e.question }, q,
      el('td', {}, t('adminkb.kind.' + e.kind)), el('td', {}, e.language), el('td', {}, e.category_path || ''),
      el('td', {}, ...badges(e), ' ', el('span', { class: 'hint' }, 'v' + e.version)), el('td', {}, when(e.updated_at))));
  }
  document.getElementById('kb-empty').hidden = !res.ok || items.length > 0;
  document.getElementById('page-prev').disabled = pageNo === 0;
  document.getElementById('page-next').disabled = !nextCursor;
  document.getElementById('page-no').textContent = t('adminkb.page', { n: pageNo + 1 });
}

function reload() {
  cursors = [''];
  pageNo = 0;
  return loadPage();
}

filters.addEventListener('submit', (ev) => { ev.preventDefault(); reload(); });
filters.addEventListener('change', (ev) => { if (ev.target.tagName === 'SELECT') reload(); });
document.getElementById('page-next').addEventListener('click', () => {
  if (!nextCursor) return;
  cursors[pageNo + 1] = nextCursor;
  pageNo++;
  loadPage();
});
document.getElementById('page-prev').addEventListener('click', () => {
  if (pageNo === 0) return;
  pageNo--;
  loadPage();
});
document.getElementById('new-entry').addEventListener('click', () => { location.hash = 'new'; });
document.getElementById('back-to-list').addEventListener('click', (ev) => { ev.preventDefault(); location.hash = ''; });

// ------------------------------------------------------------ import

const importForm = document.getElementById('import-form');
const importResult = document.getElementById('import-result');
const runBtn = document.getElementById('import-run');

async function sendImport(dry) {
  const file = importForm.elements.file.files[0];
  if (!file) {
    showError(importForm, { field: 'file', message: t('adminkb.import_choose') });
    return null;
  }
  const fd = new FormData();
  fd.append('file', file, file.name);
  const p = new URLSearchParams({ dry_run: String(dry) });
  if (importForm.elements.format.value) p.set('format', importForm.elements.format.value);
  const res = await call('POST', '/api/v1/kb/import?' + p, fd);
  if (!res.ok) {
    showError(importForm, res.error);
    return null;
  }
  showError(importForm, null);
  return res.data;
}

function paintImport(r) {
  importResult.hidden = false;
  const head = r.dry_run ? t('adminkb.import_dry', { rows: r.rows, created: r.created, errors: (r.errors || []).length + (r.more_errors || 0) })
    : t('adminkb.import_done', { rows: r.rows, created: r.created, errors: (r.errors || []).length + (r.more_errors || 0) });
  importResult.replaceChildren(el('p', { class: r.dry_run ? 'kb-import-head' : 'kb-import-head ok' }, head));
  const list = el('ul', { class: 'kb-row-errors' });
  for (const e of r.errors || []) list.append(el('li', { 'data-row': e.row, class: 'danger' }, t('adminkb.import_row', { row: e.row, message: e.message })));
  for (const e of r.duplicates || []) list.append(el('li', { 'data-row': e.row }, t('adminkb.import_row', { row: e.row, message: e.message })));
  if (r.more_errors) list.append(el('li', {}, t('adminkb.import_more', { n: r.more_errors })));
  if (list.childElementCount) importResult.append(list);
}

importForm.addEventListener('change', () => { runBtn.disabled = true; importResult.hidden = true; });
importForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  runBtn.disabled = true;
  const r = await sendImport(true);
  if (!r) return;
  paintImport(r);
  runBtn.disabled = !(r.created > 0);
});
runBtn.addEventListener('click', async () => {
  runBtn.disabled = true;
  const r = await sendImport(false);
  if (!r) return;
  paintImport(r);
  await loadCategories();
  reload();
});

// ------------------------------------------------------------ routing

async function route() {
  const h = location.hash.replace(/^#/, '');
  const m = /^entry\/([A-Za-z0-9_-]+)$/.exec(h);
  const editing = h === 'new' || !!m;
  listView.hidden = editing;
  editorView.hidden = !editing;
  if (h === 'new') openNew({ category_id: category });
  else if (m) await openEntry(m[1]);
  else loadPage();
  window.scrollTo(0, 0);
}
window.addEventListener('hashchange', route);

setReviewer(isReviewer(await me()));
await loadCategories();
route();
