// Shared by the console's modules: the page's configuration, the console's
// state (conversations, contacts, users, the open conversation, pending
// messages, drafts), and the threads of the conversations opened so far.

export const $ = (id) => document.getElementById(id);
export const cfg = JSON.parse($('sb-console')?.textContent || '{}');
export const TABS = ['unassigned', 'mine', 'open'];

export const S = {
  me: cfg.user_id || '',
  tab: TABS.includes(localStorage.getItem('sb.console.tab')) ? localStorage.getItem('sb.console.tab') : 'unassigned',
  owner: localStorage.getItem('sb.console.owner') || '', // '' (all), bot, queue or agent
  convs: new Map(), // id → conversation, with contact_name and assignee_name when a live frame told them
  contacts: new Map(), // id → contact
  contactLoads: new Map(), // id → promise
  convLoads: new Map(), // id → promise
  users: new Map(), // id → user
  threads: new Map(), // conversation id → Thread (conversations opened in this page)
  pending: new Map(), // client_id → message this console sent and the server has not acknowledged
  drafts: new Map(), // conversation id → { text, note, uploads }
  cursors: {}, // tab → next_cursor ('' when all are loaded; absent when not loaded yet)
  loading: {}, // tab → a first page or more is being fetched
  counts: { unassigned: 0, mine: 0, open: 0 },
  typing: new Map(), // conversation id → Map(key → { name, senderType, until })
  readSent: new Map(), // conversation id → the seq this console last reported as read
  notified: new Map(), // conversation id → the last seq a notification was shown for
  openId: null,
  note: false,
  uploads: [],
  typingOn: false,
  typingConv: null,
  typingSentAt: 0,
  typingTimer: null,
  welcomed: false,
  stick: true,
  sound: localStorage.getItem('sb.console.sound') !== 'off',
  live: null, // the live connection (console-live.js), from the start
};

/** A conversation's messages, kept by seq. */
class Thread {
  constructor(id) {
    this.id = id;
    this.msgs = new Map(); // seq → message
    this.contiguous = 0; // every seq up to this one is here
    this.max = 0;
    this.loaded = false;
    this.loading = null;
    this.syncAt = 0;
    this.gapTimer = null;
  }
}

/** threadOf is the conversation's thread, new if it had none. */
export function threadOf(id) {
  let th = S.threads.get(id);
  if (!th) {
    th = new Thread(id);
    S.threads.set(id, th);
  }
  return th;
}
