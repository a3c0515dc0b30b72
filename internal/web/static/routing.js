// The routing page (administrators): the tenant's routing settings and
// fallback, the ordered routing rules (conditions → target), every team's
// skills, languages, default capacity and business hours, and every
// agent's status and capacity. Everything is read from and saved to the
// REST API; an error the API names a field for is shown next to that field
// (the API's message, already in the reader's language). A rule or the
// fallback that points to a deleted team or a skill no team offers is shown
// as broken with what is missing: routing skips it.
//
// Texts come from the page's hidden #rt-i18n block (the server fills it in
// the reader's language); nothing is ever inserted as markup.
import { call, strings } from './page-api.js';

/** t looks a message up and fills its {name} placeholders. */
const t = strings('rt-i18n');

/** el builds an element: attrs (text, class, dataset, on<event>, others as attributes) and children. */
function el(tag, attrs = {}, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') n.textContent = v;
    else if (k === 'class') n.className = v;
    else if (k === 'dataset') Object.assign(n.dataset, v);
    else if (k === 'value') n.value = v;
    else if (k === 'checked') n.checked = !!v;
    else if (k.startsWith('on') && typeof v === 'function') n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    n.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return n;
}

const $ = (id) => document.getElementById(id);

/** all reads every page of a list. */
async function all(path) {
  const out = [];
  let cursor = '';
  for (let i = 0; i < 50; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await call('GET', path + (cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''));
    if (!res.ok) return res;
    out.push(...(res.data.items || []));
    cursor = res.data.next_cursor || '';
    if (!cursor) break;
  }
  return { ok: true, data: out };
}

// ------------------------------------------------------------------ state

const S = {
  config: null, // GET /api/v1/routing
  teams: [], // GET /api/v1/routing/teams
  agents: [], // GET /api/v1/agents
  channels: [], // id, name
  categories: [], // knowledge-base categories: id, path
  rules: [], // the rules being edited: { rule, card }
  rulesDirty: false,
};

const teamName = (id) => S.teams.find((x) => x.team_id === id)?.name;

const STRATEGIES = ['least_busy', 'round_robin', 'sticky'];
const DAYS = [1, 2, 3, 4, 5, 6, 0]; // Monday first in the editor; 0 is Sunday

// --------------------------------------------------------------- field errors

/** clearErrors removes the field errors shown in a container. */
function clearErrors(box) {
  for (const n of box.querySelectorAll('.rt-field-error')) n.remove();
  for (const n of box.querySelectorAll('[aria-invalid]')) n.removeAttribute('aria-invalid');
  for (const n of box.querySelectorAll('.form-error')) n.textContent = '';
}

/** parentField is the field a sub-field belongs to ("a.b[2]" → "a.b" → "a"; "" at the top). */
function parentField(f) {
  const m = /^(.*?)(\.[^.[\]]+|\[\d+\])$/.exec(f);
  return m ? m[1] : '';
}

/**
 * showError puts an API error next to the field it names inside box (the
 * nearest named ancestor of a list item or sub-field), or in the box's
 * general error line when no field shows it.
 */
function showError(box, err, general) {
  let field = err.field || '';
  let target = null;
  while (field && !target) {
    target = box.querySelector(`[data-field="${CSS.escape(field)}"]`);
    if (!target) field = parentField(field);
  }
  if (!target) {
    const line = general || box.querySelector('.form-error');
    if (line) line.textContent = err.message;
    return;
  }
  const details = target.closest('details');
  if (details) details.open = true;
  target.setAttribute('aria-invalid', 'true');
  const msg = el('span', { class: 'rt-field-error', role: 'alert', 'data-testid': 'field-error', dataset: { for: err.field || '' }, text: err.message });
  if (target.matches('input, select, textarea')) target.after(msg);
  else target.append(msg);
  const focusable = target.matches('input, select, textarea, button') ? target : target.querySelector('input, select, textarea');
  if (focusable) focusable.focus();
  target.scrollIntoView({ block: 'nearest' });
}

/** flash shows a short confirmation that goes away. */
function flash(node, msg) {
  node.textContent = msg;
  clearTimeout(node._timer);
  node._timer = setTimeout(() => { node.textContent = ''; }, 4000);
}

// ------------------------------------------------------------------ widgets

