// The workspace settings page: the close-summary categories (add, remove,
// reorder), whether a summary is required to close, and the response-time
// target the console's timers are coloured against. The page's texts come
// from its markup (the form's data-msg-* attributes), in the reader's
// language; errors are the API's own, already translated.
import { call } from './page-api.js';

const form = document.getElementById('workspace-form');
const f = form.elements;
const list = document.getElementById('ws-categories');
const empty = document.getElementById('ws-categories-empty');
const newCat = document.getElementById('ws-new-category');
const flash = document.getElementById('ws-flash');
const msg = (name) => form.dataset['msg' + name] || '';

const MAX = 50;
let cats = [];

function button(text, label, onclick, disabled) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'secondary';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.title = label;
  b.disabled = !!disabled;
  b.addEventListener('click', onclick);
  return b;
}

function render() {
  const rows = cats.map((c, i) => {
    const li = document.createElement('li');
    li.dataset.testid = 'summary-category';
    li.dataset.category = c;
    const name = document.createElement('span');
    name.className = 'ws-cat-name';
    name.textContent = c;
    li.append(name,
      button('↑', `${msg('Up')}: ${c}`, () => move(i, -1), i === 0),
      button('↓', `${msg('Down')}: ${c}`, () => move(i, 1), i === cats.length - 1),
      button(msg('Remove'), `${msg('Remove')}: ${c}`, () => remove(i)));
    return li;
  });
  list.replaceChildren(...rows);
  empty.hidden = cats.length > 0;
}

function move(i, by) {
  const j = i + by;
  if (j < 0 || j >= cats.length) return;
  [cats[i], cats[j]] = [cats[j], cats[i]];
  render();
  list.children[j]?.querySelector(by < 0 ? 'button' : 'button:nth-of-type(2)')?.focus();
}

function remove(i) {
  cats.splice(i, 1);
  render();
  (list.children[Math.min(i, cats.length - 1)]?.querySelector('button:last-of-type') || newCat).focus();
}

/** add puts the typed category at the end of the list; false (with a reason shown) when it cannot. */
function add() {
  const c = newCat.value.trim();
  if (!c) {
    showError({ field: 'new_category', message: msg('Empty') });
    return false;
  }
  if (cats.some((x) => x.toLowerCase() === c.toLowerCase())) {
    showError({ field: 'new_category', message: msg('Repeated') });
    return false;
  }
  if (cats.length >= MAX) {
    showError({ field: 'new_category', message: msg('TooMany') });
    return false;
  }
  cats.push(c);
  newCat.value = '';
  showError(null);
  render();
  newCat.focus();
  return true;
}

function showError(err) {
  const box = form.querySelector('.form-error');
  for (const n of form.querySelectorAll('[aria-invalid]')) n.removeAttribute('aria-invalid');
  box.textContent = err ? err.message : '';
  if (!err || !err.field) return;
  const item = /^summary_categories\[(\d+)\]$/.exec(err.field);
  if (item) {
    const li = list.children[Number(item[1])];
    if (li) {
      li.setAttribute('aria-invalid', 'true');
      li.querySelector('button:last-of-type')?.focus();
    }
    return;
  }
  const target = err.field === 'summary_categories' ? newCat : f[err.field];
  if (target && target.setAttribute) {
    target.setAttribute('aria-invalid', 'true');
    target.focus();
  }
}

function fill(st) {
  cats = [...(st.summary_categories || [])];
  f.summary_required.checked = !!st.summary_required;
  f.response_target_seconds.value = st.response_target_seconds;
  render();
}

document.getElementById('ws-add').addEventListener('click', add);
newCat.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter') {
    ev.preventDefault();
    add();
  }
});

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  flash.textContent = '';
  // A category typed but not added yet is meant to be in the list.
  if (newCat.value.trim() && !add()) return;
  const raw = f.response_target_seconds.value.trim();
  const target = /^\d+$/.test(raw) ? Number(raw) : -1;
  const btn = form.querySelector('button[type="submit"]');
  btn.disabled = true;
  const res = await call('PUT', '/api/v1/workspace/settings',
    { summary_categories: cats, summary_required: f.summary_required.checked, response_target_seconds: target });
  btn.disabled = false;
  if (!res.ok) return showError(res.error);
  showError(null);
  fill(res.data);
  flash.textContent = msg('Saved');
});

(async () => {
  const res = await call('GET', '/api/v1/workspace/settings');
  if (!res.ok) return showError(res.error);
  fill(res.data);
})();
