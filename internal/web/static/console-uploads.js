// Files for the next message: pasted images (named after the time, as
// screenshots), the file button, and files dropped on the thread, each
// uploaded at once and listed under the composer until sent or removed.
import { t, el, icon, randomID, size } from './console-util.js';
import { $, S } from './console-state.js';
import { api } from './console-api.js';

const MAX_UPLOAD = 10 << 20;

function addFiles(list) {
  const id = S.openId;
  if (!id) return;
  for (const file of list) {
    let name = file.name || 'image.png';
    if (/^image\.(png|jpe?g|gif|webp)$/i.test(name)) {
      const d = new Date();
      const pad = (n) => String(n).padStart(2, '0');
      name = `screenshot-${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}.${name.split('.').pop()}`;
    }
    const u = { key: randomID(), name, size: file.size, state: 'uploading', preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : null };
    S.uploads.push(u);
    if (file.size > MAX_UPLOAD) {
      u.state = 'error';
      u.error = t('console.file_too_large', { max: MAX_UPLOAD >> 20 });
      continue;
    }
    const fd = new FormData();
    fd.append('file', file, name);
    api('POST', `/api/v1/conversations/${encodeURIComponent(id)}/uploads`, fd).then((res) => {
      if (res.ok) {
        u.state = 'done';
        u.att = res.data;
      } else {
        u.state = 'error';
        u.error = res.error.message;
      }
      renderUploads();
    });
  }
  renderUploads();
}

export function renderUploads() {
  const ul = $('uploads');
  ul.hidden = S.uploads.length === 0;
  ul.replaceChildren(...S.uploads.map((u) => el('li', { class: 'upload ' + u.state, 'data-testid': 'upload', 'data-state': u.state },
    u.preview ? el('img', { src: u.preview, alt: '' }) : icon('file'),
    el('span', { class: 'upload-text' },
      el('span', { class: 'file-name', text: u.name }),
      el('small', { text: u.state === 'uploading' ? t('console.uploading') : u.state === 'error' ? u.error : size(u.size) })),
    el('button', { type: 'button', class: 'icon-btn small', 'aria-label': t('console.remove_file', { name: u.name }), title: t('console.remove_file', { name: u.name }),
      onclick: () => {
        if (u.preview) URL.revokeObjectURL(u.preview);
        S.uploads = S.uploads.filter((x) => x !== u);
        renderUploads();
      } }, icon('x')))));
}

export function wireUploads() {
  $('composer-input').addEventListener('paste', (ev) => {
    const files = [...(ev.clipboardData?.items || [])].filter((i) => i.kind === 'file').map((i) => i.getAsFile()).filter(Boolean);
    if (files.length) {
      ev.preventDefault();
      addFiles(files);
    }
  });
  $('file-button').addEventListener('click', () => $('file-input').click());
  $('file-input').addEventListener('change', (ev) => {
    addFiles([...ev.target.files]);
    ev.target.value = '';
  });
  const thread = $('thread-main');
  thread.addEventListener('dragover', (ev) => {
    if ([...(ev.dataTransfer?.types || [])].includes('Files')) {
      ev.preventDefault();
      thread.classList.add('dropping');
    }
  });
  thread.addEventListener('dragleave', (ev) => { if (!thread.contains(ev.relatedTarget)) thread.classList.remove('dropping'); });
  thread.addEventListener('drop', (ev) => {
    thread.classList.remove('dropping');
    if (ev.dataTransfer?.files?.length) {
      ev.preventDefault();
      addFiles([...ev.dataTransfer.files]);
    }
  });
}