/** intOf reads a number input: its integer value, or fallback when empty. */
function intOf(input, fallback = 0) {
  const v = input.value.trim();
  if (v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : NaN;
}

let uid = 0;
const nextID = (p) => `${p}-${++uid}`;

/**
 * chips edits a list of short texts: the items with a remove button each,
 * and a field to add more (Enter or the Add button; commas separate).
 */
function chips({ values, field, label, placeholder, suggestions, lower }) {
  let items = [...(values || [])];
  const listID = suggestions && suggestions.length ? nextID('rt-dl') : null;
  const ul = el('ul', { class: 'rt-chips', 'aria-label': label });
  const input = el('input', { type: 'text', maxlength: '40', placeholder: placeholder || '', 'aria-label': t('routing.add_to', { list: label }), list: listID || undefined, autocomplete: 'off' });
  const wrap = el('div', { class: 'rt-chips-field', dataset: { field } });
  const render = () => {
    ul.replaceChildren(...items.map((v, i) => el('li', { class: 'rt-chip', dataset: { field: `${field}[${i}]`, value: v } },
      el('span', { text: v }),
      el('button', { type: 'button', class: 'rt-chip-x', 'aria-label': t('routing.remove_item', { item: v }), title: t('routing.remove_item', { item: v }), text: '×',
        onclick: () => { items.splice(i, 1); render(); input.focus(); } }))));
    ul.hidden = items.length === 0;
  };
  const add = () => {
    for (let v of input.value.split(/[,，]/)) {
      v = v.trim();
      if (lower) v = v.toLowerCase();
      if (v && !items.includes(v)) items.push(v);
    }
    input.value = '';
    render();
  };
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      add();
    }
  });
  input.addEventListener('change', add);
  const dl = listID ? el('datalist', { id: listID }, ...suggestions.map((s) => el('option', { value: s }))) : null;
  wrap.append(ul, el('div', { class: 'rt-chips-add' }, input, el('button', { type: 'button', class: 'secondary small', text: t('routing.add'), onclick: add })));
  if (dl) wrap.append(dl);
  render();
  return { node: wrap, get: () => { add(); return [...items]; } };
}

/** labelled wraps a control with its label text (and an optional hint). */
function labelled(textLabel, control, hint) {
  return el('label', { class: 'rt-field' }, el('span', { class: 'rt-label', text: textLabel }), control, hint ? el('small', { text: hint }) : null);
}

function teamOptions(selected, noneLabel) {
  const opts = [el('option', { value: '', text: noneLabel })];
  for (const tm of S.teams) opts.push(el('option', { value: tm.team_id, text: tm.name }));
  if (selected && !teamName(selected)) opts.push(el('option', { value: selected, text: t('routing.deleted_team') }));
  return opts;
}

let timeZones = null;
function zoneList() {
  if (!timeZones) {
    try { timeZones = Intl.supportedValuesOf('timeZone'); } catch { timeZones = []; }
    for (const z of ['UTC', 'Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles']) {
      if (!timeZones.includes(z)) timeZones.push(z);
    }
  }
  return timeZones;
}

/**
 * hoursEditor edits business hours: a time zone, intervals per weekday (add
 * and remove), and holidays (whole days closed). optional: a switch turns
 * the hours off (null: always open / any time).
 */
