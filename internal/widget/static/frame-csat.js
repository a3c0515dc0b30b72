// The satisfaction rating (docs/protocol.md, "csat"): once an agent has
// closed the visitor's conversation, the frame asks how it was — one to
// five stars (buttons: Tab moves between them, the arrow keys too, Enter or
// Space chooses) and an optional comment — sends a "csat" frame, and thanks
// the visitor. The server says, after welcome, whether a returning visitor
// rated the conversation and whether they still may (for a day after the
// close), so a reload shows the rating given.
//
// frame-protocol.js hands every frame to csatFrame first.
import { t, el, S, E } from './frame-state.js';
import { send } from './frame-connection.js';
import { scrollToEnd } from './frame-render.js';

const MAX_COMMENT = 1000;
const SCORES = [1, 2, 3, 4, 5];

// What is known of the current conversation's rating: null until the
// server (or a close seen live) tells.
let state = null; // { conv, rated, score, comment, open }
const ui = { pick: 0, editing: false, sending: null, thanked: false, error: '' };

// ------------------------------------------------------------ elements

const box = el('section', 'sb-csat');
box.id = 'sb-csat';
box.setAttribute('data-testid', 'sb-csat');
box.setAttribute('aria-labelledby', 'sb-csat-q');
box.hidden = true;

const form = el('form', 'sb-csat-form');
form.noValidate = true;
const question = el('p', 'sb-csat-q', t('csat_prompt'));
question.id = 'sb-csat-q';
const stars = el('div', 'sb-csat-stars');
stars.setAttribute('role', 'group');
stars.setAttribute('aria-label', t('csat_stars'));
const starButtons = SCORES.map((n) => {
  const b = el('button', 'sb-csat-star');
  b.type = 'button';
  b.dataset.score = String(n);
  b.setAttribute('data-testid', `sb-csat-star-${n}`);
  const label = t('csat_star', { n, level: t(`csat_level_${n}`) });
  b.setAttribute('aria-label', label);
  b.title = label;
  b.setAttribute('aria-pressed', 'false');
  b.append(el('span', 'sb-csat-glyph', '★'));
  b.querySelector('span').setAttribute('aria-hidden', 'true');
  b.addEventListener('click', () => choose(n));
  b.addEventListener('pointerenter', () => preview(n));
  b.addEventListener('pointerleave', () => preview(0));
  b.addEventListener('keydown', (e) => {
    const step = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[e.key];
    if (!step) return;
    e.preventDefault();
    const next = Math.min(5, Math.max(1, n + step));
    starButtons[next - 1].focus();
    choose(next);
  });
  return b;
});
stars.append(...starButtons);
const level = el('span', 'sb-csat-level');
level.setAttribute('aria-hidden', 'true');
const commentLabel = el('label', 'sb-csat-label');
const commentText = el('span', '', t('csat_comment'));
const comment = el('textarea', 'sb-csat-comment');
comment.rows = 2;
comment.maxLength = MAX_COMMENT;
comment.setAttribute('data-testid', 'sb-csat-comment');
commentLabel.append(commentText, comment);
const error = el('p', 'sb-field-error');
error.setAttribute('role', 'alert');
error.setAttribute('data-testid', 'sb-csat-error');
const submit = el('button', 'sb-primary sb-csat-submit', t('csat_submit'));
submit.type = 'submit';
submit.setAttribute('data-testid', 'sb-csat-submit');
form.append(question, stars, level, commentLabel, error, submit);
form.addEventListener('submit', (e) => {
  e.preventDefault();
  rate();
});

const done = el('div', 'sb-csat-done');
done.setAttribute('data-testid', 'sb-csat-done');
done.setAttribute('role', 'status');
done.tabIndex = -1;
const thanks = el('p', 'sb-csat-thanks');
const given = el('p', 'sb-csat-given');
given.setAttribute('data-testid', 'sb-csat-given');
const givenComment = el('p', 'sb-csat-given-comment');
const change = el('button', 'sb-link-btn sb-csat-change', t('csat_change'));
change.type = 'button';
change.setAttribute('data-testid', 'sb-csat-change');
change.addEventListener('click', () => {
  ui.editing = true;
  ui.thanked = false;
  ui.pick = state ? state.score : 0;
  comment.value = state ? state.comment || '' : '';
  render();
  (starButtons[ui.pick - 1] || starButtons[0]).focus({ preventScroll: true });
});
done.append(thanks, given, givenComment, change);
box.append(form, done);
E.closed.after(box);

// ------------------------------------------------------------ behaviour

