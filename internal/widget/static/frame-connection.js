// The live connection to /ws/visitor (docs/protocol.md): hello with the
// visitor token and the conversation to resume from its last seq, a ping
// every 20 s, 45 s of silence taken as a dead connection, and reconnecting
// with a growing, jittered delay (at once after the server's "bye").
import { cfg, S } from './frame-state.js';
import { updateBanner, updateSubtitle } from './frame-header.js';
import { resumeSeq } from './frame-store.js';
import { pump } from './frame-outbox.js';
import { hideTyping } from './frame-typing.js';
import { onFrame } from './frame-protocol.js';

const PING_EVERY = 20000;
const SILENCE_LIMIT = 45000;

function wsURL() {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/visitor?channel=${encodeURIComponent(cfg.key)}`;
}

/** send sends a frame; false when there is no open connection. */
export function send(type, data) {
  if (!S.ws || S.ws.readyState !== WebSocket.OPEN) return false;
  S.ws.send(JSON.stringify(data === undefined ? { type } : { type, data }));
  return true;
}

function helloData() {
  const h = S.host || {};
  const d = { lang: cfg.lang };
  if (S.token) d.token = S.token;
  if (S.conv) {
    d.conversation_id = S.conv;
    d.last_seq = resumeSeq();
  }
  const name = h.name || S.profile.name;
  const email = h.email || S.profile.email;
  if (name) d.name = name;
  if (email) d.email = email;
  if (h.user_id) {
    d.user_id = h.user_id;
    d.user_hash = h.user_hash || '';
  }
  if (h.page_url) d.page_url = h.page_url;
  if (h.page_title) d.page_title = h.page_title;
  if (h.referrer) d.referrer = h.referrer;
  if (h.origin && h.origin !== location.origin) d.origin = h.origin;
  return d;
}

export function connect() {
  if (S.fatal || !S.started) return;
  S.want = true;
  S.parked = false;
  if (S.ws) return;
  clearTimeout(S.reconnectTimer);
  S.reconnectTimer = 0;
  let ws;
  try {
    ws = new WebSocket(wsURL());
  } catch (e) {
    scheduleReconnect();
    return;
  }
  S.ws = ws;
  S.welcomed = false;
  S.byeNow = false;
  updateBanner();
  ws.onopen = () => {
    if (S.ws !== ws) return;
    S.lastFrameAt = Date.now();
    S.lastPingAt = Date.now();
    send('hello', helloData());
    clearInterval(S.heartbeat);
    S.heartbeat = setInterval(beat, 5000);
  };
  ws.onmessage = (e) => {
    if (S.ws !== ws) return;
    S.lastFrameAt = Date.now();
    let f;
    try {
      f = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    if (f && typeof f.type === 'string') onFrame(f.type, f.data || {});
  };
  ws.onclose = () => {
    if (S.ws !== ws) return;
    dropped();
  };
}

// dropped forgets the connection and plans the next one.
function dropped() {
  const ws = S.ws;
  S.ws = null;
  S.welcomed = false;
  clearInterval(S.heartbeat);
  if (ws) {
    ws.onopen = ws.onmessage = ws.onclose = null;
    try { ws.close(); } catch (e) { /* already closed */ }
  }
  hideTyping();
  updateSubtitle();
  for (const rec of S.outbox) {
    if (rec.state === 'pending') rec.sentAt = 0;
  }
  if (S.fatal || S.parked) {
    updateBanner();
    return;
  }
  scheduleReconnect(S.byeNow ? 0 : undefined);
}

function scheduleReconnect(delay) {
  clearTimeout(S.reconnectTimer);
  if (delay === undefined) {
    const base = Math.min(30000, 1000 * 2 ** Math.min(S.attempt, 5));
    delay = base / 2 + Math.random() * base / 2;
  }
  S.attempt++;
  updateBanner();
  S.reconnectTimer = setTimeout(() => {
    S.reconnectTimer = 0;
    connect();
  }, delay);
}

/** reconnectNow drops the connection there is, if any, and connects again at once. */
export function reconnectNow() {
  if (S.fatal) return;
  if (S.ws) {
    const ws = S.ws;
    S.ws = null;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try { ws.close(); } catch (e) { /* ignore */ }
    clearInterval(S.heartbeat);
    S.welcomed = false;
  }
  clearTimeout(S.reconnectTimer);
  S.reconnectTimer = 0;
  connect();
}

// beat pings every 20 s and gives up on a connection silent for 45 s.
function beat() {
  const now = Date.now();
  // Dead: silent for 45 s although asked. (A background tab runs timers
  // rarely; silence without an unanswered ping proves nothing.)
  if (now - S.lastFrameAt > SILENCE_LIMIT && S.lastPingAt > S.lastFrameAt && now - S.lastPingAt > 10000) {
    dropped();
    return;
  }
  if (now - S.lastPingAt >= PING_EVERY) {
    S.lastPingAt = now;
    send('ping');
  }
  // A message sent but not acknowledged for long: the connection is suspect.
  for (const rec of S.outbox) {
    if (rec.state === 'pending' && rec.sentAt && now - rec.sentAt > 15000) {
      rec.sentAt = 0;
      pump();
    }
  }
}

/** whenWelcomed resolves once the server has welcomed this connection. */
export function whenWelcomed() {
  if (S.welcomed) return Promise.resolve();
  connect();
  return new Promise((resolve) => S.waiters.push(resolve));
}
