// A bot answer's formatted text, for the thread: the answer's HTML rebuilt
// from an allow-list by the widget's rich.js (never inserted as markup).
import { el } from './console-util.js';
import { richFragment } from '/widget/static/rich.js';

/** richHTML rebuilds answer HTML as an element, or returns null when there is nothing to show. */
export function richHTML(html) {
  const frag = richFragment(html);
  if (!frag) return null;
  const box = el('div', { class: 'msg-body msg-rich' });
  box.append(frag);
  return box;
}
