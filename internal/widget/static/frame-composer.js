// The composer: the text box (Enter sends, Shift+Enter and IME composition
// do not), the emoji panel, and files from the attach button, pasting or
// dropping onto the chat.
import { cfg, t, el, S, E } from './frame-state.js';
import { toast } from './frame-header.js';
import { newRec, queue } from './frame-outbox.js';
import { typing } from './frame-typing.js';
import { FILE_TYPES, sendFiles } from './frame-uploads.js';

const EMOJI = ['😀', '😂', '😊', '😍', '🥰', '😉', '😎', '🤔', '😅', '😮', '😢', '😭', '😡', '😴', '🙄', '🤗',
  '👍', '👎', '👌', '👏', '🙏', '🙌', '💪', '👋', '🤝', '✌️', '❤️', '💔', '🔥', '✨', '🎉', '⭐',
  '✅', '❌', '❓', '❗', '💯', '💡', '📦', '🚚', '💰', '🛒', '🎁', '📷', '📎', '⏰', '☕', '🍵'];

// Control characters (but tab and new lines) are refused by the server.
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

function submitText() {
  const body = E.input.value.replace(CONTROL_RE, '').replace(/^\s*\n/, '').replace(/\s+$/, '');
  if (!body.trim()) return;
  if (Array.from(body).length > cfg.max_body_len) {
    toast(t('err_too_long', { max: cfg.max_body_len }));
    return;
  }
  E.input.value = '';
  autosize();
  typing(false);
  toast('');
  queue(newRec({ body }));
  E.input.focus();
}

/** autosize fits the text box to its text, and enables the send button. */
export function autosize() {
  // Measured only while shown: a hidden frame may have no width at all.
  E.input.style.height = '';
  if (E.input.value && E.input.clientWidth > 0) {
    E.input.style.height = 'auto';
    E.input.style.height = `${Math.min(E.input.scrollHeight, 132)}px`;
  }
  E.send.disabled = !E.input.value.trim() || !!S.fatal;
}

export function toggleEmoji(show) {
  E.emojiPanel.hidden = !show;
  E.emoji.setAttribute('aria-expanded', show ? 'true' : 'false');
}

export function initComposer() {
  E.input.maxLength = cfg.max_body_len;
  E.input.addEventListener('input', () => {
    autosize();
    typing(!!E.input.value.trim());
  });
  E.input.addEventListener('keydown', (e) => {
    // Enter sends; Shift+Enter is a new line; Enter that ends an IME
    // composition (Chinese input) only picks the characters.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submitText();
    }
  });
  E.input.addEventListener('blur', () => typing(false));
  E.input.addEventListener('paste', (e) => {
    const dt = e.clipboardData;
    if (!dt) return;
    const files = [...(dt.files || [])];
    if (files.length && !dt.getData('text/plain')) {
      e.preventDefault();
      sendFiles(files);
    }
  });
  E.composer.addEventListener('submit', (e) => {
    e.preventDefault();
    submitText();
  });
  E.attach.addEventListener('click', () => E.file.click());
  E.file.accept = FILE_TYPES.join(',') + ',.png,.jpg,.jpeg,.gif,.webp,.pdf,.txt,.log,.csv,.zip,.docx,.xlsx,.pptx';
  E.file.addEventListener('change', () => {
    const files = [...E.file.files];
    E.file.value = '';
    if (files.length) sendFiles(files);
  });

  // Emoji: a small panel of common ones, put in at the caret.
  EMOJI.forEach((ch) => {
    const b = el('button', 'sb-emoji-btn', ch);
    b.type = 'button';
    b.setAttribute('data-testid', 'sb-emoji-option');
    b.addEventListener('click', () => {
      const i = E.input;
      const start = i.selectionStart ?? i.value.length;
      const end = i.selectionEnd ?? i.value.length;
      i.value = i.value.slice(0, start) + ch + i.value.slice(end);
      i.selectionStart = i.selectionEnd = start + ch.length;
      toggleEmoji(false);
      i.focus();
      autosize();
    });
    E.emojiPanel.append(b);
  });
  E.emoji.addEventListener('click', () => toggleEmoji(E.emojiPanel.hidden));
  document.addEventListener('click', (e) => {
    if (!E.emojiPanel.hidden && !E.emojiPanel.contains(e.target) && !E.emoji.contains(e.target)) toggleEmoji(false);
  });

  // Drag and drop files onto the chat.
  let dragDepth = 0;
  const hasFiles = (e) => e.dataTransfer && [...(e.dataTransfer.types || [])].includes('Files');
  E.app.addEventListener('dragenter', (e) => {
    if (!hasFiles(e) || S.fatal || E.composer.hidden) return;
    dragDepth++;
    E.drop.hidden = false;
  });
  E.app.addEventListener('dragover', (e) => {
    if (hasFiles(e)) e.preventDefault();
  });
  E.app.addEventListener('dragleave', () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (!dragDepth) E.drop.hidden = true;
  });
  E.app.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth = 0;
    E.drop.hidden = true;
    if (!E.composer.hidden) sendFiles([...e.dataTransfer.files]);
  });
}
