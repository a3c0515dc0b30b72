// The visitor's messages on their way: each is "pending" in the outbox until
// its ack, sent in order within the server's rate limit, sent again (same
// client_id, which the server stores once) after a reconnect, and can be
// retried or removed when it failed.
import { S } from './frame-state.js';
import { save } from './frame-storage.js';
import { draw, place, relayout, scrollToEnd } from './frame-render.js';
import { updateClosed } from './frame-store.js';
import { send, connect } from './frame-connection.js';
import { upload } from './frame-uploads.js';

function uuid() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** newRec is a new message of the visitor's, not sent yet. */
export function newRec(extra) {
  return {
    client_id: uuid(), seq: 0, sender_type: 'contact', body: '', attachments: [], created_at: new Date().toISOString(),
    state: 'pending', ...extra,
  };
}

/** queue shows a new message and sends it as soon as it may. */
export function queue(rec) {
  S.outbox.push(rec);
  S.byClient.set(rec.client_id, rec);
  draw(rec);
  place(rec);
  relayout();
  updateClosed();
  scrollToEnd(true);
  save();
  if (S.welcomed) pump(); else connect();
}

// The server takes 10 messages at once, then 2 a second (per connection).
// The widget keeps a little under that, so that a burst goes out in order
// instead of being refused in parts.
const bucket = { tokens: 8, last: Date.now(), capacity: 8, rate: 1.6 };
function take() {
  const now = Date.now();
  bucket.tokens = Math.min(bucket.capacity, bucket.tokens + ((now - bucket.last) / 1000) * bucket.rate);
  bucket.last = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

let pumpTimer = 0;
// pump sends the outbox's unsent messages, in order, as fast as allowed.
export function pump() {
  clearTimeout(pumpTimer);
  pumpTimer = 0;
  if (!S.welcomed) return;
  for (const rec of S.outbox) {
    if (rec.state !== 'pending' || rec.sentAt) continue;
    if (!take()) {
      pumpTimer = setTimeout(pump, 700);
      return;
    }
    rec.sentAt = Date.now();
    const data = { client_id: rec.client_id, body: rec.body || '' };
    if (rec.attachments && rec.attachments.length) data.attachments = rec.attachments.map((a) => a.id);
    if (!send('message', data)) rec.sentAt = 0;
  }
}

/** holdOutbox waits a moment before sending more: the server refused one for now. */
export function holdOutbox() {
  bucket.tokens = 0;
  clearTimeout(pumpTimer);
  pumpTimer = setTimeout(pump, 1500);
}

export function unqueue(rec) {
  const i = S.outbox.indexOf(rec);
  if (i >= 0) S.outbox.splice(i, 1);
}

export function retryRec(rec) {
  rec.error = '';
  if (rec.file && !(rec.attachments && rec.attachments.length)) {
    upload(rec);
    return;
  }
  rec.state = 'pending';
  rec.sentAt = 0;
  draw(rec);
  if (!S.outbox.includes(rec)) S.outbox.push(rec);
  save();
  if (S.welcomed) pump(); else connect();
}

export function removeRec(rec) {
  unqueue(rec);
  S.byClient.delete(rec.client_id);
  if (rec.preview) URL.revokeObjectURL(rec.preview);
  rec.el.remove();
  relayout();
  updateClosed();
  save();
}
