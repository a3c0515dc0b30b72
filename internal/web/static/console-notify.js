// Telling the agent about what they cannot see: a desktop notification and
// a short two-note sound (WebAudio, no file) for a new conversation or a
// visitor's message, once per message; the buttons that allow notifications
// and turn the sound on or off.
import { t } from './console-util.js';
import { $, S } from './console-state.js';
import { displayName } from './console-convs.js';

let audio = null;
let lastBeep = 0;
function unlockAudio() {
  if (!audio) {
    const AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return;
    audio = new AC();
  }
  if (audio.state === 'suspended') audio.resume().catch(() => {});
}

function beep() {
  if (!S.sound || !audio || audio.state !== 'running') return;
  const now = Date.now();
  if (now - lastBeep < 1500) return;
  lastBeep = now;
  const t0 = audio.currentTime + 0.01;
  for (const [freq, at] of [[880, 0], [1318.5, 0.12]]) {
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.type = 'sine';
    o.frequency.value = freq;
    g.gain.setValueAtTime(0.0001, t0 + at);
    g.gain.exponentialRampToValueAtTime(0.18, t0 + at + 0.015);
    g.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 0.22);
    o.connect(g).connect(audio.destination);
    o.start(t0 + at);
    o.stop(t0 + at + 0.25);
  }
}

export function renderNotifyState() {
  const btn = $('notify-enable');
  const note = $('notify-state');
  if (!('Notification' in window)) {
    btn.hidden = true;
    note.hidden = true;
    return;
  }
  const p = Notification.permission;
  btn.hidden = p !== 'default';
  note.hidden = p === 'default';
  note.textContent = p === 'granted' ? t('console.notify_on') : t('console.notify_blocked');
  note.dataset.state = p;
  const snd = $('sound-toggle');
  snd.setAttribute('aria-pressed', S.sound ? 'true' : 'false');
  snd.textContent = t(S.sound ? 'console.sound_on' : 'console.sound_off');
}

/** alertAbout shows a desktop notification and plays the sound, once per message. */
export function alertAbout(convId, seq, isNew, body) {
  const conv0 = S.convs.get(convId);
  if (conv0 && conv0.owner === 'bot' && conv0.status === 'open') return; // the bot answers; people hear of it at the hand-off
  const last = S.notified.get(convId);
  if (last !== undefined && last >= seq) return;
  S.notified.set(convId, seq);
  // Only when the reader cannot see it: the page is hidden, or another conversation is open.
  if (!document.hidden && (!S.openId || S.openId === convId)) return;
  const conv = S.convs.get(convId);
  if (!conv) return;
  if (!isNew && conv.assignee_id && conv.assignee_id !== S.me) return; // another agent's conversation
  beep();
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  const name = displayName(conv);
  const title = isNew ? t('console.notify_new_conversation') : t('console.notify_new_message', { name });
  try {
    const n = new Notification(title, { body: (isNew ? name + (body ? ': ' + body : '') : body || '').slice(0, 180), tag: 'sb-' + convId, icon: '/static/favicon.svg' });
    n.onclick = () => {
      window.focus();
      location.hash = '#c/' + convId;
      n.close();
    };
  } catch { /* some browsers allow notifications only from a service worker */ }
}

export function wireNotify() {
  $('notify-enable').addEventListener('click', async () => {
    unlockAudio();
    try { await Notification.requestPermission(); } catch { /* old callback form */ }
    renderNotifyState();
  });
  $('sound-toggle').addEventListener('click', () => {
    S.sound = !S.sound;
    localStorage.setItem('sb.console.sound', S.sound ? 'on' : 'off');
    unlockAudio();
    renderNotifyState();
  });
  // Browsers start sound only after the reader has done something on the page.
  for (const ev of ['pointerdown', 'keydown']) document.addEventListener(ev, unlockAudio, { passive: true });
}
