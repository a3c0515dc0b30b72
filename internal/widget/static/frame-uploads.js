// The visitor's files: the types accepted, checks before sending, and the
// upload to /widget/uploads with progress; an uploaded file then goes out
// as a message of the outbox.
import { cfg, t, S } from './frame-state.js';
import { storage, save } from './frame-storage.js';
import { draw, place, relayout, scrollToEnd } from './frame-render.js';
import { toast } from './frame-header.js';
import { newRec, pump } from './frame-outbox.js';
import { whenWelcomed, reconnectNow } from './frame-connection.js';
import { errorText } from './frame-protocol.js';

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
// Mirrors internal/attachment: the types accepted, and the type a file
// without one is given from its extension.
const OFFICE = 'application/vnd.openxmlformats-officedocument.';
const DOCX = `${OFFICE}wordprocessingml.document`;
const XLSX = `${OFFICE}spreadsheetml.sheet`;
const PPTX = `${OFFICE}presentationml.presentation`;
export const FILE_TYPES = IMAGE_TYPES.concat(['application/pdf', 'text/plain', 'text/csv', 'application/zip', DOCX, XLSX, PPTX]);
const BY_EXTENSION = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', pdf: 'application/pdf',
  txt: 'text/plain', log: 'text/plain', csv: 'text/csv', zip: 'application/zip', docx: DOCX, xlsx: XLSX, pptx: PPTX,
};
// Errors worded here (in the visitor's language, naming the file) rather
// than with the server's message.
const WORDED_HERE = ['rate_limited', 'internal', 'file_too_large', 'file_type_not_allowed', 'file_content_mismatch', 'empty_file'];

function fileType(f) {
  let ct = String(f.type || '').toLowerCase().split(';')[0].trim();
  if (!ct || ct === 'application/octet-stream') {
    const ext = String(f.name || '').toLowerCase().split('.').pop();
    ct = BY_EXTENSION[ext] || ct;
  }
  return ct;
}

function checkFile(f) {
  const name = f.name || 'file';
  if (!f.size) return t('err_file_empty', { name });
  if (f.size > cfg.max_file_size) return t('err_file_too_large', { name, max: Math.round(cfg.max_file_size / 1048576) });
  if (!FILE_TYPES.includes(fileType(f))) return t('err_file_type', { name });
  return '';
}

/** sendFiles uploads each acceptable file as a message; the others are refused in a toast. */
export function sendFiles(files) {
  const errors = [];
  for (const f of files) {
    const problem = checkFile(f);
    if (problem) {
      errors.push(problem);
      continue;
    }
    const image = IMAGE_TYPES.includes(fileType(f));
    const rec = newRec({
      state: 'uploading', progress: 0, file: f, fileName: f.name || (image ? 'image.png' : 'file'), fileSize: f.size,
      preview: image ? URL.createObjectURL(f) : '',
    });
    S.byClient.set(rec.client_id, rec);
    draw(rec);
    place(rec);
    relayout();
    scrollToEnd(true);
    upload(rec);
  }
  toast(errors.join(' '));
}

export async function upload(rec, again) {
  rec.state = 'uploading';
  rec.progress = 0;
  draw(rec);
  await whenWelcomed();
  const form = new FormData();
  form.append('file', rec.file, rec.fileName);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', `/widget/uploads?channel=${encodeURIComponent(cfg.key)}`);
  xhr.setRequestHeader('Authorization', `Visitor ${S.token}`);
  xhr.setRequestHeader('Accept', 'application/json');
  xhr.setRequestHeader('Accept-Language', cfg.lang);
  let drawn = 0;
  xhr.upload.onprogress = (e) => {
    if (!e.lengthComputable) return;
    rec.progress = e.loaded / e.total;
    if (Date.now() - drawn > 100) {
      drawn = Date.now();
      draw(rec);
    }
  };
  xhr.onload = () => {
    let body = null;
    try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
    if (xhr.status === 201 && body && body.id) {
      rec.attachments = [body];
      rec.file = null;
      rec.state = 'pending';
      rec.sentAt = 0;
      S.outbox.push(rec);
      draw(rec);
      save();
      pump();
      return;
    }
    if (xhr.status === 401 && !again) {
      // The token went stale: a new session, then once more.
      S.token = null;
      storage.del('token');
      reconnectNow();
      upload(rec, true);
      return;
    }
    const err = body && body.error ? body.error : { code: 'internal' };
    rec.state = 'failed';
    rec.error = WORDED_HERE.includes(err.code) ? errorText(err, rec) : (err.message || errorText(err, rec));
    draw(rec);
  };
  xhr.onerror = () => {
    rec.state = 'failed';
    rec.error = t('err_upload');
    draw(rec);
  };
  xhr.send(form);
}
