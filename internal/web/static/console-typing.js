// Typing indicators both ways. The agent's: "on" at most every 3 s while
// typing a reply, "off" after 4 s without a key or when the reply is sent;
// notes are never announced. Others': shown under the thread and in the
// inbox's preview, each for 8 s unless renewed.
import { t, el } from './console-util.js';
import { $, S } from './console-state.js';
import { displayName } from './console-convs.js';
import { scheduleList } from './console-inbox.js';

/** noteTyping follows the composer's text (called on each input). */
export function noteTyping() {
  if (!S.openId || S.note) return;
  const has = $('composer-input').value.trim() !== '';
  if (!has) {
    stopTyping();
    return;
  }
  const now = Date.now();
  if (!S.typingOn || S.typingConv !== S.openId || now - S.typingSentAt > 3000) {
    if (S.typingOn && S.typingConv !== S.openId) stopTyping();
    if (S.live.send('typing', { conversation_id: S.openId, on: true })) {
      S.typingOn = true;
      S.typingConv = S.openId;
      S.typingSentAt = now;
    }
  }
  clearTimeout(S.typingTimer);
  S.typingTimer = setTimeout(stopTyping, 4000);
}

export function stopTyping() {
  clearTimeout(S.typingTimer);
  if (S.typingOn && S.typingConv) S.live.send('typing', { conversation_id: S.typingConv, on: false });
  S.typingOn = false;
  S.typingConv = null;
}

/** typingNames says who is typing in a conversation (contactOnly: the visitor only, briefly). */
export function typingNames(convId, contactOnly) {
  const m = S.typing.get(convId);
  if (!m) return '';
  const now = Date.now();
  const names = [];
  for (const [k, v] of m) {
    if (v.until < now) m.delete(k);
    else if (!contactOnly || v.senderType === 'contact') names.push(v.senderType === 'contact' ? displayName(S.convs.get(convId)) : v.name || t('console.sender_agent'));
  }
  if (!names.length) return '';
  return contactOnly ? t('console.typing_short') : t('console.typing', { name: names.join(', ') });
}

export function renderTyping() {
  const s = S.openId ? typingNames(S.openId, false) : '';
  const box = $('typing');
  if (box.textContent !== s) {
    box.replaceChildren();
    if (s) box.append(el('span', { class: 'dots', 'aria-hidden': 'true' }, el('i'), el('i'), el('i')), s);
  }
}

/** onTyping is the live "typing" frame. */
export function onTyping(d) {
  if (!d.conversation_id) return;
  if (d.sender_type !== 'contact' && d.sender_id === S.me) return;
  let m = S.typing.get(d.conversation_id);
  if (!m) {
    m = new Map();
    S.typing.set(d.conversation_id, m);
  }
  const key = d.sender_type === 'contact' ? 'contact' : d.sender_type + ':' + (d.sender_id || d.name);
  if (d.on) m.set(key, { name: d.name, senderType: d.sender_type, until: Date.now() + 8000 });
  else m.delete(key);
  if (d.conversation_id === S.openId) renderTyping();
  scheduleList();
}
