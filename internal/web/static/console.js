// The agent console: a live inbox (Unassigned / Mine / All open), the
// conversation with its full history and live messages, the composer
// (replies, internal notes, files), and the visitor's details.
//
// Data comes from the REST API at first and after every reconnect; the live
// connection (/ws/agent) then carries every change of the tenant. Messages
// are kept per conversation by seq: shown in seq order, each seq once, and a
// gap is filled with "sync". A message this console sends stays "pending"
// until its ack, and is sent again with the same client_id after a
// reconnect, which the server stores once.
//
// Everything from the network is inserted as text (textContent): a message,
// a name or a file name that looks like HTML shows as what it is. The one
// exception, a bot answer's sanitised HTML, is parsed into an inert document
// and rebuilt from an allow-list of elements (console-rich.js).
//
// The bot takes part too (console-bot.js): the inbox shows who owns each
// conversation, why the bot handed it over and which customers are unhappy;
// a side panel shows the bot's decisions and searches the knowledge base.
//
// This module starts the console: it wires the page and opens the live
// connection. The rest is in the console-*.js modules, one concern each.
// Every module is imported here, even those this one does not call, so that
// the browser fetches them all at once.
import './console-util.js';
import { $, S } from './console-state.js';
import { Live } from './console-live.js';
import { loadUsers } from './console-api.js';
import './console-convs.js';
import { scheduleList, renderCounts, selectTab, wireInbox } from './console-inbox.js';
import './console-message.js';
import { routeFromHash, markRead, wireThread, wireScrolling } from './console-thread.js';
import { setNote, transmit, wireComposer } from './console-composer.js';
import { wireUploads } from './console-uploads.js';
import { renderTyping } from './console-typing.js';
import { wireActions } from './console-actions.js';
import { wireVisitor } from './console-visitor.js';
import { renderNotifyState, wireNotify } from './console-notify.js';
import { onFrame } from './console-frames.js';
import { onState, renderBanner, onFailures, wireConnection } from './console-connection.js';
import './console-rich.js';
import { wireBot } from './console-bot.js';
import { wireAgentStatus } from './console-agent.js';
import './console-picker.js';
import { wireQuickReplies } from './console-quickreply.js';
import { wireWorkspace } from './console-workspace.js';
import { wireCustomer } from './console-customer.js';
import { wireMentions } from './console-mentions.js';

function wire() {
  wireInbox();
  wireThread();
  wireComposer();
  wireUploads();
  wireScrolling();
  wireActions();
  wireVisitor();
  wireConnection();
  wireNotify();
  wireBot();
  wireAgentStatus();
  wireQuickReplies();
  wireWorkspace();
  wireCustomer();
  wireMentions();

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) markRead();
  });
  window.addEventListener('focus', markRead);

  setInterval(() => {
    // Typing indicators expire; pending messages unanswered for 15 s are sent again.
    if (S.openId) renderTyping();
    const now = Date.now();
    for (const p of S.pending.values()) if (p.state === 'sending' && S.live.ready && now - p.sentAt > 15000) transmit(p);
    if ($('console').dataset.conn === 'waiting') renderBanner();
  }, 1000);
  setInterval(scheduleList, 60_000);
}

function start() {
  wire();
  renderCounts();
  renderNotifyState();
  setNote(false);
  S.live = new Live({
    hello: () => {
      const th = S.openId && S.threads.get(S.openId);
      return { subscriptions: th && th.loaded ? [{ conversation_id: th.id, after_seq: th.contiguous }] : [] };
    },
    onFrame,
    onState,
    onFailures,
  });
  selectTab(S.tab);
  loadUsers();
  S.live.start();
  routeFromHash();
}

start();
