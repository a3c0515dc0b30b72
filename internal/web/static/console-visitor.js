// The visitor panel beside the thread: who the visitor is (name, e-mail,
// phone, verified identity), where they are (page, referrer, browser,
// language), and the conversation's facts, including whether the visitor
// has seen the last reply.
import { t, el, safeHref, fullTime, browserOf, languageName } from './console-util.js';
import { $, S } from './console-state.js';
import { displayName, assigneeName, channelLabel } from './console-convs.js';
import { lastOutgoing } from './console-thread.js';

function fact(id, value, opt) {
  const dd = $(id);
  if (opt) {
    dd.hidden = !value;
    $('dt-' + id.slice(2)).hidden = !value;
  }
  if (value instanceof Node) dd.replaceChildren(value);
  else dd.textContent = value || '—';
}

export function renderDetails() {
  const conv = S.convs.get(S.openId);
  if (!conv) return;
  $('details-inner').hidden = false;
  const ct = S.contacts.get(conv.contact_id);
  const v = conv.visitor || {};
  fact('d-name', displayName(conv));
  fact('d-email', ct && ct.emails && ct.emails.length ? ct.emails.join(', ') : '');
  fact('d-phone', ct && ct.phones && ct.phones.length ? ct.phones.join(', ') : '', true);
  const site = ct && (ct.external_ids || []).find((x) => x.source === 'site');
  fact('d-identity', site ? t('console.identity_verified', { id: site.id }) : '', true);
  const href = v.page_url && safeHref(v.page_url);
  if (href) {
    const frag = el('span', { class: 'page' },
      el('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow', title: v.page_url, text: v.page_title || v.page_url }));
    if (v.page_title) frag.append(el('small', { text: v.page_url }));
    fact('d-page', frag);
  } else fact('d-page', v.page_url || '');
  fact('d-referrer', v.referrer || '', true);
  fact('d-browser', browserOf(v.user_agent) || '');
  fact('d-language', languageName(v.language) || '');
  fact('d-status', t('console.status_' + conv.status));
  fact('d-assignee', assigneeName(conv) || t('console.unassigned'));
  fact('d-channel', [channelLabel(conv), v.origin].filter(Boolean).join(' · '));
  fact('d-started', fullTime(new Date(conv.created_at)));
  renderReadFact();
}

export function renderReadFact() {
  const conv = S.convs.get(S.openId);
  if (!conv) return;
  const last = lastOutgoing();
  let s = '';
  if (last) s = (conv.contact_read_seq || 0) >= Number(last.dataset.seq) ? t('console.seen_by_visitor') : t('console.not_seen');
  fact('d-read', s);
}

export function wireVisitor() {
  $('details-toggle').addEventListener('click', () => {
    const on = !$('console').classList.contains('show-details');
    $('console').classList.toggle('show-details', on);
    $('details-toggle').setAttribute('aria-expanded', on ? 'true' : 'false');
  });
}
