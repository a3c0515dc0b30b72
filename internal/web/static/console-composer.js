// The composer: a draft per conversation, reply or internal-note mode, and
// sending. A message this console sends stays pending until its ack, and is
// sent again with the same client_id (stored once by the server) after a
// reconnect or when unanswered; a refused one can be retried or discarded.
import { t, randomID } from './console-util.js';
import { $, cfg, S } from './console-state.js';
import { addMessage, renderPending, scrollToBottom } from './console-thread.js';
import { renderUploads } from './console-uploads.js';
import { noteTyping, stopTyping } from './console-typing.js';
import { tookOver } from './console-frames.js';

export function saveDraft() {
  if (!S.openId) return;
  const text = $('composer-input').value;
  if (text || S.uploads.length || S.note) S.drafts.set(S.openId, { text, note: S.note, uploads: S.uploads });
  else S.drafts.delete(S.openId);
}

export function restoreDraft() {
  const d = S.drafts.get(S.openId);
  $('composer-input').value = d ? d.text : '';
  S.uploads = d ? d.uploads : [];
  setNote(d ? d.note : false);
  $('composer-error').textContent = '';
  renderUploads();
  autosize();
}

export function setNote(on) {
  S.note = on;
  const f = $('composer');
  f.dataset.mode = on ? 'note' : 'reply';
  $('note-toggle').setAttribute('aria-pressed', on ? 'true' : 'false');
  $('mode-reply').setAttribute('aria-pressed', on ? 'false' : 'true');
  $('note-hint').hidden = !on;
  const input = $('composer-input');
  input.placeholder = t(on ? 'console.placeholder_note' : 'console.placeholder_reply');
  $('send-button').textContent = t(on ? 'console.add_note' : 'console.send');
  if (on) stopTyping();
}

function autosize() {
  const ta = $('composer-input');
  ta.style.height = 'auto';
  ta.style.height = Math.min(ta.scrollHeight + 2, 240) + 'px';
}

/** insertText adds text (a knowledge-base answer) to the composer, on a line of its own, for the agent to edit and send. */
export function insertText(text) {
  const input = $('composer-input');
  if (!S.openId || !text) return;
  const cur = input.value;
  const sep = cur && !cur.endsWith('\n') ? '\n' : '';
  input.value = (cur + sep + text).slice(0, input.maxLength > 0 ? input.maxLength : 10000);
  autosize();
  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
  saveDraft();
}

function send() {
  const id = S.openId;
  if (!id) return;
  const input = $('composer-input');
  const body = input.value.replace(/\s+$/, '');
  if (S.uploads.some((u) => u.state === 'uploading')) {
    $('composer-error').textContent = t('console.wait_uploads');
    return;
  }
  const files = S.uploads.filter((u) => u.state === 'done');
  if (!body.trim() && !files.length) return;
  const p = {
    client_id: randomID(), conversation_id: id, body, private: S.note, sender_type: 'agent', sender_id: S.me,
    sender_name: cfg.user_name, attachments: files.map((u) => u.att), created_at: new Date().toISOString(), state: 'sending', sentAt: 0,
  };
  S.pending.set(p.client_id, p);
  transmit(p);
  input.value = '';
  for (const u of S.uploads) if (u.preview) URL.revokeObjectURL(u.preview);
  S.uploads = [];
  S.drafts.delete(id);
  $('composer-error').textContent = '';
  renderUploads();
  autosize();
  stopTyping();
  renderPending();
  scrollToBottom();
}

/** transmit sends a pending message on the live connection, if there is one. */
export function transmit(p) {
  const data = { conversation_id: p.conversation_id, client_id: p.client_id, body: p.body };
  if (p.private) data.private = true;
  if (p.attachments.length) data.attachments = p.attachments.map((a) => a.id);
  if (S.live.send('message', data)) p.sentAt = Date.now();
}

export function retryPending(cid) {
  const p = S.pending.get(cid);
  if (!p) return;
  p.state = 'sending';
  p.error = '';
  transmit(p);
  renderPending();
}

export function discardPending(cid) {
  S.pending.delete(cid);
  renderPending();
}

export function onAck(a) {
  const p = S.pending.get(a.client_id);
  if (!p) return;
  S.pending.delete(a.client_id);
  addMessage({ ...p, seq: a.seq, id: a.id, conversation_id: a.conversation_id, state: undefined });
  if (!p.private) tookOver(a.conversation_id);
  if (S.openId === a.conversation_id) renderPending();
}

export function wireComposer() {
  const form = $('composer');
  const input = $('composer-input');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    send();
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
      ev.preventDefault();
      send();
    }
  });
  input.addEventListener('input', () => {
    autosize();
    noteTyping();
  });
  input.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== input) stopTyping(); }, 200));
  $('note-toggle').addEventListener('click', () => { setNote(!S.note); input.focus(); });
  $('mode-reply').addEventListener('click', () => { setNote(false); input.focus(); });
}
