// The console's live connection (/ws/agent): says hello with the
// subscriptions to resume, pings every 20 s, treats 45 s of silence as a dead
// connection, and reconnects with a growing, jittered delay — at once after
// the server's "bye" (a node restarting, a slow consumer catching up).

const PING_EVERY = 20_000;
const SILENCE_LIMIT = 45_000;
const BACKOFF = [500, 1000, 2000, 4000, 8000, 15000, 30000];

export class Live {
  /**
   * @param {object} o
   * @param {() => object} o.hello  the data of the hello frame (subscriptions)
   * @param {(type: string, data: any) => void} o.onFrame
   * @param {(state: string, info?: object) => void} o.onState  connecting | live | waiting | offline
   * @param {(failures: number) => void} [o.onFailures]  called after handshakes that never reached welcome
   */
  constructor(o) {
    this.o = o;
    this.ws = null;
    this.ready = false;
    this.attempt = 0;
    this.failures = 0;
    this.lastRx = 0;
    this.lastPing = 0;
    this.timer = null;
    this.retryAt = 0;
    this.url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/agent';
    setInterval(() => this.tick(), 1000);
    window.addEventListener('online', () => this.now());
    window.addEventListener('offline', () => { this.drop(); this.o.onState('offline'); });
    document.addEventListener('visibilitychange', () => { if (!document.hidden && !this.ready) this.now(); });
  }

  start() { this.connect(); }

  /** now reconnects at once, dropping a connection that is not live. */
  now() {
    if (this.ready) return;
    clearTimeout(this.timer);
    this.drop();
    this.connect();
  }

  connect() {
    clearTimeout(this.timer);
    this.timer = null;
    this.o.onState(this.attempt === 0 && !this.everLive ? 'connecting' : 'reconnecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (e) {
      this.schedule(false);
      return;
    }
    this.ws = ws;
    this.ready = false;
    this.lastRx = Date.now();
    ws.onopen = () => {
      this.lastRx = Date.now();
      this.raw('hello', this.o.hello());
    };
    ws.onmessage = (ev) => {
      this.lastRx = Date.now();
      let f;
      try { f = JSON.parse(ev.data); } catch { return; }
      if (!f || typeof f.type !== 'string') return;
      if (f.type === 'welcome') {
        this.ready = true;
        this.lastPing = Date.now();
        this.everLive = true;
        this.attempt = 0;
        this.failures = 0;
        this.o.onState('live');
      }
      if (f.type === 'bye') this.bye = (f.data && f.data.reason) || 'bye';
      this.o.onFrame(f.type, f.data || {});
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      const wasReady = this.ready;
      this.ws = null;
      this.ready = false;
      const bye = this.bye;
      this.bye = null;
      if (!wasReady) this.failures++;
      if (this.failures > 0 && this.o.onFailures) this.o.onFailures(this.failures);
      this.schedule(!!bye && bye !== 'unauthorized');
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  schedule(quick) {
    if (!navigator.onLine) {
      this.o.onState('offline');
      return;
    }
    const base = quick ? 150 : BACKOFF[Math.min(this.attempt, BACKOFF.length - 1)];
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.attempt++;
    this.retryAt = Date.now() + delay;
    this.o.onState('waiting', { retryAt: this.retryAt });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** drop forgets the current socket without waiting for its close. */
  drop() {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    this.ready = false;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try { ws.close(); } catch { /* already closed */ }
  }

  tick() {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const now = Date.now();
    if (now - this.lastRx > SILENCE_LIMIT) {
      // Nothing, not even a pong, for too long: the connection is dead
      // even if the browser has not noticed.
      this.drop();
      this.failures = 0;
      this.schedule(true);
      return;
    }
    if (this.ready && now - this.lastPing >= PING_EVERY) {
      this.lastPing = now;
      this.raw('ping');
    }
  }

  raw(type, data) {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(data === undefined ? { type } : { type, data }));
    return true;
  }

  /** send sends a frame on a live connection; false if there is none. */
  send(type, data) {
    if (!this.ready) return false;
    return this.raw(type, data);
  }
}