function hoursEditor(hours, prefix, { switchLabel, offHint }) {
  const on = el('input', { type: 'checkbox', checked: !!hours, 'data-testid': 'hours-enabled' });
  const body = el('div', { class: 'rt-hours-body' });
  const zoneListID = nextID('rt-zones');
  const tz = el('input', { type: 'text', value: (hours && hours.time_zone) || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    list: zoneListID, maxlength: '64', autocomplete: 'off', spellcheck: 'false', dataset: { field: `${prefix}.time_zone` }, 'data-testid': 'time-zone' });
  const zones = el('datalist', { id: zoneListID }, ...zoneList().map((z) => el('option', { value: z })));
  const rows = el('ol', { class: 'rt-intervals', 'aria-label': t('routing.intervals') });
  const holidays = el('ul', { class: 'rt-holidays', 'aria-label': t('routing.holidays') });

  const intervalRow = (iv) => {
    const day = el('select', { 'aria-label': t('routing.day'), class: 'rt-day' },
      ...DAYS.map((d) => el('option', { value: String(d), text: t('routing.day_' + d) })));
    day.value = String(iv.day);
    const open = el('input', { type: 'text', class: 'rt-time', value: iv.open, maxlength: '5', placeholder: '09:00', inputmode: 'numeric', 'aria-label': t('routing.opens') });
    const close = el('input', { type: 'text', class: 'rt-time', value: iv.close, maxlength: '5', placeholder: '18:00', inputmode: 'numeric', 'aria-label': t('routing.closes') });
    const li = el('li', { class: 'rt-interval', 'data-testid': 'interval' }, day, open, el('span', { 'aria-hidden': 'true', text: '–' }), close,
      el('button', { type: 'button', class: 'secondary small', text: t('routing.remove'), 'aria-label': t('routing.remove_interval'), onclick: () => { li.remove(); reindex(); } }));
    li._get = () => ({ day: Number(day.value), open: open.value.trim(), close: close.value.trim() });
    li._parts = { day, open, close };
    return li;
  };
  const holidayRow = (d) => {
    const input = el('input', { type: 'date', value: d, 'aria-label': t('routing.holiday') });
    const li = el('li', { class: 'rt-holiday', 'data-testid': 'holiday' }, input,
      el('button', { type: 'button', class: 'secondary small', text: t('routing.remove'), 'aria-label': t('routing.remove_holiday'), onclick: () => { li.remove(); reindex(); } }));
    li._get = () => input.value.trim();
    li._input = input;
    return li;
  };
  const minutes = (s) => {
    const m = /^(\d{1,2}):(\d{2})$/.exec(s);
    return m ? Number(m[1]) * 60 + Number(m[2]) : -1;
  };
  // The server checks the intervals in the order it keeps them (Sunday
  // first, then by opening time) and names them by that position; the rows
  // are shown Monday first.
  const serverOrder = () => [...rows.children].sort((a, b) => {
    const x = a._get(), y = b._get();
    return x.day - y.day || minutes(x.open) - minutes(y.open);
  });
  const shownOrder = () => [...rows.children].sort((a, b) => {
    const x = a._get(), y = b._get();
    return DAYS.indexOf(x.day) - DAYS.indexOf(y.day) || minutes(x.open) - minutes(y.open);
  });
  function reindex() {
    serverOrder().forEach((li, i) => {
      const f = `${prefix}.week[${i}]`;
      li.dataset.field = f;
      li._parts.day.dataset.field = `${f}.day`;
      li._parts.open.dataset.field = `${f}.open`;
      li._parts.close.dataset.field = `${f}.close`;
    });
    [...holidays.children].forEach((li, i) => { li._input.dataset.field = `${prefix}.holidays[${i}]`; });
    rows.dataset.field = `${prefix}.week`;
    holidays.dataset.field = `${prefix}.holidays`;
  }
  for (const iv of (hours && hours.week) || []) rows.append(intervalRow(iv));
  rows.replaceChildren(...shownOrder());
  for (const d of (hours && hours.holidays) || []) holidays.append(holidayRow(d));
  reindex();

  const addInterval = () => {
    const last = rows.lastElementChild?._get();
    const next = last ? { day: DAYS[(DAYS.indexOf(last.day) + 1) % 7], open: last.open, close: last.close } : { day: 1, open: '09:00', close: '18:00' };
    const li = intervalRow(next);
    rows.append(li);
    reindex();
    li._parts.day.focus();
  };
  const addHoliday = () => {
    const li = holidayRow('');
    holidays.append(li);
    reindex();
    li._input.focus();
  };
  body.append(
    labelled(t('routing.time_zone'), tz, t('routing.time_zone_hint')), zones,
    el('div', { class: 'rt-sub' }, el('span', { class: 'rt-label', text: t('routing.intervals') }), rows,
      el('button', { type: 'button', class: 'secondary small', 'data-testid': 'add-interval', text: t('routing.add_interval'), onclick: addInterval })),
    el('div', { class: 'rt-sub' }, el('span', { class: 'rt-label', text: t('routing.holidays') }), holidays,
      el('button', { type: 'button', class: 'secondary small', 'data-testid': 'add-holiday', text: t('routing.add_holiday'), onclick: addHoliday })));
  const off = el('p', { class: 'hint', text: offHint });
  const sync = () => { body.hidden = !on.checked; off.hidden = on.checked; };
  on.addEventListener('change', () => {
    sync();
    if (on.checked && !rows.children.length) addInterval();
  });
  sync();
  const node = el('div', { class: 'rt-hours', dataset: { field: prefix } },
    el('label', { class: 'rt-check' }, on, ' ', switchLabel), off, body);
  return {
    node,
    get() {
      if (!on.checked) return null;
      rows.replaceChildren(...shownOrder());
      for (const li of [...holidays.children]) if (!li._get()) li.remove();
      reindex();
      // Sent in the server's order, so that the fields it names are these rows.
      return { time_zone: tz.value.trim(), week: serverOrder().map((li) => li._get()), holidays: [...holidays.children].map((li) => li._get()) };
    },
  };
}

