// The website channels page: sends the channel forms to the REST API as
// the nested JSON it expects (origins one per line, languages, pre-chat
// form), shows errors next to the field, and paints the colour swatches.
// Delete, rotate and copy use the page-wide buttons of app.js.
const messages = JSON.parse(document.getElementById('sb-messages')?.textContent || '{}');
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';
const t = (k) => messages[k] || k;

function body(form) {
  const f = form.elements;
  const langs = [...form.querySelectorAll('input[name="languages"]:checked')].map((el) => el.value);
  const origins = f.allowed_origins.value.split('\n').map((s) => s.trim()).filter(Boolean);
  const settings = {
    allowed_origins: origins,
    greeting: f.greeting.value.trim(),
    color: f.color.value,
    position: form.querySelector('input[name="position"]:checked')?.value || 'right',
    languages: langs,
    prechat: { enabled: f.prechat_enabled.checked, require_email: f.prechat_enabled.checked && f.prechat_require_email.checked },
    require_identity: f.require_identity.checked,
    bot: {
      mode: form.querySelector('input[name="bot_mode"]:checked')?.value || 'bot_first',
      hours: {
        time_zone: f.time_zone.value.trim(),
        days: [...form.querySelectorAll('input[name="days"]:checked')].map((el) => Number(el.value)),
        open: f.open.value,
        close: f.close.value,
      },
    },
  };
  return { name: f.name.value.trim(), settings };
}

// "settings.allowed_origins[1]" → the origins box; "settings.prechat.enabled" → its checkbox.
function fieldOf(form, field) {
  if (!field) return null;
  let name = field.replace(/^settings\./, '').replace(/\[\d+\]$/, '').replace(/^prechat\./, 'prechat_')
    .replace(/^bot\.hours\./, '').replace(/^bot\.mode$/, 'bot_mode');
  if (name === 'prechat') name = 'prechat_enabled';
  return form.querySelector(`[name="${CSS.escape(name)}"]`);
}

function showError(form, err) {
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  const box = form.querySelector('.form-error');
  box.textContent = err ? err.message : '';
  const el = err && fieldOf(form, err.field);
  if (el) {
    el.setAttribute('aria-invalid', 'true');
    el.focus();
  }
}

document.addEventListener('submit', async (ev) => {
  const form = ev.target.closest('form[data-channel-form]');
  if (!form) return;
  ev.preventDefault();
  const btn = form.querySelector('button[type="submit"]');
  btn.disabled = true;
  let res;
  try {
    res = await fetch(form.dataset.url, {
      method: form.dataset.method,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body(form)),
      credentials: 'same-origin',
    });
  } catch {
    btn.disabled = false;
    showError(form, { message: t('err.network') });
    return;
  }
  btn.disabled = false;
  if (res.ok) {
    showError(form, null);
    location.reload();
    return;
  }
  let data = null;
  try { data = await res.json(); } catch { /* not JSON */ }
  showError(form, (data && data.error) || { message: t('err.internal') });
});

// The e-mail box means something only with the pre-chat form.
function syncPrechat(form) {
  const on = form.elements.prechat_enabled.checked;
  form.elements.prechat_require_email.disabled = !on;
}
document.addEventListener('change', (ev) => {
  const form = ev.target.closest('form[data-channel-form]');
  if (form && ev.target.name === 'prechat_enabled') syncPrechat(form);
});
for (const form of document.querySelectorAll('form[data-channel-form]')) syncPrechat(form);

for (const sw of document.querySelectorAll('.swatch[data-color]')) {
  if (/^#[0-9a-f]{6}$/i.test(sw.dataset.color)) sw.style.background = sw.dataset.color;
}

// The identity secret is blurred until shown.
document.addEventListener('click', (ev) => {
  const btn = ev.target.closest('button.reveal');
  if (!btn) return;
  const code = btn.parentElement.querySelector('.secret-value');
  const show = code.classList.toggle('masked') === false;
  btn.textContent = show ? btn.dataset.hide : btn.dataset.show;
  btn.setAttribute('aria-pressed', show ? 'true' : 'false');
});
