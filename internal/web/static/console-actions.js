// The open conversation's head and what an agent does to it: who it is
// with, its status and assignee, assigning it (to oneself or anyone),
// closing and reopening it.
import { t, el, initials, hue, toast } from './console-util.js';
import { $, S } from './console-state.js';
import { api } from './console-api.js';
import { mergeConv, contactName, displayName, assigneeName, channelLabel } from './console-convs.js';
import { scheduleList } from './console-inbox.js';
import { renderDetails } from './console-visitor.js';
import { ownerBadges, ownerOf } from './console-bot.js';
import { openCloseDialog } from './console-workspace.js';

export function renderThreadHead() {
  const conv = S.convs.get(S.openId);
  if (!conv) return;
  const name = displayName(conv);
  $('thread-title').textContent = name;
  const av = $('thread-avatar');
  av.textContent = contactName(conv) ? initials(contactName(conv)) : '';
  av.className = 'avatar ' + hue(conv.contact_id) + (contactName(conv) ? '' : ' anon');
  const st = $('thread-status');
  st.textContent = t('console.status_' + conv.status);
  st.className = 'badge status-' + conv.status;
  const badges = $('thread-badges');
  const sig = [ownerOf(conv), conv.handoff_reason || '', conv.priority || 0, conv.left_message ? 1 : 0].join('|');
  if (badges.dataset.sig !== sig) {
    badges.dataset.sig = sig;
    badges.replaceChildren(...ownerBadges(conv));
  }
  const an = assigneeName(conv);
  $('thread-sub').textContent = [channelLabel(conv), an ? t('console.assigned_to', { name: an }) : t('console.unassigned')].join(' · ');
  const closed = conv.status === 'closed';
  $('close-conv').hidden = closed;
  $('reopen-conv').hidden = !closed;
  $('closed-note').hidden = !closed;
  $('assign-me').hidden = !S.me || conv.assignee_id === S.me;
  renderAssignOptions();
  $('assign-select').value = conv.assignee_id || '';
  $('composer').classList.toggle('closed', closed);
}

export function renderAssignOptions() {
  const sel = $('assign-select');
  const conv = S.convs.get(S.openId);
  const current = conv?.assignee_id || '';
  const users = [...S.users.values()].filter((u) => !u.disabled || u.id === current).sort((a, b) => a.name.localeCompare(b.name));
  // Rebuild only when the choice changed: an open drop-down stays open.
  const sig = current + '|' + users.map((u) => u.id + ':' + u.name).join(',');
  if (sel.dataset.sig === sig) {
    sel.value = current;
    return;
  }
  sel.dataset.sig = sig;
  const opts = [el('option', { value: '', text: t('console.unassigned') })];
  for (const u of users) opts.push(el('option', { value: u.id, text: u.id === S.me ? t('console.name_you', { name: u.name }) : u.name }));
  if (current && !S.users.has(current)) opts.push(el('option', { value: current, text: assigneeName(conv) }));
  sel.replaceChildren(...opts);
  sel.value = current;
}

async function assign(userId) {
  const conv = S.convs.get(S.openId);
  if (!conv) return;
  const res = await api('POST', `/api/v1/conversations/${encodeURIComponent(conv.id)}/assign`, { assignee_id: userId || null, team_id: conv.team_id || null });
  if (!res.ok) {
    toast(res.error.message);
    renderThreadHead();
    return;
  }
  mergeConv(res.data);
  renderThreadHead();
  renderDetails();
  scheduleList();
}

async function setStatus(action) {
  const conv = S.convs.get(S.openId);
  if (!conv) return;
  const btn = $(action === 'close' ? 'close-conv' : 'reopen-conv');
  btn.disabled = true;
  const res = await api('POST', `/api/v1/conversations/${encodeURIComponent(conv.id)}/${action}`);
  btn.disabled = false;
  if (!res.ok) {
    toast(res.error.message);
    return;
  }
  mergeConv(res.data);
  renderThreadHead();
  renderDetails();
  scheduleList();
}

export function wireActions() {
  $('assign-me').addEventListener('click', () => assign(S.me));
  $('assign-select').addEventListener('change', (ev) => assign(ev.target.value));
  // Closing asks for the close summary first (console-workspace.js).
  $('close-conv').addEventListener('click', () => openCloseDialog());
  $('reopen-conv').addEventListener('click', () => setStatus('reopen'));
}
