// The pre-chat form: a name and an e-mail asked before a first conversation
// when the channel wants them (and the site has not told them already).
import { cfg, t, S, E } from './frame-state.js';
import { storage } from './frame-storage.js';
import { connect, reconnectNow } from './frame-connection.js';

export function needPrechat() {
  const pc = cfg.prechat || {};
  if (!pc.enabled || S.profile.done) return false;
  const h = S.host || {};
  if (h.name && (h.email || !pc.require_email)) return false;
  return !S.conv && S.msgs.size === 0 && S.outbox.length === 0;
}

/** updatePrechat shows the form or the composer. */
export function updatePrechat() {
  const need = needPrechat();
  E.prechat.hidden = !need;
  E.composer.hidden = need;
}

const EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function initPrechat() {
  E.prechat.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = E.prechatName.value.trim();
    const email = E.prechatEmail.value.trim();
    E.prechatEmail.removeAttribute('aria-invalid');
    let problem = '';
    if (!email && cfg.prechat && cfg.prechat.require_email) problem = t('prechat_email_required');
    else if (email && !EMAIL_RE.test(email)) problem = t('prechat_email_invalid');
    E.prechatError.textContent = problem;
    if (problem) {
      E.prechatEmail.setAttribute('aria-invalid', 'true');
      E.prechatEmail.focus();
      return;
    }
    S.profile = { name, email, done: true };
    storage.set('profile', S.profile);
    updatePrechat();
    // The name and e-mail travel in hello: a session already open starts again.
    if (S.ws) reconnectNow(); else connect();
    E.input.focus();
  });
}
