// The queue (docs/protocol.md, "Queue and leave a message"). While the
// visitor's conversation waits for a person, a bar above the messages says
// where they stand and about how long the wait is; it follows the server's
// "queue" frames, is read out politely by screen readers, and goes away
// once an agent has the conversation. When nobody can serve the visitor now
// (outside business hours, nobody online, a full queue) a card at the end
// of the conversation says why and offers to leave a message (留言) with a
// name, an e-mail address or a phone number (at least one of the two); it
// is checked here as the server checks it, sent as a "leave_message" frame,
// and acknowledged. The composer stays usable all the while.
//
// frame-protocol.js hands every frame to queueFrame first.
import { t, el, S, E } from './frame-state.js';
import { storage } from './frame-storage.js';
import { send } from './frame-connection.js';
import { scrollToEnd } from './frame-render.js';

// The server's limits (internal/live/queue.go).
const MAX = { name: 200, email: 254, phone: 40, message: 2000 };
const EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const PHONE_RE = /^[0-9+\-() ]+$/;
const CLIENT_PREFIX = 'lm-';
const REASONS = ['outside_hours', 'nobody_online', 'queue_full'];

// What the server last said of the current conversation's place: null
// until it tells (and again after a reconnect, until it tells again).
let q = null; // { conv, waiting, position, eta, unavailable, leave, taken }
const ui = { folded: false, sending: null, pending: { key: '', id: '' }, error: '', errors: {}, sentFor: '' };

// ------------------------------------------------------------ the bar

const bar = el('div', 'sb-queue');
bar.id = 'sb-queue';
bar.setAttribute('data-testid', 'sb-queue');
bar.setAttribute('role', 'status');
bar.setAttribute('aria-live', 'polite');
bar.setAttribute('aria-atomic', 'true');
bar.hidden = true;
const barIcon = el('span', 'sb-queue-icon');
barIcon.setAttribute('aria-hidden', 'true');
const barText = el('span', 'sb-queue-text');
const barPlace = el('span', 'sb-queue-place');
barPlace.setAttribute('data-testid', 'sb-queue-position');
const barWhy = el('span', 'sb-queue-why');
barWhy.setAttribute('data-testid', 'sb-queue-reason');
barText.append(barPlace, barWhy);
bar.append(barIcon, barText);
E.banner.after(bar);

// ------------------------------------------------------------ the card

const card = el('section', 'sb-lm');
card.id = 'sb-lm';
card.setAttribute('data-testid', 'sb-leave');
card.setAttribute('aria-labelledby', 'sb-lm-title');
card.hidden = true;
const title = el('p', 'sb-lm-title', t('queue_leave_title'));
title.id = 'sb-lm-title';
const why = el('p', 'sb-lm-why');
why.setAttribute('data-testid', 'sb-leave-reason');

const form = el('form', 'sb-lm-form');
form.noValidate = true;
form.setAttribute('data-testid', 'sb-leave-form');

const fields = {};
function field(name, label, { type = 'text', optional = false, autocomplete = '', multiline = false } = {}) {
  const wrap = el('label', 'sb-lm-field');
  const caption = el('span', 'sb-label', label);
  if (optional) caption.append(' ', el('span', 'sb-optional', t('optional')));
  const input = multiline ? el('textarea', 'sb-lm-input sb-lm-message') : el('input', 'sb-lm-input');
  if (multiline) input.rows = 3;
  else input.type = type;
  input.name = name;
  input.maxLength = MAX[name];
  if (autocomplete) input.autocomplete = autocomplete;
  input.setAttribute('data-testid', `sb-leave-${name}`);
  const error = el('span', 'sb-field-error');
  error.id = `sb-lm-${name}-error`;
  error.setAttribute('data-testid', `sb-leave-${name}-error`);
  input.setAttribute('aria-describedby', error.id);
  wrap.append(caption, input, error);
  fields[name] = { wrap, input, error };
  return wrap;
}

const hint = el('p', 'sb-lm-hint', t('queue_contact_hint'));
hint.id = 'sb-lm-hint';
const formError = el('p', 'sb-field-error');
formError.setAttribute('role', 'alert');
formError.setAttribute('data-testid', 'sb-leave-error');
const submit = el('button', 'sb-primary sb-lm-submit', t('queue_leave_submit'));
submit.type = 'submit';
submit.setAttribute('data-testid', 'sb-leave-submit');
const notNow = el('button', 'sb-link-btn sb-lm-fold', t('queue_leave_not_now'));
notNow.type = 'button';
notNow.setAttribute('data-testid', 'sb-leave-not-now');
const actions = el('div', 'sb-lm-actions');
actions.append(submit, notNow);
form.append(
  field('name', t('queue_field_name'), { optional: true, autocomplete: 'name' }),
  hint,
  field('email', t('queue_field_email'), { type: 'email', autocomplete: 'email' }),
  field('phone', t('queue_field_phone'), { type: 'tel', autocomplete: 'tel' }),
  field('message', t('queue_field_message'), { multiline: true }),
  formError, actions,
);
fields.email.input.setAttribute('aria-describedby', `sb-lm-hint ${fields.email.error.id}`);
fields.phone.input.setAttribute('aria-describedby', `sb-lm-hint ${fields.phone.error.id}`);

