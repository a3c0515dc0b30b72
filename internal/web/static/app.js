// Switchboard pages: sends forms and buttons marked data-api to the REST
// API as JSON, with the session's CSRF token, and shows errors in place.
const messages = JSON.parse(document.getElementById('sb-messages')?.textContent || '{}');
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';
const t = (k) => messages[k] || k;

async function call(method, url, body) {
  const headers = { 'Accept': 'application/json' };
  if (csrf) headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch (e) {
    return { ok: false, error: { code: 'network', message: t('err.network') } };
  }
  let data = null;
  if (res.status !== 204) {
    try { data = await res.json(); } catch (e) { data = null; }
  }
  if (!res.ok) return { ok: false, status: res.status, error: (data && data.error) || { code: 'internal', message: t('err.internal') } };
  return { ok: true, status: res.status, data };
}

function formBody(form) {
  const body = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') body[el.name] = el.checked;
    else if (el.value !== '' || el.required) body[el.name] = el.value;
  }
  return body;
}

function showError(form, err) {
  const box = form.querySelector('.form-error');
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  if (err && err.code === 'choose_tenant') {
    const tf = form.querySelector('.tenant-field');
    if (tf) tf.hidden = false; // before the focus below: a hidden field cannot take it
  }
  if (err && err.field) {
    const el = form.querySelector(`[name="${CSS.escape(err.field)}"]`);
    if (el) { el.setAttribute('aria-invalid', 'true'); el.focus(); }
  }
  if (box) box.textContent = err ? err.message : '';
  else if (err) alert(err.message);
}

function after(el, res) {
  const then = el.dataset.then || 'reload';
  if (then === 'reload') return location.reload();
  if (then === 'secret') {
    const box = document.getElementById('token-secret');
    box.querySelector('.secret-value').textContent = res.data.secret;
    box.hidden = false;
    document.querySelector('#tokens .empty')?.closest('tr')?.remove();
    el.reset();
    return;
  }
  if (el.hasAttribute('data-login') && res.data && res.data.must_change_password) return location.assign('/password' + (then !== '/' ? '?next=' + encodeURIComponent(then) : ''));
  location.assign(then);
}

document.addEventListener('submit', async (ev) => {
  const form = ev.target;
  if (!form.dataset.api && !form.dataset.apiTemplate) return;
  ev.preventDefault();
  const body = formBody(form);
  let url = form.dataset.api;
  if (form.dataset.apiTemplate) {
    url = form.dataset.apiTemplate.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(body[k] || ''));
  }
  const method = form.dataset.method || 'POST';
  const send = form.dataset.apiTemplate ? undefined : body;
  const btn = form.querySelector('button[type="submit"]');
  if (btn) btn.disabled = true;
  const res = await call(method, url, send);
  if (btn) btn.disabled = false;
  if (!res.ok) return showError(form, res.error);
  showError(form, null);
  after(form, res);
});

document.addEventListener('change', (ev) => {
  const form = ev.target.closest('form[data-autosubmit]');
  if (form) form.requestSubmit();
});

document.addEventListener('click', async (ev) => {
  const btn = ev.target.closest('button[data-api]');
  if (btn) {
    if (btn.dataset.confirm && !confirm(btn.dataset.confirm)) return;
    btn.disabled = true;
    const body = btn.dataset.body ? JSON.parse(btn.dataset.body) : undefined;
    const res = await call(btn.dataset.method || 'POST', btn.dataset.api, body);
    btn.disabled = false;
    if (!res.ok) return alert(res.error.message);
    return after(btn, res);
  }
  const copy = ev.target.closest('button.copy');
  if (copy) {
    const v = copy.parentElement.querySelector('.secret-value')?.textContent || '';
    try { await navigator.clipboard.writeText(v); copy.textContent = t('ui.copied'); } catch (e) { /* clipboard needs a secure context */ }
  }
});
