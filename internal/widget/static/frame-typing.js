// Typing indicators both ways: "an agent is typing" under the conversation
// (hidden after 8 s without news), and the visitor's own typing sent at
// most every 3 s, "off" after 4 s without a key.
import { t, S, E } from './frame-state.js';
import { nearBottom, scrollToEnd } from './frame-render.js';
import { send } from './frame-connection.js';

export function onTyping(d) {
  clearTimeout(S.agentTypingTimer);
  if (!d.on) {
    hideTyping();
    return;
  }
  E.typingText.textContent = d.name ? t('typing', { name: d.name }) : t('typing_someone');
  const wasNear = nearBottom();
  E.typing.hidden = false;
  scrollToEnd(wasNear);
  S.agentTypingTimer = setTimeout(hideTyping, 8000);
}

export function hideTyping() {
  clearTimeout(S.agentTypingTimer);
  E.typing.hidden = true;
}

export function typing(on) {
  clearTimeout(S.typingTimer);
  if (!S.welcomed || !S.conv) return;
  const now = Date.now();
  if (on) {
    if (now - S.typingSentAt > 3000) {
      S.typingSentAt = now;
      send('typing', { on: true });
    }
    S.typingTimer = setTimeout(() => typing(false), 4000);
  } else if (S.typingSentAt) {
    S.typingSentAt = 0;
    send('typing', { on: false });
  }
}