const unfold = el('button', 'sb-primary sb-lm-unfold', t('queue_leave_open'));
unfold.type = 'button';
unfold.setAttribute('data-testid', 'sb-leave-open');

const done = el('p', 'sb-lm-done', t('queue_leave_done'));
done.setAttribute('role', 'status');
done.setAttribute('data-testid', 'sb-leave-done');
done.tabIndex = -1;

card.append(title, why, form, unfold, done);
E.closed.before(card);

form.addEventListener('submit', (e) => {
  e.preventDefault();
  leave();
});
notNow.addEventListener('click', () => {
  ui.folded = true;
  render();
  unfold.focus({ preventScroll: true });
});
unfold.addEventListener('click', () => {
  ui.folded = false;
  prefill();
  render();
  scrollToEnd(true);
  firstEmpty().focus({ preventScroll: true });
});
for (const name of Object.keys(fields)) {
  fields[name].input.addEventListener('input', () => {
    if (!ui.errors[name] && !(name === 'phone' && ui.errors.email)) return;
    delete ui.errors[name];
    if (name === 'phone' && ui.errors.email === t('queue_contact_required')) delete ui.errors.email;
    render();
  });
}

// ------------------------------------------------------------ behaviour

/** trimmed is the field's value without surrounding spaces. */
const trimmed = (name) => fields[name].input.value.trim();
const runes = (s) => Array.from(s).length;

function firstEmpty() {
  for (const name of ['name', 'email', 'message']) if (!trimmed(name)) return fields[name].input;
  return fields.message.input;
}

// The name and e-mail the visitor gave already (the site, the pre-chat form).
function prefill() {
  const h = S.host || {};
  const p = S.profile || {};
  if (!fields.name.input.value) fields.name.input.value = (h.name || p.name || '').slice(0, MAX.name);
  if (!fields.email.input.value) fields.email.input.value = (h.email || p.email || '').slice(0, MAX.email);
}

/** check mirrors the server's checks; it returns the errors by field. */
function check() {
  const errors = {};
  const name = trimmed('name');
  const email = trimmed('email');
  const phone = trimmed('phone');
  const message = trimmed('message');
  if (runes(name) > MAX.name) errors.name = t('queue_too_long', { max: MAX.name });
  if (!email && !phone) errors.email = t('queue_contact_required');
  if (email && (email.length > MAX.email || !EMAIL_RE.test(email))) errors.email = t('queue_email_invalid');
  if (phone && (phone.length > MAX.phone || !PHONE_RE.test(phone))) errors.phone = t('queue_phone_invalid');
  if (!message) errors.message = t('queue_message_required');
  else if (runes(message) > MAX.message) errors.message = t('queue_too_long', { max: MAX.message });
  return errors;
}

function leave() {
  if (ui.sending || !q) return;
  ui.error = '';
  ui.errors = check();
  const bad = ['name', 'email', 'phone', 'message'].find((n) => ui.errors[n]);
  if (bad) {
    render();
    fields[bad].input.focus({ preventScroll: true });
    return;
  }
  const data = { name: trimmed('name'), email: trimmed('email'), phone: trimmed('phone'), message: trimmed('message') };
  // The same message sent again (no answer came: the connection dropped)
  // keeps its client id, so that the server stores it once.
  const key = JSON.stringify(data);
  if (ui.pending.key !== key) {
    ui.pending = { key, id: `${CLIENT_PREFIX}${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}` };
  }
  const clientID = ui.pending.id;
  if (!send('leave_message', { client_id: clientID, ...data })) {
    ui.error = t('queue_offline');
    render();
    return;
  }
  ui.sending = clientID;
  render();
}

function leftFor(conv) {
  return !!conv && (ui.sentFor === conv || storage.get('queue_left') === conv);
}

function markLeft(conv) {
  if (!conv) return;
  ui.sentFor = conv;
  storage.set('queue_left', conv);
}

