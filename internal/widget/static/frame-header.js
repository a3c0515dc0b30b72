// What the frame shows around the conversation: the channel's name, colour
// and greeting, the subtitle with the assigned agent, the connection banner,
// and the error toast.
import { cfg, t, S, E } from './frame-state.js';
import { fillText } from './frame-render.js';

/** onColor is the text colour that reads best on the channel's colour. */
export function onColor(hex) {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || '');
  if (!m) return '#ffffff';
  const [r, g, b] = m.slice(1).map((x) => {
    const c = parseInt(x, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  // Whichever of white and near-black contrasts more with the colour.
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 ? '#111827' : '#ffffff';
}

function drawAvatar() {
  E.avatar.textContent = Array.from((S.assignee || cfg.name || '?').trim())[0] || '?';
}

/** applyChannel shows the channel's settings (from the page, then from welcome). */
export function applyChannel(ch) {
  if (!ch) return;
  if (ch.name) {
    cfg.name = ch.name;
    E.title.textContent = ch.name;
    document.title = ch.name;
  }
  if (typeof ch.greeting === 'string') cfg.greeting = ch.greeting;
  if (ch.color) cfg.color = ch.color;
  if (ch.prechat) cfg.prechat = ch.prechat;
  E.greetingText.textContent = '';
  fillText(E.greetingText, cfg.greeting || '');
  E.greeting.hidden = !cfg.greeting;
  const root = document.documentElement.style;
  root.setProperty('--sb-accent', cfg.color || '#1f6feb');
  root.setProperty('--sb-on-accent', onColor(cfg.color));
  drawAvatar();
  E.emailOptional.hidden = !!(cfg.prechat && cfg.prechat.require_email);
}

export function updateSubtitle() {
  E.subtitle.textContent = S.assignee ? t('subtitle_assigned', { name: S.assignee }) : t('subtitle');
  drawAvatar();
  E.app.dataset.online = S.welcomed ? 'true' : 'false';
}

let bannerTimer = 0;
/** updateBanner says why the chat is not connected, if it is not. */
export function updateBanner() {
  clearTimeout(bannerTimer);
  let text = '';
  let retry = false;
  if (S.fatal) {
    text = S.fatal;
  } else if (S.want && !S.welcomed && !S.parked) {
    if (!navigator.onLine) text = t('offline');
    else if (S.attempt > 0) { text = t('reconnecting'); retry = true; }
    else {
      bannerTimer = setTimeout(() => {
        if (S.want && !S.welcomed && !S.fatal) showBanner(t('connecting'), false);
      }, 1500);
    }
  }
  showBanner(text, retry);
}

function showBanner(text, retry) {
  E.bannerText.textContent = text;
  E.banner.hidden = !text;
  E.banner.dataset.kind = S.fatal ? 'error' : 'info';
  E.bannerRetry.hidden = !retry;
}

let toastTimer = 0;
/** toast shows an error for a while; an empty text hides it. */
export function toast(text) {
  E.toast.textContent = text;
  E.toast.hidden = !text;
  clearTimeout(toastTimer);
  if (text) toastTimer = setTimeout(() => { E.toast.hidden = true; }, 7000);
}
