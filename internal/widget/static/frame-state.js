// Shared by the frame's modules: the configuration and strings the page
// carries, a helper that builds elements with text only, the page's
// elements, the chat's state, and the line to the loader on the host page.

export const cfg = JSON.parse(document.getElementById('sb-config').textContent);
const M = cfg.messages || {};
export const t = (k, args) => (M[k] || k).replace(/\{(\w+)\}/g, (m, n) => (args && n in args ? String(args[n]) : m));
const $ = (id) => document.getElementById(id);
export const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

export const embedded = window.parent !== window;
export const S = {
  host: null, // page, origin and identity, from the loader
  parentOrigin: null,
  open: !embedded,
  token: null,
  contact: null,
  user: '',
  conv: null,
  status: null,
  assignee: '',
  maxSeq: 0,
  syncAfter: -1, // a sync is under way from this seq
  syncUntil: 0,
  agentRead: 0,
  seen: 0,
  readSent: 0,
  msgs: new Map(), // seq → record, of the current conversation
  byClient: new Map(), // client_id → record
  outbox: [], // records not acknowledged yet, in order
  profile: {},
  ws: null,
  welcomed: false,
  want: false, // the widget means to be connected
  fatal: null,
  attempt: 0,
  reconnectTimer: 0,
  heartbeat: 0,
  lastFrameAt: 0,
  lastPingAt: 0,
  byeNow: false,
  parked: false,
  waiters: [],
  typingSentAt: 0,
  typingTimer: 0,
  agentTypingTimer: 0,
  started: false,
};

export const E = {
  app: $('sb-app'), title: $('sb-title'), avatar: $('sb-avatar'), subtitle: $('sb-subtitle-text'), close: $('sb-close'),
  banner: $('sb-banner'), bannerText: $('sb-banner-text'), bannerRetry: $('sb-banner-retry'),
  scroll: $('sb-scroll'), thread: $('sb-thread'), greeting: $('sb-greeting'), greetingText: $('sb-greeting-text'),
  earlier: $('sb-earlier'), history: $('sb-history'), outbox: $('sb-outbox'), closed: $('sb-closed'),
  typing: $('sb-typing'), typingText: $('sb-typing-text'), toast: $('sb-toast'),
  prechat: $('sb-prechat'), prechatName: $('sb-prechat-name'), prechatEmail: $('sb-prechat-email'),
  prechatError: $('sb-prechat-error'), emailOptional: $('sb-email-optional'),
  composer: $('sb-composer'), input: $('sb-input'), send: $('sb-send'), emoji: $('sb-emoji'),
  emojiPanel: $('sb-emoji-panel'), attach: $('sb-attach'), file: $('sb-file'), drop: $('sb-drop'),
};

/** visibleNow: the visitor can see the chat. */
export function visibleNow() {
  return S.open && document.visibilityState === 'visible';
}

/** postParent tells the loader something, once it has introduced itself. */
export function postParent(msg) {
  if (!embedded || !S.parentOrigin) return;
  msg.sb = 1;
  window.parent.postMessage(msg, S.parentOrigin);
}