function preview(n) {
  const shown = n || ui.pick;
  starButtons.forEach((b, i) => b.classList.toggle('sb-on', i < shown));
  level.textContent = shown ? t(`csat_level_${shown}`) : '';
}

function choose(n) {
  if (ui.sending) return;
  ui.pick = n;
  ui.error = '';
  render();
}

function rate() {
  if (ui.sending || !state) return;
  if (!ui.pick) {
    ui.error = t('csat_pick');
    render();
    starButtons[0].focus({ preventScroll: true });
    return;
  }
  const body = Array.from(comment.value.trim()).slice(0, MAX_COMMENT).join('');
  const clientID = `csat-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  if (!send('csat', { conversation_id: state.conv, score: ui.pick, comment: body, client_id: clientID })) {
    ui.error = t('csat_offline');
    render();
    return;
  }
  ui.sending = clientID;
  ui.error = '';
  render();
}

function setState(d) {
  state = {
    conv: d.conversation_id, rated: !!d.rated, score: Number(d.score) || 0, comment: typeof d.comment === 'string' ? d.comment : '',
    open: !!d.open,
  };
}

/**
 * csatFrame sees every frame of the connection before the rest of the
 * frame does; it returns true for the frames that are the rating's alone.
 */
export function csatFrame(type, d) {
  if (!d || typeof d !== 'object') return false;
  switch (type) {
    case 'csat':
      if (typeof d.conversation_id !== 'string') return true;
      setState(d);
      if (!state.rated) ui.editing = false;
      break;
    case 'ack':
      if (!d.csat || typeof d.csat !== 'object') return false;
      if (d.client_id !== ui.sending) return true;
      setState(d.csat);
      ui.sending = null;
      ui.editing = false;
      ui.thanked = true;
      render();
      done.focus({ preventScroll: true });
      scrollToEnd(true);
      return true;
    case 'error':
      if (!d.client_id || !String(d.client_id).startsWith('csat-')) return false;
      if (d.client_id !== ui.sending) return true;
      ui.sending = null;
      if (d.code === 'rating_closed' && state) {
        state.open = false;
        ui.error = t('csat_over');
      } else {
        ui.error = d.message || t('err_internal');
      }
      break;
    case 'welcome':
      // A new connection: an answer to a rating sent on the old one will not come.
      ui.sending = null;
      break;
    case 'conversation':
      // A close seen live: the visitor may rate from now on.
      if (d.id && d.status === 'closed' && (S.status !== 'closed' || d.id !== S.conv)) {
        const prev = state && state.conv === d.id ? state : null;
        setState({ conversation_id: d.id, rated: prev ? prev.rated : false, score: prev ? prev.score : 0,
          comment: prev ? prev.comment : '', open: true });
        ui.thanked = false;
      }
      break;
    default:
      break;
  }
  // After the frame has done its work elsewhere (the conversation may change).
  queueMicrotask(render);
  return type === 'csat' || type === 'error';
}

function render() {
  const show = !!state && state.conv === S.conv && S.status === 'closed' && S.outbox.length === 0 &&
    (state.rated || state.open);
  if (!show) {
    box.hidden = true;
    if (!state || state.conv !== S.conv) {
      ui.pick = 0;
      ui.editing = false;
      ui.sending = null;
      ui.thanked = false;
      ui.error = '';
      comment.value = '';
    }
    return;
  }
  const wasHidden = box.hidden;
  box.hidden = false;
  const asking = state.open && (!state.rated || ui.editing);
  form.hidden = !asking;
  done.hidden = asking;
  if (asking) {
    starButtons.forEach((b, i) => {
      b.setAttribute('aria-pressed', i + 1 === ui.pick ? 'true' : 'false');
      b.disabled = !!ui.sending;
    });
    preview(0);
    comment.disabled = !!ui.sending;
    submit.disabled = !!ui.sending;
    submit.textContent = ui.sending ? t('csat_sending') : t('csat_submit');
    error.textContent = ui.error;
  } else {
    thanks.textContent = ui.thanked ? t('csat_thanks') : '';
    thanks.hidden = !ui.thanked;
    given.replaceChildren(el('span', 'sb-csat-mini', '★'.repeat(state.score) + '☆'.repeat(5 - state.score)), ' ',
      t('csat_given', { n: state.score }));
    given.firstChild.setAttribute('aria-hidden', 'true');
    givenComment.textContent = state.comment;
    givenComment.hidden = !state.comment;
    change.hidden = !state.open;
  }
  if (wasHidden) scrollToEnd(false);
}