/** targetEditor edits where conversations go: team, skill, priority, strategy, overflow. */
function targetEditor(target, prefix) {
  const tg = target || {};
  const team = el('select', { dataset: { field: `${prefix}.team_id` }, 'data-testid': 'target-team' }, ...teamOptions(tg.team_id, t('routing.any_team')));
  team.value = tg.team_id || '';
  const skillsID = nextID('rt-skills');
  const skill = el('input', { type: 'text', value: tg.skill || '', maxlength: '40', list: skillsID, autocomplete: 'off', placeholder: t('routing.any_skill'),
    dataset: { field: `${prefix}.skill` }, 'data-testid': 'target-skill' });
  const skills = el('datalist', { id: skillsID }, ...((S.config && S.config.skills) || []).map((s) => el('option', { value: s })));
  const priority = el('input', { type: 'number', min: '-100', max: '100', step: '1', value: String(tg.priority || 0), dataset: { field: `${prefix}.priority` }, 'data-testid': 'target-priority' });
  const strategy = el('select', { dataset: { field: `${prefix}.strategy` }, 'data-testid': 'target-strategy' },
    el('option', { value: '', text: t('routing.strategy_default') }), ...STRATEGIES.map((s) => el('option', { value: s, text: t('routing.strategy_' + s) })));
  strategy.value = tg.strategy || '';
  const overflow = el('select', { dataset: { field: `${prefix}.overflow_team_id` }, 'data-testid': 'target-overflow' }, ...teamOptions(tg.overflow_team_id, t('routing.no_overflow')));
  overflow.value = tg.overflow_team_id || '';
  const after = el('input', { type: 'number', min: '0', max: '86400', step: '1', value: String(tg.overflow_after_seconds || 60), dataset: { field: `${prefix}.overflow_after_seconds` }, 'data-testid': 'target-overflow-after' });
  const afterField = labelled(t('routing.overflow_after'), after);
  const sync = () => { afterField.hidden = !overflow.value; };
  overflow.addEventListener('change', sync);
  sync();
  const node = el('div', { class: 'rt-target-fields', dataset: { field: prefix } },
    labelled(t('routing.team'), team), el('div', {}, labelled(t('routing.skill'), skill, t('routing.skill_hint')), skills),
    labelled(t('routing.priority'), priority, t('routing.priority_hint')), labelled(t('routing.rule_strategy'), strategy),
    labelled(t('routing.overflow_team'), overflow, t('routing.overflow_hint')), afterField);
  return {
    node,
    get() {
      const out = { team_id: team.value, skill: skill.value.trim().toLowerCase(), priority: intOf(priority), strategy: strategy.value };
      if (overflow.value) {
        out.overflow_team_id = overflow.value;
        out.overflow_after_seconds = intOf(after, 60);
      }
      return out;
    },
  };
}

/** brokenNote says what a rule or the fallback points to that no longer exists. */
function brokenNote(broken, target, fallback) {
  if (!broken || !broken.length) return null;
  const what = broken.map((b) => (b === 'skill' ? t('routing.broken_skill', { skill: target.skill || '' }) : t('routing.broken_' + b)));
  return el('div', { class: 'rt-broken', role: 'note', 'data-testid': 'broken-note' },
    el('span', { class: 'rt-badge rt-badge-broken', 'data-testid': 'broken-badge', text: t('routing.broken') }), ' ',
    el('span', { text: what.join(' ') + ' ' + (fallback ? t('routing.broken_fallback_explain') : t('routing.broken_explain')) }));
}

// ------------------------------------------------------------------ settings

let fallbackEditor = null;

function renderSettings() {
  const form = $('rt-settings');
  const st = S.config.settings;
  const f = form.elements;
  f.strategy.value = st.strategy;
  f.default_capacity.value = st.default_capacity;
  f.sticky_seconds.value = st.sticky_seconds;
  f.away_after_seconds.value = st.away_after_seconds;
  f.queue_limit.value = st.queue_limit;
  fallbackEditor = targetEditor(st.fallback, 'fallback');
  $('rt-fallback-fields').replaceChildren(fallbackEditor.node);
  const note = brokenNote(S.config.fallback_broken, st.fallback, true);
  $('rt-fallback-broken').replaceChildren(...(note ? [note] : []));
  $('rt-fallback-broken').hidden = !note;
}

