// The bot page: its settings (thresholds, turn limits, tenant terms and
// synonyms, the optional LLM whose key is write-only), its status with a
// rebuild, and a box to try a question and see the decision.
import { t, call, el, showError, flash, when } from './kb-api.js';

const form = document.getElementById('bot-form');
const f = form.elements;

// "llm.base_url" → llm_base_url; "llm" → the base URL; "terms[2]" → terms.
const fieldName = (name) => (name === 'llm' ? 'llm_base_url' : name.replace(/^llm\./, 'llm_'));

function fill(s) {
  f.enabled.checked = !!s.enabled;
  f.answer_threshold.value = s.answer_threshold;
  f.clarify_threshold.value = s.clarify_threshold;
  f.negative_threshold.value = s.negative_threshold;
  f.decline_threshold.value = s.decline_threshold ?? 0;
  f.max_turns.value = s.max_turns;
  f.max_misses.value = s.max_misses;
  f.terms.value = (s.terms || []).join('\n');
  f.synonyms.value = (s.synonyms || []).map((g) => g.join(', ')).join('\n');
  const llm = s.llm || {};
  f.llm_enabled.checked = !!llm.enabled;
  f.llm_base_url.value = llm.base_url || '';
  f.llm_model.value = llm.model || '';
  f.llm_api_key.value = '';
}

function body() {
  const num = (name, int) => {
    const raw = f[name].value.trim();
    const v = int ? Number.parseInt(raw, 10) : Number.parseFloat(raw);
    if (raw === '' || !Number.isFinite(v)) throw { field: name, message: t(int ? 'adminkb.bot.need_count' : 'adminkb.bot.need_number') };
    return v;
  };
  const lines = (s) => s.split('\n').map((x) => x.trim()).filter(Boolean);
  return {
    enabled: f.enabled.checked,
    answer_threshold: num('answer_threshold'),
    clarify_threshold: num('clarify_threshold'),
    negative_threshold: num('negative_threshold'),
    decline_threshold: num('decline_threshold'),
    max_turns: num('max_turns', true),
    max_misses: num('max_misses', true),
    terms: lines(f.terms.value),
    synonyms: lines(f.synonyms.value).map((l) => l.split(/[,，、]/).map((w) => w.trim()).filter(Boolean)),
    llm: { enabled: f.llm_enabled.checked, base_url: f.llm_base_url.value.trim(), model: f.llm_model.value.trim(), api_key: f.llm_api_key.value },
  };
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  let b;
  try { b = body(); } catch (err) { return showError(form, err, fieldName); }
  const btn = form.querySelector('button[type="submit"]');
  btn.disabled = true;
  const res = await call('PUT', '/api/v1/bot/settings', b);
  btn.disabled = false;
  if (!res.ok) return showError(form, res.error, fieldName);
  showError(form, null);
  fill(res.data);
  flash(document.getElementById('bot-flash'), t('adminkb.bot.saved'));
  setTimeout(loadStatus, 800);
});

// ------------------------------------------------------------ status

function paintStatus(s) {
  const set = (k, v) => { document.querySelector(`[data-stat="${k}"]`).textContent = v; };
  set('entries', String(s.entries ?? 0));
  set('questions', String(s.questions ?? 0));
  set('version', String(s.version ?? 0));
  set('built_at', s.building ? t('adminkb.bot.building') : s.built ? t('adminkb.bot.built', { when: when(s.built_at), ms: s.build_ms ?? 0 }) : t('adminkb.bot.not_built'));
  document.getElementById('status-error').textContent = s.error ? t('adminkb.bot.build_failed', { error: s.error }) : '';
}

async function loadStatus() {
  const res = await call('GET', '/api/v1/bot/status');
  if (!res.ok) {
    document.getElementById('status-error').textContent = res.error.message;
    return;
  }
  paintStatus(res.data);
}

document.getElementById('rebuild').addEventListener('click', async (ev) => {
  const btn = ev.currentTarget;
  btn.disabled = true;
  const res = await call('POST', '/api/v1/bot/rebuild');
  btn.disabled = false;
  if (!res.ok) {
    document.getElementById('status-error').textContent = res.error.message;
    return;
  }
  paintStatus(res.data);
  flash(document.getElementById('rebuild-flash'), t('adminkb.bot.rebuilt'));
});

// ------------------------------------------------------------ try

const tryForm = document.getElementById('try-form');
const result = document.getElementById('try-result');

const pct = (x) => `${Math.round((x || 0) * 100)}%`;
const label = (prefix, v) => {
  const s = t(prefix + v);
  return s === prefix + v ? v : s;
};

tryForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const question = tryForm.elements.question.value.trim();
  if (!question) return showError(tryForm, { field: 'question', message: t('adminkb.bot.try_empty') });
  const res = await call('POST', '/api/v1/bot/try', { question });
  if (!res.ok) return showError(tryForm, res.error);
  showError(tryForm, null);
  const r = res.data;
  const rows = [
    [t('adminkb.bot.decision'), el('strong', { 'data-testid': 'try-kind', 'data-kind': r.kind }, label('adminkb.bot.kind.', r.kind))],
    [t('adminkb.bot.confidence'), el('span', { 'data-testid': 'try-confidence' }, pct(r.confidence))],
  ];
  if (r.reason) rows.push([t('adminkb.bot.reason'), el('span', { 'data-testid': 'try-reason' }, label('adminkb.bot.reason.', r.reason))]);
  if (r.language) rows.push([t('adminkb.language'), r.language]);
  if (r.negative) rows.push([t('adminkb.bot.sentiment'), t('adminkb.bot.negative')]);
  const dl = el('dl', { class: 'bot-decision' }, ...rows.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v))));
  result.replaceChildren(dl);
  if (r.answer) {
    result.append(el('h3', {}, t('adminkb.bot.answer')),
      el('blockquote', { class: 'bot-answer', 'data-testid': 'try-answer' }, r.answer),
      el('p', {}, el('a', { href: '/kb#entry/' + r.entry_id }, t('adminkb.bot.open_entry'))));
  }
  if ((r.candidates || []).length) {
    const ol = el('ol', { class: 'bot-candidates', 'data-testid': 'try-candidates' });
    for (const c of r.candidates) ol.append(el('li', {}, el('a', { href: '/kb#entry/' + c.entry_id }, c.question), ' ', el('span', { class: 'hint' }, pct(c.confidence))));
    result.append(el('h3', {}, t('adminkb.bot.candidates')), ol);
  }
  result.hidden = false;
});

const res = await call('GET', '/api/v1/bot/settings');
if (res.ok) fill(res.data);
else showError(form, res.error);
loadStatus();
