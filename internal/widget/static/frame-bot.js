// The bot's messages: the answer's formatted text, the buttons under a
// message and the 👍/👎 rating of an answer (docs/protocol.md, message
// meta).
//
// The answer's HTML is rebuilt from an allow-list by rich.js, never put
// into the page as markup.
import { cfg, t, el, S } from './frame-state.js';
import { storage } from './frame-storage.js';
import { send } from './frame-connection.js';
import { newRec, queue } from './frame-outbox.js';
import { toast } from './frame-header.js';
import { draw } from './frame-render.js';
import { richFragment as rebuild, safeHref } from './rich.js';

export { safeHref };

/** richFragment is an answer's HTML, rebuilt safely (rich.js), with the widget's link style. */
export const richFragment = (html) => rebuild(html, { linkClass: 'sb-link' });

const MAX_BUTTONS = 12;
const MAX_RATED = 200; // ratings remembered across reloads
const PRESS_GUARD_MS = 2000; // a button pressed again within this is a double click


/** metaOf is a bot message's meta, or null. */
export function metaOf(rec) {
  const m = rec && rec.sender_type === 'bot' ? rec.meta : null;
  return m && typeof m === 'object' && !Array.isArray(m) ? m : null;
}

// ------------------------------------------------------------ ratings

let rated = null; // decision id → 1 (👍) or -1 (👎)
function ratings() {
  if (!rated) {
    const saved = storage.get('rated');
    rated = new Map(Array.isArray(saved) ? saved.filter((x) => Array.isArray(x) && typeof x[0] === 'string') : []);
  }
  return rated;
}

/** ratingOf is the visitor's rating of a decision: 1, -1 or 0 (none). */
export function ratingOf(decisionID) {
  return ratings().get(decisionID) || 0;
}

function rate(rec, up) {
  const m = metaOf(rec);
  if (!m || !m.decision_id || ratingOf(m.decision_id)) return;
  if (!send('rate', { decision_id: m.decision_id, up })) {
    toast(t('rate_offline'));
    return;
  }
  const r = ratings();
  r.set(m.decision_id, up ? 1 : -1);
  while (r.size > MAX_RATED) r.delete(r.keys().next().value);
  storage.set('rated', [...r]);
  const focusUp = up;
  draw(rec);
  // Keep the keyboard where it was: on the (now pressed) choice.
  const b = rec.el && rec.el.querySelector(focusUp ? '.sb-rate-up' : '.sb-rate-down');
  if (b) b.focus({ preventScroll: true });
}

// ------------------------------------------------------------ buttons

const pressedAt = new Map(); // message id → when one of its choices was last pressed

function press(rec, i, text, node) {
  // One choice per message at a time: a double click whose second click
  // lands on a neighbouring button (the list may move) sends nothing more.
  const key = String(rec.id || rec.seq);
  const now = Date.now();
  if (now - (pressedAt.get(key) || 0) < PRESS_GUARD_MS) return;
  pressedAt.set(key, now);
  node.setAttribute('aria-disabled', 'true');
  node.classList.add('sb-pressed');
  setTimeout(() => {
    node.removeAttribute('aria-disabled');
    node.classList.remove('sb-pressed');
  }, PRESS_GUARD_MS);
  const body = Array.from(String(text)).slice(0, cfg.max_body_len).join('').trim();
  if (body) queue(newRec({ body }));
}

/** uiKey changes when what drawBotUI shows changes. */
export function uiKey(rec) {
  const m = metaOf(rec);
  if (!m) return '';
  return JSON.stringify([m.buttons || [], !!m.rate, m.decision_id || '', m.decision_id ? ratingOf(m.decision_id) : 0, !!S.fatal]);
}

/** drawBotUI fills box with the buttons and rating of a bot message. */
export function drawBotUI(box, rec) {
  box.replaceChildren();
  const m = metaOf(rec);
  if (!m) return;
  const buttons = Array.isArray(m.buttons) ? m.buttons.slice(0, MAX_BUTTONS) : [];
  if (buttons.length) {
    const list = el('div', 'sb-choices');
    list.setAttribute('role', 'group');
    list.setAttribute('aria-label', t('bot_choices'));
    buttons.forEach((b, i) => {
      if (!b || typeof b !== 'object') return;
      const label = String(b.label || b.text || '').slice(0, 200);
      if (!label) return;
      if (b.url && !b.text && !b.human) {
        const href = safeHref(b.url);
        if (!href) return;
        const a = el('a', 'sb-choice sb-choice-link', label);
        a.href = href;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        a.title = t('opens_new_tab');
        a.setAttribute('data-testid', 'sb-choice');
        a.append(el('span', 'sb-ext', ' ↗'));
        list.append(a);
        return;
      }
      const btn = el('button', 'sb-choice' + (b.human ? ' sb-choice-human' : ''), label);
      btn.type = 'button';
      btn.setAttribute('data-testid', 'sb-choice');
      if (b.human) btn.dataset.human = 'true';
      btn.addEventListener('click', () => {
        if (btn.getAttribute('aria-disabled') === 'true' || S.fatal) return;
        press(rec, i, b.text || b.label, btn);
      });
      list.append(btn);
    });
    if (list.childElementCount) box.append(list);
  }
  if (m.rate && m.decision_id) {
    const mine = ratingOf(m.decision_id);
    const row = el('div', 'sb-rate');
    row.setAttribute('role', 'group');
    row.setAttribute('aria-label', t('rate_prompt'));
    row.setAttribute('data-testid', 'sb-rate');
    row.dataset.rated = mine > 0 ? 'up' : mine < 0 ? 'down' : '';
    row.append(el('span', 'sb-rate-q', mine ? t('rate_thanks') : t('rate_prompt')));
    for (const up of [true, false]) {
      const b = el('button', `sb-rate-btn ${up ? 'sb-rate-up' : 'sb-rate-down'}`, up ? '👍' : '👎');
      b.type = 'button';
      b.setAttribute('data-testid', up ? 'sb-rate-up' : 'sb-rate-down');
      b.setAttribute('aria-label', t(up ? 'rate_up' : 'rate_down'));
      b.title = t(up ? 'rate_up' : 'rate_down');
      b.setAttribute('aria-pressed', mine === (up ? 1 : -1) ? 'true' : 'false');
      if (mine) b.disabled = true;
      b.addEventListener('click', () => rate(rec, up));
      row.append(b);
    }
    box.append(row);
  }
}

const SVG = 'http://www.w3.org/2000/svg';
/** botAvatar is the small picture beside the assistant's name. */
export function botAvatar() {
  const s = document.createElementNS(SVG, 'svg');
  s.setAttribute('viewBox', '0 0 24 24');
  s.setAttribute('aria-hidden', 'true');
  s.setAttribute('class', 'sb-bot-avatar');
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('d', 'M12 2v3M7 8h10a3 3 0 013 3v6a3 3 0 01-3 3H7a3 3 0 01-3-3v-6a3 3 0 013-3zM9 13v1M15 13v1M9.5 17h5');
  s.append(p);
  return s;
}