async function saveSettings(ev) {
  ev.preventDefault();
  const form = $('rt-settings');
  clearErrors(form);
  const f = form.elements;
  const body = {
    strategy: f.strategy.value,
    default_capacity: intOf(f.default_capacity),
    sticky_seconds: intOf(f.sticky_seconds),
    away_after_seconds: intOf(f.away_after_seconds),
    queue_limit: intOf(f.queue_limit),
    fallback: fallbackEditor.get(),
  };
  const btn = form.querySelector('button[type="submit"]');
  btn.disabled = true;
  const res = await call('PUT', '/api/v1/routing/settings', body);
  btn.disabled = false;
  if (!res.ok) return showError(form, res.error);
  S.config = res.data;
  renderSettings();
  flash($('rt-settings-flash'), t('routing.saved'));
}

// ------------------------------------------------------------------ rules

function conditionsEditor(when, prefix) {
  const w = when || {};
  // Channels: one checkbox each; a rule naming a deleted channel keeps it, marked.
  const chosen = new Set(w.channels || []);
  const chanBoxes = [];
  const chanList = el('div', { class: 'rt-checks', dataset: { field: `${prefix}.channels` } });
  const known = S.channels.map((c) => ({ id: c.id, name: c.name }));
  for (const id of chosen) if (!known.some((c) => c.id === id)) known.push({ id, name: t('routing.deleted_channel') });
  known.forEach((c) => {
    const box = el('input', { type: 'checkbox', value: c.id, checked: chosen.has(c.id) });
    chanBoxes.push(box);
    chanList.append(el('label', { class: 'rt-check' }, box, ' ', c.name));
  });
  if (!known.length) chanList.append(el('span', { class: 'hint', text: t('routing.no_channels') }));

  const langs = chips({ values: w.languages, field: `${prefix}.languages`, label: t('routing.languages'), placeholder: 'zh, en', suggestions: ['zh', 'en'] });

  // Intents: the knowledge base's categories as checkboxes; any other ids
  // (knowledge entries) as a list of ids.
  const catIDs = new Set(S.categories.map((c) => c.id));
  const intents = new Set(w.intents || []);
  const catBoxes = [];
  const catList = el('div', { class: 'rt-checks', dataset: { field: `${prefix}.intents` } });
  for (const c of S.categories) {
    const box = el('input', { type: 'checkbox', value: c.id, checked: intents.has(c.id) });
    catBoxes.push(box);
    catList.append(el('label', { class: 'rt-check' }, box, ' ', c.path || c.name));
  }
  if (!S.categories.length) catList.append(el('span', { class: 'hint', text: t('routing.no_categories') }));
  const entries = chips({ values: [...intents].filter((x) => !catIDs.has(x)), field: `${prefix}.intent_entries`, label: t('routing.intent_entries'), placeholder: t('routing.entry_id') });

  const tags = chips({ values: w.tags, field: `${prefix}.tags`, label: t('routing.tags'), placeholder: 'VIP' });
  const returning = el('input', { type: 'number', min: '0', max: '3650', step: '1', value: w.returning_days ? String(w.returning_days) : '', placeholder: '0',
    dataset: { field: `${prefix}.returning_days` }, 'data-testid': 'cond-returning' });
  const page = el('input', { type: 'text', maxlength: '500', value: w.page_url || '', placeholder: '/checkout', dataset: { field: `${prefix}.page_url` }, 'data-testid': 'cond-page' });
  const hours = hoursEditor(w.hours || null, `${prefix}.hours`, { switchLabel: t('routing.only_within_hours'), offHint: t('routing.any_time') });

  const node = el('div', { class: 'rt-conditions' },
    el('div', { class: 'rt-sub' }, el('span', { class: 'rt-label', text: t('routing.channels') }), chanList),
    el('div', { class: 'rt-sub' }, el('span', { class: 'rt-label', text: t('routing.languages') }), langs.node),
    el('div', { class: 'rt-sub' }, el('span', { class: 'rt-label', text: t('routing.intents') }), el('small', { class: 'hint', text: t('routing.intents_hint') }), catList,
      el('span', { class: 'rt-label rt-minor', text: t('routing.intent_entries') }), entries.node),
    el('div', { class: 'rt-sub' }, el('span', { class: 'rt-label', text: t('routing.tags') }), tags.node),
    el('div', { class: 'rt-row' }, labelled(t('routing.returning_days'), returning, t('routing.returning_hint')), labelled(t('routing.page_url'), page, t('routing.page_hint'))),
    el('div', { class: 'rt-sub' }, el('span', { class: 'rt-label', text: t('routing.time_window') }), hours.node));
  return {
    node,
    get() {
      const out = {};
      const ch = chanBoxes.filter((b) => b.checked).map((b) => b.value);
      if (ch.length) out.channels = ch;
      const l = langs.get();
      if (l.length) out.languages = l;
      const it = [...catBoxes.filter((b) => b.checked).map((b) => b.value), ...entries.get()];
      if (it.length) out.intents = it;
      const tg = tags.get();
      if (tg.length) out.tags = tg;
      const rd = intOf(returning);
      if (rd) out.returning_days = rd;
      if (page.value.trim()) out.page_url = page.value.trim();
      const h = hours.get();
      if (h) out.hours = h;
      return out;
    },
  };
}

