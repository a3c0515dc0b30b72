// The state of the live connection on screen: the status in the inbox's
// head, and a banner (with "reconnect now") when it has been down for more
// than a moment, counting down to the next attempt.
import { t } from './console-util.js';
import { $, S } from './console-state.js';
import { api } from './console-api.js';
import { renderPending } from './console-thread.js';

let bannerTimer = null;
let retryAt = 0;

/** onState follows the connection: connecting | live | reconnecting | waiting | offline. */
export function onState(state, info) {
  const root = $('console');
  root.dataset.conn = state;
  const status = $('conn-status');
  status.dataset.state = state;
  const text = { connecting: 'console.connecting', live: 'console.connected', reconnecting: 'console.reconnecting', waiting: 'console.reconnecting', offline: 'console.offline' }[state];
  status.querySelector('.conn-text').textContent = t(text);
  const banner = $('conn-banner');
  if (state === 'live' || state === 'connecting') {
    clearTimeout(bannerTimer);
    bannerTimer = null;
    banner.hidden = true;
    if (state === 'live' && S.openId) renderPending();
    return;
  }
  retryAt = info && info.retryAt;
  renderBanner();
  // A reconnect that succeeds at once (after "bye") never shows the banner.
  if (banner.hidden && !bannerTimer) {
    bannerTimer = setTimeout(() => {
      bannerTimer = null;
      if (!S.live.ready) banner.hidden = false;
    }, 1200);
  }
  if (S.openId) renderPending();
}

export function renderBanner() {
  const state = $('console').dataset.conn;
  let s = t('console.reconnecting');
  if (state === 'offline') s = t('console.offline');
  else if (state === 'waiting' && retryAt) {
    const secs = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
    if (secs >= 2) s = t('console.reconnect_in', { seconds: secs });
  }
  $('conn-banner-text').textContent = s;
}

export async function onFailures(n) {
  if (n === 2 || n % 5 === 0) await api('GET', '/api/v1/me'); // sends a signed-out reader to the sign-in page
}

export function wireConnection() {
  $('reconnect-now').addEventListener('click', () => S.live.now());
}
