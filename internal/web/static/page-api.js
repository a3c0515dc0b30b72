// Shared by the pages that have a script of their own: REST calls with the
// session's CSRF token, and the page's texts. The texts come from the page
// itself, in the reader's language: the messages every page carries
// (#sb-messages) and the page's own hidden block of [data-k] elements.

const common = JSON.parse(document.getElementById('sb-messages')?.textContent || '{}');
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';

/** fill replaces each {name} in s with args.name; other braces stay. */
function fill(s, args) {
  if (!args) return s;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in args ? String(args[k]) : m));
}

/**
 * strings returns the page's t(key, args): the text of the element with
 * data-k="key" inside #blockID, else the common message, else the key,
 * with its {name} placeholders filled from args.
 */
export function strings(blockID) {
  const text = {};
  for (const s of document.querySelectorAll(`#${blockID} [data-k]`)) text[s.dataset.k] = s.textContent;
  return (key, args) => fill(text[key] ?? common[key] ?? key, args);
}

/**
 * call sends a request to the API (body: a value sent as JSON, or
 * FormData) and resolves to { ok: true, status, data } or
 * { ok: false, status, error } (status 0 when the network failed); it never
 * throws.
 */
export async function call(method, url, body) {
  const headers = { Accept: 'application/json' };
  if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    return { ok: false, status: 0, error: { code: 'network', message: common['err.network'] || 'err.network' } };
  }
  let data = null;
  if (res.status !== 204) {
    try { data = await res.json(); } catch { data = null; }
  }
  if (!res.ok) return { ok: false, status: res.status, error: (data && data.error) || { code: 'internal', message: common['err.internal'] || 'err.internal' } };
  return { ok: true, status: res.status, data };
}
