// The chat inside the widget's iframe: speaks the visitor side of the live
// protocol (docs/protocol.md) over /ws/visitor, keeps the visitor token and
// the conversation in localStorage, and tells the loader on the host page
// (widget.js) about unread messages. Text from the network is only ever put
// into the page with textContent.
//
// This module starts the frame: it talks with the loader (init, open,
// close, page changes), opens and closes the chat, and follows the page's
// visibility and the network. The rest is in the frame-*.js modules, one
// concern each. Every module is imported here, even those this one does not
// call, so that the browser fetches them all at once.
import { cfg, t, S, E, embedded, postParent } from './frame-state.js';
import { storage, saveNow } from './frame-storage.js';
import { scrollToEnd } from './frame-render.js';
import { onColor, applyChannel, updateSubtitle, updateBanner } from './frame-header.js';
import { restore, markRead, unreadCount, primeUnread } from './frame-store.js';
import './frame-outbox.js';
import './frame-bot.js';
import './frame-csat.js';
import './frame-queue.js';
import { connect, reconnectNow, send, whenWelcomed } from './frame-connection.js';
import './frame-protocol.js';
import { typing } from './frame-typing.js';
import './frame-uploads.js';
import { autosize, toggleEmoji, initComposer } from './frame-composer.js';
import { needPrechat, updatePrechat, initPrechat } from './frame-prechat.js';
import { unlockSound } from './sound.js';

initPrechat();
initComposer();

// ---------------------------------------------------------------- open / close

function setOpen(open) {
  S.open = open;
  E.app.dataset.open = open ? 'true' : 'false';
  if (open) {
    updatePrechat();
    autosize();
    if (!needPrechat()) connect();
    markRead();
    scrollToEnd(true);
    if (!window.matchMedia('(pointer: coarse)').matches) {
      setTimeout(() => (E.prechat.hidden ? E.input : E.prechatName).focus({ preventScroll: true }), 60);
    }
  } else {
    toggleEmoji(false);
    typing(false);
  }
}

function requestClose() {
  setOpen(false);
  postParent({ type: 'close' });
}

E.close.addEventListener('click', requestClose);
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape') return;
  if (!E.emojiPanel.hidden) toggleEmoji(false);
  else if (embedded) requestClose();
});
E.earlier.addEventListener('click', () => {
  E.earlier.hidden = true;
  const conv = S.conv;
  whenWelcomed().then(() => {
    if (S.conv === conv) send('sync', { after_seq: 0 });
  });
});
E.bannerRetry.addEventListener('click', () => {
  S.attempt = 0;
  reconnectNow();
});
document.addEventListener('pointerdown', unlockSound, { passive: true });
document.addEventListener('keydown', unlockSound);

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState !== 'visible') return;
  markRead();
  if (S.want && !S.ws) reconnectNow();
  else if (S.ws && S.welcomed) {
    // Back from the background or from sleep: is the connection still alive?
    S.lastPingAt = Date.now();
    send('ping');
  }
});
window.addEventListener('online', () => {
  if (S.want && !S.welcomed) {
    S.attempt = 0;
    reconnectNow();
  }
});
window.addEventListener('offline', updateBanner);
window.addEventListener('resize', autosize);
window.addEventListener('pagehide', saveNow);

// ---------------------------------------------------------------- the loader

function originAllowed(o) {
  const list = cfg.allowed_origins || [];
  return o === location.origin || list.length === 0 || list.includes(String(o).toLowerCase());
}

const clip = (v, n) => (typeof v === 'string' ? v.slice(0, n) : '');

window.addEventListener('message', (e) => {
  if (!embedded || e.source !== window.parent) return;
  const d = e.data;
  if (!d || typeof d !== 'object' || d.sb !== 1) return;
  if (S.parentOrigin ? e.origin !== S.parentOrigin : !originAllowed(e.origin)) return;
  S.parentOrigin = e.origin;
  switch (d.type) {
    case 'init':
      if (S.started) return;
      start({
        page_url: clip(d.page_url, 2000), page_title: clip(d.page_title, 300), referrer: clip(d.referrer, 2000),
        origin: e.origin, name: clip(d.name, 200), email: clip(d.email, 254), user_id: clip(d.user_id, 200),
        user_hash: clip(d.user_hash, 128),
      }, d.store);
      break;
    case 'open': setOpen(true); break;
    case 'close': setOpen(false); break;
    case 'page':
      if (!S.host) return;
      S.host.page_url = clip(d.page_url, 2000);
      S.host.page_title = clip(d.page_title, 300);
      if (S.welcomed) send('page', { page_url: S.host.page_url, page_title: S.host.page_title });
      break;
    default: break;
  }
});

function start(host, hostStore) {
  S.host = host;
  S.started = true;
  storage.useHost(hostStore);
  S.token = storage.get('token');
  S.profile = storage.get('profile') || {};
  restore();
  updatePrechat();
  autosize();
  postParent({
    type: 'ready', color: cfg.color, on_color: onColor(cfg.color), position: cfg.position,
    labels: { open: t('launcher_open'), close: t('launcher_close'), title: t('frame_title'), unread: t('launcher_unread') },
    width: 380, height: 640, unread: unreadCount(),
  });
  primeUnread();
  // A returning visitor connects at once (replies and the unread badge);
  // a new one only when opening the chat, so that mere page views create nobody.
  if (S.token || S.outbox.length || S.open) connect();
  if (S.open) setOpen(true);
}

applyChannel(cfg);
updateSubtitle();
E.app.dataset.open = S.open ? 'true' : 'false';
E.app.dataset.embedded = embedded ? 'true' : 'false';
if (embedded) {
  // No data: only a nudge for the loader to send init, to any origin.
  window.parent.postMessage({ sb: 1, type: 'boot' }, '*');
  // Framed without the loader: go on alone after a while.
  setTimeout(() => { if (!S.started) start({}); }, 5000);
} else {
  start({});
}