/** ruleCard is one rule of the ordered list, as an editable card. */
function ruleCard(rule, i, n) {
  const prefix = `rules[${i}]`;
  const name = el('input', { type: 'text', value: rule.name || '', maxlength: '100', required: true, dataset: { field: `${prefix}.name` }, 'data-testid': 'rule-name' });
  const enabled = el('input', { type: 'checkbox', checked: rule.enabled !== false, 'data-testid': 'rule-enabled', role: 'switch' });
  const cond = conditionsEditor(rule.when, `${prefix}.when`);
  const target = targetEditor(rule.then, `${prefix}.then`);
  const label = rule.name || t('routing.rule_n', { n: i + 1 });
  const broken = brokenNote(rule.broken, rule.then || {}, false);
  const card = el('li', { class: 'rt-rule' + (broken ? ' is-broken' : ''), 'data-testid': 'rule', dataset: { field: prefix, ruleId: rule.id || '' } },
    el('div', { class: 'rt-rule-head' },
      el('span', { class: 'rt-rule-n', 'aria-hidden': 'true', text: String(i + 1) }),
      labelled(t('routing.rule_name'), name),
      el('label', { class: 'rt-check rt-switch' }, enabled, ' ', t('routing.enabled')),
      el('div', { class: 'rt-rule-buttons' },
        el('button', { type: 'button', class: 'secondary small', text: '↑', title: t('routing.move_up'), 'aria-label': `${t('routing.move_up')}: ${label}`, disabled: i === 0, onclick: () => moveRule(i, -1) }),
        el('button', { type: 'button', class: 'secondary small', text: '↓', title: t('routing.move_down'), 'aria-label': `${t('routing.move_down')}: ${label}`, disabled: i === n - 1, onclick: () => moveRule(i, 1) }),
        el('button', { type: 'button', class: 'secondary small danger', text: t('routing.delete'), 'aria-label': `${t('routing.delete')}: ${label}`, onclick: () => deleteRule(i) }))),
    broken,
    el('div', { class: 'rt-rule-body' },
      el('fieldset', { class: 'rt-when' }, el('legend', { text: t('routing.when') }), el('p', { class: 'hint', text: t('routing.when_hint') }), cond.node),
      el('fieldset', { class: 'rt-then' }, el('legend', { text: t('routing.then') }), target.node)));
  card.addEventListener('input', () => { S.rulesDirty = true; });
  card.addEventListener('change', () => { S.rulesDirty = true; });
  card._get = () => ({ ...(rule.id ? { id: rule.id } : {}), name: name.value.trim(), enabled: enabled.checked, when: cond.get(), then: target.get() });
  return card;
}

/** collectRules reads the rules as edited, in order. */
function collectRules() {
  return S.rules.map((r) => r.card._get());
}

function renderRules() {
  const list = $('rt-rule-list');
  const n = S.rules.length;
  S.rules.forEach((r, i) => { r.card = ruleCard(r.rule, i, n); });
  list.replaceChildren(...S.rules.map((r) => r.card));
  $('rt-rules-empty').hidden = n > 0;
}

/** keepEdits takes what was typed into the rules' state, before the cards are rebuilt. */
function keepEdits() {
  const edited = collectRules();
  S.rules = S.rules.map((r, i) => ({ rule: { ...edited[i], broken: r.rule.broken } }));
}

function moveRule(i, by) {
  const j = i + by;
  if (j < 0 || j >= S.rules.length) return;
  keepEdits();
  [S.rules[i], S.rules[j]] = [S.rules[j], S.rules[i]];
  S.rulesDirty = true;
  renderRules();
  S.rules[j].card.querySelectorAll('.rt-rule-buttons button')[by < 0 ? 0 : 1]?.focus();
}

function deleteRule(i) {
  keepEdits();
  const name = S.rules[i].rule.name || t('routing.rule_n', { n: i + 1 });
  if (!confirm(t('routing.confirm_delete_rule', { name }))) return;
  S.rules.splice(i, 1);
  S.rulesDirty = true;
  renderRules();
  flash($('rt-rules-flash'), t('routing.rule_removed'));
}

