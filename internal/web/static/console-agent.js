// The agent in the console: their own status (online, away, offline) in
// the inbox head, with a coloured dot and "auto away" when the server set
// them away because their console was disconnected; and Transfer, which
// gives the open conversation to a colleague who is online with a free
// slot, or puts it back in the queue for a team, with a note the receiver
// sees. Everyone's status arrives live ("agent_status" frames, heard
// through the "sb:frame" event), so the transfer dialog shows who can take
// a conversation now; what the server refuses (an agent who went offline
// or is full meanwhile) is said in the dialog.
import { t, el } from './console-util.js';
import { $, S } from './console-state.js';
import { api } from './console-api.js';
import { mergeConv } from './console-convs.js';
import { scheduleList } from './console-inbox.js';
import { renderThreadHead } from './console-actions.js';
import { renderDetails } from './console-visitor.js';

const STATUSES = ['online', 'away', 'offline'];

const A = {
  me: null, // my routing.Agent
  agents: new Map(), // user id → routing.Agent (as last heard)
  teams: [], // routing teams: team_id, name, members
  saving: false,
};

/**
 * fresher: next is not older than cur. A status read over HTTP may have
 * left the server before a live frame that overtook it; the later change
 * wins (an agent never set has no time and is the oldest).
 */
function fresher(next, cur) {
  if (!cur) return true;
  const at = (a) => (a.status_at ? Date.parse(a.status_at) || 0 : 0);
  return at(next) >= at(cur);
}

/** know records what was heard of an agent unless something newer is known. */
function know(a) {
  const cur = A.agents.get(a.user_id);
  if (!fresher(a, cur)) return false;
  A.agents.set(a.user_id, a);
  if (a.user_id === S.me && fresher(a, A.me)) A.me = a;
  return true;
}

// ------------------------------------------------------------------ my status

function renderMine() {
  const box = $('agent-status');
  const me = A.me;
  if (!box || !me) return;
  box.hidden = false;
  box.dataset.status = me.status;
  box.dataset.autoAway = me.auto_away ? 'true' : 'false';
  const sel = $('agent-status-select');
  sel.value = me.status;
  sel.title = t('console.agent.status_hint_' + me.status);
  const auto = $('agent-auto-away');
  auto.hidden = !(me.auto_away && me.status === 'away');
}

async function loadMine() {
  const res = await api('GET', '/api/v1/agents/me');
  if (!res.ok) return;
  if (fresher(res.data, A.me)) A.me = res.data;
  know(res.data);
  renderMine();
}

async function setMine(status) {
  if (!STATUSES.includes(status) || A.saving) return;
  const sel = $('agent-status-select');
  A.saving = true;
  sel.disabled = true;
  const res = await api('PUT', '/api/v1/agents/me/status', { status });
  A.saving = false;
  sel.disabled = false;
  if (!res.ok) {
    $('agent-status-error').textContent = res.error.message;
    renderMine();
    return;
  }
  $('agent-status-error').textContent = '';
  A.me = res.data;
  know(res.data);
  renderMine();
  sel.focus();
}

/** heard: an agent's status changed (a live frame). */
function heard(a) {
  if (!a || !a.user_id || !know(a)) return;
  renderMine();
  if ($('transfer-dialog')?.open) renderAgentOptions();
}

// ------------------------------------------------------------------ transfer

function renderTransferButton() {
  const btn = $('transfer-conv');
  if (!btn) return;
  const conv = S.convs.get(S.openId);
  btn.hidden = !conv || conv.status !== 'open';
}

const statusRank = { online: 0, away: 1, offline: 2 };

function agentLabel(a, conv) {
  const name = a.user_id === S.me ? t('console.name_you', { name: a.name }) : a.name;
  let s = t('console.agent.agent_option', { name, status: t('console.agent.status_' + a.status), active: a.active, capacity: a.effective_capacity });
  if (a.active >= a.effective_capacity) s += ' · ' + t('console.agent.full');
  if (conv && conv.assignee_id === a.user_id) s += ' · ' + t('console.agent.has_it');
  return s;
}

function renderAgentOptions() {
  const sel = $('transfer-agent');
  const conv = S.convs.get(S.openId);
  const chosen = sel.value;
  const list = [...A.agents.values()].sort((x, y) => (statusRank[x.status] ?? 3) - (statusRank[y.status] ?? 3) || x.name.localeCompare(y.name));
  const opts = [el('option', { value: '', text: list.length ? t('console.agent.choose_agent') : t('console.agent.no_agents') })];
  for (const a of list) {
    // Offline agents cannot take it, nor whoever has it already; the server
    // explains the other refusals (away, full) if one is chosen.
    const off = a.status === 'offline' || (conv && conv.assignee_id === a.user_id);
    opts.push(el('option', { value: a.user_id, disabled: off, dataset: { status: a.status }, text: agentLabel(a, conv) }));
  }
  sel.replaceChildren(...opts);
  const still = list.find((a) => a.user_id === chosen);
  sel.value = still && still.status !== 'offline' ? chosen : '';
}

