// The console's REST calls: one helper for the API (CSRF token, JSON, a
// signed-out reader sent to sign in), and the loading of users,
// conversations and contacts, contacts of a list a few at a time.
import { t } from './console-util.js';
import { S } from './console-state.js';
import { mergeConv } from './console-convs.js';
import { scheduleList } from './console-inbox.js';
import { refreshAuthors } from './console-thread.js';
import { renderThreadHead, renderAssignOptions } from './console-actions.js';
import { renderDetails } from './console-visitor.js';

const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';

/** api calls the REST API: { ok, status, data } or { ok: false, status, error }. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    return { ok: false, status: 0, error: { code: 'network', message: t('err.network') } };
  }
  let data = null;
  if (res.status !== 204) {
    try { data = await res.json(); } catch { data = null; }
  }
  if (!res.ok) {
    const error = (data && data.error) || { code: 'internal', message: t('err.internal') };
    if (res.status === 401) location.assign('/login?next=' + encodeURIComponent('/console' + location.hash));
    else if (error.code === 'password_change_required') location.assign('/password?next=/console');
    return { ok: false, status: res.status, error };
  }
  return { ok: true, status: res.status, data };
}

export async function loadUsers() {
  let cursor = '';
  for (let i = 0; i < 20; i++) {
    const res = await api('GET', '/api/v1/users?limit=200' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    if (!res.ok) return;
    for (const u of res.data.items || []) S.users.set(u.id, u);
    cursor = res.data.next_cursor || '';
    if (!cursor) break;
  }
  renderAssignOptions();
  scheduleList();
  if (S.openId) renderThreadHead();
}

export function fetchConv(id) {
  if (S.convLoads.has(id)) return S.convLoads.get(id);
  const p = api('GET', '/api/v1/conversations/' + encodeURIComponent(id)).then((res) => {
    S.convLoads.delete(id);
    if (!res.ok) return null;
    const c = mergeConv(res.data);
    ensureContact(c.contact_id);
    scheduleList();
    return c;
  });
  S.convLoads.set(id, p);
  return p;
}

/** ensureContact loads a contact unless known (or again, when fresh). */
export function ensureContact(id, fresh) {
  if (!id || (!fresh && S.contacts.has(id))) return Promise.resolve(S.contacts.get(id));
  if (S.contactLoads.has(id)) return S.contactLoads.get(id);
  const p = api('GET', '/api/v1/contacts/' + encodeURIComponent(id)).then((res) => {
    S.contactLoads.delete(id);
    if (res.ok) S.contacts.set(id, res.data);
    scheduleList();
    const open = S.convs.get(S.openId);
    if (open && open.contact_id === id) {
      renderThreadHead();
      renderDetails();
      refreshAuthors();
    }
    return res.ok ? res.data : null;
  });
  S.contactLoads.set(id, p);
  return p;
}

// Contacts of a list are fetched a few at a time.
const contactQueue = [];
let contactWorkers = 0;
export function queueContact(id) {
  if (!id || S.contacts.has(id) || S.contactLoads.has(id) || contactQueue.includes(id)) return;
  contactQueue.push(id);
  while (contactWorkers < 4 && contactQueue.length) {
    contactWorkers++;
    (async () => {
      while (contactQueue.length) await ensureContact(contactQueue.shift());
      contactWorkers--;
    })();
  }
}