function addRule() {
  keepEdits();
  S.rules.push({ rule: { name: '', enabled: true, when: {}, then: { priority: 0 } } });
  S.rulesDirty = true;
  renderRules();
  S.rules[S.rules.length - 1].card.querySelector('[data-testid="rule-name"]').focus();
}

async function saveRules(ev) {
  ev.preventDefault();
  const form = $('rt-rules');
  clearErrors(form);
  const rules = collectRules();
  const btn = $('rt-save-rules');
  btn.disabled = true;
  const res = await call('PUT', '/api/v1/routing/rules', { rules });
  btn.disabled = false;
  if (!res.ok) return showError(form, res.error);
  S.config = res.data;
  S.rules = S.config.rules.map((rule) => ({ rule }));
  S.rulesDirty = false;
  renderRules();
  flash($('rt-rules-flash'), t('routing.saved'));
}

// ------------------------------------------------------------------ teams

function teamCard(tm) {
  const box = el('form', { class: 'rt-team', novalidate: true, 'data-testid': 'team', dataset: { teamId: tm.team_id, team: tm.name } });
  const skills = chips({ values: tm.skills, field: 'skills', label: t('routing.skills'), placeholder: 'after-sales, vip', suggestions: (S.config && S.config.skills) || [], lower: true });
  const langs = chips({ values: tm.languages, field: 'languages', label: t('routing.team_languages'), placeholder: 'zh, en', suggestions: ['zh', 'en'] });
  const cap = el('input', { type: 'number', min: '1', max: '50', step: '1', value: tm.capacity ? String(tm.capacity) : '',
    placeholder: t('routing.capacity_tenant_default', { n: S.config.settings.default_capacity }), dataset: { field: 'capacity' }, 'data-testid': 'team-capacity' });
  const hours = hoursEditor(tm.hours || null, 'hours', { switchLabel: t('routing.business_hours_on'), offHint: t('routing.always_open') });
  const members = tm.members.map((id) => S.agents.find((a) => a.user_id === id)?.name).filter(Boolean);
  const flashLine = el('p', { class: 'rt-flash', role: 'status' });
  box.append(
    el('h3', { text: tm.name }),
    el('p', { class: 'hint', text: members.length ? t('routing.members', { names: members.join(', ') }) : t('routing.no_members') }),
    el('div', { class: 'rt-sub' }, el('span', { class: 'rt-label', text: t('routing.skills') }), skills.node),
    el('div', { class: 'rt-sub' }, el('span', { class: 'rt-label', text: t('routing.team_languages') }), langs.node),
    labelled(t('routing.team_capacity'), cap, t('routing.team_capacity_hint')),
    el('div', { class: 'rt-sub' }, el('span', { class: 'rt-label', text: t('routing.business_hours') }), hours.node),
    el('p', { class: 'form-error', role: 'alert' }),
    flashLine,
    el('button', { type: 'submit', 'data-testid': 'save-team', text: t('routing.save_team') }));
  box.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(box);
    const body = { skills: skills.get(), languages: langs.get(), capacity: intOf(cap), hours: hours.get() };
    const btn = box.querySelector('button[type="submit"]');
    btn.disabled = true;
    const res = await call('PUT', `/api/v1/routing/teams/${encodeURIComponent(tm.team_id)}`, body);
    btn.disabled = false;
    if (!res.ok) return showError(box, res.error);
    const i = S.teams.findIndex((x) => x.team_id === tm.team_id);
    if (i >= 0) S.teams[i] = res.data;
    flash(flashLine, t('routing.saved'));
    // Skills changed: rules and the fallback may be broken or whole again.
    const cfg = await call('GET', '/api/v1/routing');
    if (cfg.ok) {
      S.config = cfg.data;
      renderSettingsBroken();
      if (!S.rulesDirty) {
        S.rules = S.config.rules.map((rule) => ({ rule }));
        renderRules();
      }
    }
  });
  return box;
}

function renderSettingsBroken() {
  const note = brokenNote(S.config.fallback_broken, S.config.settings.fallback, true);
  $('rt-fallback-broken').replaceChildren(...(note ? [note] : []));
  $('rt-fallback-broken').hidden = !note;
}

function renderTeams() {
  const box = $('rt-teams');
  box.replaceChildren(...S.teams.map(teamCard));
  $('rt-teams-empty').hidden = S.teams.length > 0;
}

// ------------------------------------------------------------------ agents