function renderTeamOptions() {
  const sel = $('transfer-team');
  const chosen = sel.value;
  const opts = [el('option', { value: '', text: A.teams.length ? t('console.agent.choose_team') : t('console.agent.no_teams') })];
  for (const tm of A.teams) opts.push(el('option', { value: tm.team_id, text: tm.name }));
  sel.replaceChildren(...opts);
  sel.value = A.teams.some((tm) => tm.team_id === chosen) ? chosen : '';
}

function kind() {
  return document.querySelector('input[name="transfer-kind"]:checked')?.value === 'team' ? 'team' : 'agent';
}

function syncKind() {
  const k = kind();
  $('transfer-agent-field').hidden = k !== 'agent';
  $('transfer-team-field').hidden = k !== 'team';
}

function clearTransferError() {
  $('transfer-error').textContent = '';
  for (const id of ['transfer-agent', 'transfer-team', 'transfer-note']) $(id).removeAttribute('aria-invalid');
}

async function openTransfer() {
  const conv = S.convs.get(S.openId);
  const dlg = $('transfer-dialog');
  if (!conv || !dlg) return;
  dlg.dataset.conversationId = conv.id;
  clearTransferError();
  $('transfer-note').value = '';
  $('transfer-confirm').disabled = false;
  renderAgentOptions();
  renderTeamOptions();
  syncKind();
  if (typeof dlg.showModal === 'function') dlg.showModal(); else dlg.setAttribute('open', '');
  $(kind() === 'team' ? 'transfer-team' : 'transfer-agent').focus();
  // Fresh statuses and loads, and the teams, each time the dialog opens.
  const [agents, teams] = await Promise.all([api('GET', '/api/v1/agents'), api('GET', '/api/v1/routing/teams')]);
  if (agents.ok) {
    for (const a of agents.data.items || []) know(a);
    renderAgentOptions();
  }
  if (teams.ok) {
    A.teams = teams.data.items || [];
    renderTeamOptions();
  }
  if (!agents.ok || !teams.ok) $('transfer-error').textContent = (agents.ok ? teams : agents).error.message;
}

function closeTransfer() {
  const dlg = $('transfer-dialog');
  if (typeof dlg.close === 'function' && dlg.open) dlg.close(); else dlg.removeAttribute('open');
  $('transfer-conv')?.focus();
}

async function submitTransfer(ev) {
  ev.preventDefault();
  const dlg = $('transfer-dialog');
  const id = dlg.dataset.conversationId;
  clearTransferError();
  const k = kind();
  const sel = $(k === 'team' ? 'transfer-team' : 'transfer-agent');
  if (!sel.value) {
    $('transfer-error').textContent = t('console.agent.need_target');
    sel.setAttribute('aria-invalid', 'true');
    sel.focus();
    return;
  }
  const body = { note: $('transfer-note').value.trim() };
  if (k === 'team') body.team_id = sel.value; else body.agent_id = sel.value;
  const btn = $('transfer-confirm');
  btn.disabled = true;
  const res = await api('POST', `/api/v1/conversations/${encodeURIComponent(id)}/transfer`, body);
  btn.disabled = false;
  if (!res.ok) {
    $('transfer-error').textContent = res.error.message;
    const field = res.error.field === 'note' ? $('transfer-note') : res.error.field ? sel : null;
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
    // Someone's status or load changed meanwhile: show the dialog as it is now.
    if (['agent_offline', 'agent_away', 'agent_at_capacity'].includes(res.error.code)) {
      const again = await api('GET', '/api/v1/agents');
      if (again.ok) {
        for (const a of again.data.items || []) know(a);
        renderAgentOptions();
        sel.value = body.agent_id || '';
      }
    }
    return;
  }
  mergeConv(res.data);
  if (res.data.id === S.openId) {
    renderThreadHead();
    renderDetails();
  }
  scheduleList();
  closeTransfer();
  renderTransferButton();
}

export function wireAgentStatus() {
  const sel = $('agent-status-select');
  if (sel) sel.addEventListener('change', () => setMine(sel.value));
  const btn = $('transfer-conv');
  if (btn) btn.addEventListener('click', openTransfer);
  const dlg = $('transfer-dialog');
  if (dlg) {
    $('transfer-form').addEventListener('submit', submitTransfer);
    $('transfer-cancel').addEventListener('click', closeTransfer);
    for (const r of document.querySelectorAll('input[name="transfer-kind"]')) r.addEventListener('change', () => { clearTransferError(); syncKind(); });
  }
  document.addEventListener('sb:open', renderTransferButton);
  document.addEventListener('sb:frame', (ev) => {
    const { type, data } = ev.detail || {};
    if (type === 'agent_status') heard(data);
    else if (type === 'welcome') loadMine(); // after a reconnect, the server may have set me online again
    else if (type === 'conversation' && data && data.id === S.openId) renderTransferButton();
  });
  loadMine();
}
