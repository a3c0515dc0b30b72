// Where the frame keeps the visitor's token, conversation, unsent messages
// and pre-chat answers, and the saving of the conversation there.
//
// The frame keeps its data in its own localStorage. Where the browser
// refuses storage to a frame of another site (third-party storage
// blocked), the loader keeps it in the host page's localStorage instead:
// it hands it over with init and stores what the frame sends back.
import { cfg, S, postParent } from './frame-state.js';

const KEEP_MESSAGES = 300;
const MAX_CACHE = 200 * 1024; // characters of cached conversation
const FIELDS = ['token', 'session', 'outbox', 'profile', 'rated'];

export const storage = (() => {
  let ls = null;
  try {
    ls = window.localStorage;
    ls.setItem('sb:probe', '1');
    ls.removeItem('sb:probe');
  } catch (e) {
    ls = null;
  }
  const mem = new Map();
  let host = false;
  const K = (f) => `sb:${cfg.key}:${f}`;
  return {
    useHost(snapshot) {
      if (ls || !snapshot || typeof snapshot !== 'object') return;
      host = true;
      for (const f of FIELDS) if (typeof snapshot[f] === 'string') mem.set(f, snapshot[f]);
    },
    get(f) {
      try {
        const v = ls ? ls.getItem(K(f)) : mem.get(f);
        return v == null ? null : JSON.parse(v);
      } catch (e) {
        return null;
      }
    },
    set(f, v) {
      const s = JSON.stringify(v);
      if (ls) {
        try {
          ls.setItem(K(f), s);
          return;
        } catch (e) { /* over quota: keep it for this page */ }
      }
      mem.set(f, s);
      if (host) postParent({ type: 'store', field: f, value: s });
    },
    del(f) {
      if (ls) {
        try { ls.removeItem(K(f)); } catch (e) { /* ignore */ }
      }
      mem.delete(f);
      if (host) postParent({ type: 'store', field: f, value: null });
    },
  };
})();

const fields = (r) => ({
  seq: r.seq || 0, id: r.id || '', client_id: r.client_id || '', sender_type: r.sender_type, sender_name: r.sender_name || '',
  body: r.body || '', attachments: r.attachments || [], created_at: r.created_at || '', state: r.state, error: r.error || '',
  meta: r.meta || null,
});

let saveTimer = 0;
/** save stores the conversation soon (changes come in bursts). */
export function save() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveNow, 150);
}

export function saveNow() {
  clearTimeout(saveTimer);
  // The newest messages only, within a size: the host page's storage may be
  // the one holding them. Older ones come back with "Show earlier messages".
  let msgs = [...S.msgs.values()].sort((a, b) => a.seq - b.seq).slice(-KEEP_MESSAGES).map(fields);
  while (msgs.length > 10 && JSON.stringify(msgs).length > MAX_CACHE) msgs = msgs.slice(Math.ceil(msgs.length / 4));
  storage.set('session', {
    v: 1, user: S.user, contact: S.contact, conv: S.conv, status: S.status, assignee: S.assignee, agent_read: S.agentRead,
    seen: S.seen, max_seq: S.maxSeq, sync_after: S.syncAfter, msgs,
  });
  storage.set('outbox', S.outbox.filter((r) => r.state !== 'uploading').map(fields));
}

/** wipe forgets everything stored about the visitor. */
export function wipe() {
  storage.del('token');
  storage.del('session');
  storage.del('outbox');
  storage.del('profile');
  storage.del('rated');
  S.token = null;
  S.profile = {};
}
