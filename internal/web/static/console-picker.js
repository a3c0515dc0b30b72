// A token picker in the composer: while the text right before the caret is
// a token that starts with a trigger ("/" for quick replies, "@" for
// mentions), a list of matching items pops up above the reply box and
// narrows as the agent types. ↑/↓ move, Enter or Tab (or a click) replaces
// the token with the chosen item's text, Esc closes; so do leaving the reply
// box and opening another conversation. The list is a listbox the reply box
// points at with aria-activedescendant, so the focus never leaves it.
//
// Several pickers share the reply box. The first one wired is the box's
// aria-controls; another takes that over while its list is open and gives
// it back when it closes.
import { el } from './console-util.js';
import { $, S } from './console-state.js';
import { saveDraft } from './console-composer.js';

/**
 * tokenPicker attaches a picker to the composer (#composer, #composer-input)
 * and returns { update, repaint, close }, or null when the page has no
 * composer. o:
 *   name      prefix of the ids and classes: #<name>-popup.<name>-popup,
 *             #<name>-list.<name>-list, #<name>-option-<i>.<name>-option,
 *             .<name>-empty, .<name>-hint
 *   formClass class added to the composer form
 *   label     the listbox's accessible name
 *   hint      text or nodes under the list
 *   testids   { popup, list (optional), option }
 *   tokenAt(input)  { start, end, query } of the token right before the caret, or null
 *   items(query)    the items to list, ranked and cut to size
 *   option(item)    { data, content }: the option's data-* values and its content
 *   note(query)     the text shown when nothing is listed; null closes the list
 *   text(item)      the text that replaces the token when item is picked
 *   onToken(opening) optional: the token was typed or changed (opening: the
 *                   list was closed), before the list is painted
 */
export function tokenPicker(o) {
  const form = $('composer');
  const input = $('composer-input');
  if (!form || !input) return null;

  const listID = o.name + '-list';
  const optionPrefix = o.name + '-option-';
  const optionID = (i) => optionPrefix + i;
  let token = null; // { start, end, query } of the token being typed
  let shown = []; // the items listed
  let active = 0;
  let otherControls; // the reply box's aria-controls before this list took it over

  const list = el('ul', { class: listID, id: listID, role: 'listbox', 'aria-label': o.label,
    dataset: o.testids.list ? { testid: o.testids.list } : undefined });
  const empty = el('p', { class: o.name + '-empty', role: 'status', hidden: true });
  const popup = el('div', { class: o.name + '-popup', id: o.name + '-popup', hidden: true, dataset: { testid: o.testids.popup } },
    list, empty, el('p', { class: o.name + '-hint' }, ...[].concat(o.hint)));
  form.classList.add(o.formClass);
  form.prepend(popup);
  input.setAttribute('aria-autocomplete', 'list');
  if (!input.hasAttribute('aria-controls')) input.setAttribute('aria-controls', listID);
  if (!input.hasAttribute('aria-expanded')) input.setAttribute('aria-expanded', 'false');

  function showActive() {
    input.setAttribute('aria-activedescendant', optionID(active));
    list.children[active]?.scrollIntoView({ block: 'nearest' });
  }

  function paint() {
    shown = o.items(token.query);
    active = Math.min(active, Math.max(shown.length - 1, 0));
    list.replaceChildren(...shown.map((item, i) => {
      const { data, content } = o.option(item);
      return el('li', {
        id: optionID(i), role: 'option', class: o.name + '-option', 'aria-selected': i === active ? 'true' : 'false',
        dataset: { testid: o.testids.option, ...data },
        onmousedown: (ev) => ev.preventDefault(), // keep the focus in the reply box
        onclick: () => pick(item),
      }, ...content);
    }));
    list.hidden = !shown.length;
    const note = shown.length ? '' : o.note(token.query);
    if (note === null) return close();
    empty.textContent = note;
    empty.hidden = !note;
    popup.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    const controls = input.getAttribute('aria-controls');
    if (controls !== listID) {
      otherControls = controls;
      input.setAttribute('aria-controls', listID);
    }
    if (shown.length) showActive();
    else input.removeAttribute('aria-activedescendant');
  }

  function close() {
    if (!token && popup.hidden) return;
    token = null;
    shown = [];
    popup.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    if ((input.getAttribute('aria-activedescendant') || '').startsWith(optionPrefix)) input.removeAttribute('aria-activedescendant');
    if (otherControls !== undefined && input.getAttribute('aria-controls') === listID) {
      if (otherControls) input.setAttribute('aria-controls', otherControls);
      else input.removeAttribute('aria-controls');
    }
    otherControls = undefined;
  }

  /** update opens, narrows or closes the list after the text or the caret changed. */
  function update() {
    const tok = S.openId && document.activeElement === input ? o.tokenAt(input) : null;
    if (!tok) return close();
    const opening = !token;
    if (opening || tok.query !== token.query) active = 0;
    token = tok;
    if (o.onToken) o.onToken(opening);
    paint();
  }

  function move(by) {
    if (!shown.length) return;
    active = (active + by + shown.length) % shown.length;
    for (const [i, li] of [...list.children].entries()) li.setAttribute('aria-selected', i === active ? 'true' : 'false');
    showActive();
  }

  /** pick writes the item's text in place of the token. */
  function pick(item) {
    const tok = o.tokenAt(input) || token;
    if (!tok) return close();
    const text = o.text(item);
    const before = input.value.slice(0, tok.start);
    const value = (before + text + input.value.slice(tok.end)).slice(0, input.maxLength > 0 ? input.maxLength : 10000);
    close();
    input.value = value;
    const caret = Math.min(before.length + text.length, value.length);
    input.focus();
    input.setSelectionRange(caret, caret);
    // The composer sizes itself and tells the customer the agent is typing.
    input.dispatchEvent(new Event('input', { bubbles: true }));
    close();
    saveDraft();
  }

  input.addEventListener('input', update);
  input.addEventListener('click', update);
  input.addEventListener('keyup', (ev) => {
    if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(ev.key)) update();
  });
  input.addEventListener('blur', () => close());
  // Capture, on the form: before the composer's own Enter (send) handler.
  form.addEventListener('keydown', (ev) => {
    if (!token || ev.target !== input || ev.defaultPrevented || ev.isComposing || ev.keyCode === 229) return;
    switch (ev.key) {
      case 'ArrowDown': move(1); break;
      case 'ArrowUp': move(-1); break;
      case 'Enter':
      case 'Tab':
        if (ev.shiftKey || !shown.length) {
          close();
          return; // a new line, a send, or the next field, as usual
        }
        pick(shown[active]);
        break;
      case 'Escape': close(); break;
      default: return;
    }
    ev.preventDefault();
    ev.stopPropagation();
  }, true);
  document.addEventListener('sb:open', () => close());

  return {
    update,
    close,
    /** repaint paints the open list again (its data changed). */
    repaint: () => { if (token) paint(); },
  };
}