function setQueue(d) {
  const reason = REASONS.includes(d.unavailable) ? d.unavailable : '';
  const next = {
    conv: d.conversation_id, waiting: !!d.waiting, position: Math.max(0, Math.floor(Number(d.position) || 0)),
    eta: Math.max(0, Number(d.eta_seconds) || 0), unavailable: reason, leave: !!d.leave_message,
  };
  if (!q || q.conv !== next.conv) ui.folded = false;
  q = next;
}

/**
 * queueFrame sees every frame of the connection before the rest of the
 * frame does; it returns true for the frames that are the queue's alone.
 */
export function queueFrame(type, d) {
  if (!d || typeof d !== 'object') return false;
  let mine = false;
  switch (type) {
    case 'queue':
      mine = true;
      if (typeof d.conversation_id !== 'string' || !d.conversation_id) break;
      if (S.conv && d.conversation_id < S.conv) break; // an older conversation's (ids sort by time)
      setQueue(d);
      break;
    case 'welcome':
      // A new session: the server tells again where a waiting visitor stands.
      q = null;
      ui.sending = null;
      break;
    case 'conversation':
      // Taken by an agent or closed: not waiting, whatever the last queue
      // frame said; open without an agent again: back in the queue.
      if (q && d.id === q.conv) q.taken = !!d.assignee_name || d.status === 'closed';
      break;
    case 'message':
      // The left message itself (this tab's or another's).
      if (d.sender_type === 'contact' && d.meta && typeof d.meta === 'object' && d.meta.offline_message) markLeft(d.conversation_id);
      break;
    case 'ack':
      if (!d.client_id || d.client_id !== ui.sending) return false;
      mine = true;
      ui.sending = null;
      ui.pending = { key: '', id: '' };
      ui.errors = {};
      markLeft(d.conversation_id || (q && q.conv));
      queueMicrotask(() => {
        render();
        if (!card.hidden) {
          done.focus({ preventScroll: true });
          scrollToEnd(true);
        }
      });
      return true;
    case 'error':
      if (!d.client_id || !String(d.client_id).startsWith(CLIENT_PREFIX)) return false;
      mine = true;
      if (d.client_id !== ui.sending) break;
      ui.sending = null;
      {
        const text = d.message || t('err_internal');
        const f = typeof d.field === 'string' && Object.hasOwn(fields, d.field) ? d.field : '';
        if (f) {
          ui.errors = { [f]: text };
          queueMicrotask(() => fields[f].input.focus({ preventScroll: true }));
        } else {
          ui.error = text;
        }
      }
      break;
    default:
      break;
  }
  // After the frame has done its work elsewhere (the conversation may change).
  queueMicrotask(render);
  return mine;
}

function placeText() {
  if (q.position <= 1) return t('queue_next');
  return t('queue_position', { ahead: q.position - 1 });
}

function etaText() {
  if (q.eta < 60) return t('queue_eta_soon');
  return t('queue_eta', { m: Math.round(q.eta / 60) });
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text; // unchanged text is not read out again
  node.hidden = !text;
}

function render() {
  const waiting = !!q && q.waiting && !q.taken && q.conv === S.conv && S.status !== 'closed';
  bar.hidden = !waiting;
  if (!waiting) {
    setText(barPlace, '');
    setText(barWhy, '');
    card.hidden = true;
    bar.removeAttribute('data-position');
    return;
  }
  // Nobody can serve now: a place in line would promise what nobody keeps.
  const noOne = q.unavailable === 'nobody_online' || q.unavailable === 'outside_hours';
  setText(barPlace, noOne ? '' : `${placeText()} · ${etaText()}`);
  setText(barWhy, q.unavailable ? t(`queue_why_${q.unavailable}`) : '');
  bar.dataset.position = String(q.position);
  bar.dataset.reason = q.unavailable;

  const offer = q.leave;
  const wasHidden = card.hidden;
  card.hidden = !offer;
  if (!offer) return;
  card.dataset.reason = q.unavailable;
  why.textContent = t(`queue_leave_${q.unavailable || 'nobody_online'}`);
  const left = leftFor(q.conv);
  done.hidden = !left;
  form.hidden = left || ui.folded;
  unfold.hidden = left || !ui.folded;
  why.hidden = left;
  if (!form.hidden) {
    if (wasHidden) prefill();
    for (const [name, f] of Object.entries(fields)) {
      const err = ui.errors[name] || '';
      f.error.textContent = err;
      if (err) f.input.setAttribute('aria-invalid', 'true');
      else f.input.removeAttribute('aria-invalid');
      f.input.disabled = !!ui.sending;
    }
    formError.textContent = ui.error;
    submit.disabled = !!ui.sending;
    notNow.disabled = !!ui.sending;
    submit.textContent = ui.sending ? t('queue_leave_sending') : t('queue_leave_submit');
  }
  if (wasHidden) scrollToEnd(false);
}