function agentRow(a) {
  const tr = el('tr', { 'data-testid': 'agent', dataset: { userId: a.user_id, status: a.status } });
  const cap = el('input', { type: 'number', min: '1', max: '50', step: '1', value: a.capacity === null || a.capacity === undefined ? '' : String(a.capacity),
    placeholder: t('routing.capacity_default', { n: a.effective_capacity }), dataset: { field: 'capacity' }, 'aria-label': t('routing.own_capacity_of', { name: a.name }), 'data-testid': 'agent-capacity' });
  const err = el('span', { class: 'rt-row-error', role: 'alert' });
  const save = el('button', { type: 'button', class: 'secondary small', text: t('routing.save'), 'aria-label': t('routing.save_capacity_of', { name: a.name }), 'data-testid': 'save-capacity' });
  const capCell = el('td', { class: 'rt-cap' }, el('div', { class: 'rt-cap-edit' }, cap, save), err);
  save.addEventListener('click', async () => {
    clearErrors(capCell);
    err.textContent = '';
    const v = cap.value.trim();
    const body = { capacity: v === '' ? null : Number(v) };
    save.disabled = true;
    const res = await call('PUT', `/api/v1/agents/${encodeURIComponent(a.user_id)}/capacity`, body);
    save.disabled = false;
    if (!res.ok) return showError(capCell, res.error, err);
    updateAgent(res.data);
  });
  cap.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); save.click(); } });
  const status = el('select', { 'aria-label': t('routing.status_of', { name: a.name }), 'data-testid': 'agent-status' },
    ...['online', 'away', 'offline'].map((s) => el('option', { value: s, text: t('routing.status_' + s) })));
  status.value = a.status;
  status.addEventListener('change', async () => {
    err.textContent = '';
    const res = await call('PUT', `/api/v1/agents/${encodeURIComponent(a.user_id)}/status`, { status: status.value });
    if (!res.ok) {
      err.textContent = res.error.message;
      status.value = a.status;
      return;
    }
    updateAgent(res.data);
  });
  const teams = a.teams.map((id) => teamName(id)).filter(Boolean).join(', ');
  tr.append(
    el('td', {}, el('strong', { text: a.name }), el('div', { class: 'hint', text: t('routing.role_' + a.role) })),
    el('td', {}, el('span', { class: 'rt-status', dataset: { status: a.status } }, el('span', { class: 'rt-dot', 'aria-hidden': 'true' }), status,
      a.auto_away && a.status === 'away' ? el('span', { class: 'rt-auto-away', text: t('routing.auto_away') }) : null)),
    el('td', { class: 'rt-load', 'data-testid': 'agent-load', text: `${a.active} / ${a.effective_capacity}` }),
    capCell,
    el('td', { text: teams || '—' }));
  return tr;
}

function updateAgent(a) {
  const i = S.agents.findIndex((x) => x.user_id === a.user_id);
  if (i >= 0) S.agents[i] = a; else S.agents.push(a);
  const old = document.querySelector(`#rt-agents tr[data-user-id="${CSS.escape(a.user_id)}"]`);
  const row = agentRow(a);
  if (old) old.replaceWith(row); else $('rt-agents').append(row);
}

function renderAgents() {
  $('rt-agents').replaceChildren(...S.agents.map(agentRow));
  $('rt-agents-empty').hidden = S.agents.length > 0;
}

async function refreshAgents() {
  const res = await call('GET', '/api/v1/agents');
  if (!res.ok) return;
  S.agents = res.data.items || [];
  renderAgents();
}

// ------------------------------------------------------------------ start

async function load() {
  const [cfg, teams, agents, channels, cats] = await Promise.all([
    call('GET', '/api/v1/routing'),
    call('GET', '/api/v1/routing/teams'),
    call('GET', '/api/v1/agents'),
    all('/api/v1/channels?limit=200'),
    call('GET', '/api/v1/kb/categories'),
  ]);
  const failed = [cfg, teams, agents].find((r) => !r.ok);
  if (failed) {
    $('rt-load-error').textContent = failed.error.message;
    return;
  }
  S.config = cfg.data;
  S.teams = teams.data.items || [];
  S.agents = agents.data.items || [];
  S.channels = channels.ok ? channels.data : [];
  S.categories = cats.ok ? cats.data.items || [] : [];
  S.rules = S.config.rules.map((rule) => ({ rule }));
  renderSettings();
  renderRules();
  renderTeams();
  renderAgents();
  $('rt-page').dataset.loaded = 'true';
}

$('rt-settings').addEventListener('submit', saveSettings);
$('rt-rules').addEventListener('submit', saveRules);
$('rt-add-rule').addEventListener('click', addRule);
$('rt-agents-refresh').addEventListener('click', refreshAgents);
load();
