// Switchboard chat widget loader. A site adds one line:
//
//   <script src="https://HOST/widget.js" data-channel="KEY" async></script>
//
// and may add data-user-id + data-user-hash (hex HMAC-SHA256 of the user id
// with the channel's identity secret), data-name, data-email, data-lang.
//
// The loader only makes a launcher button and the chat iframe; the chat
// itself runs inside the frame, on the widget's own origin. It adds no
// <style> element, no style attribute in markup and no inline script: every
// style is set through the CSSOM, so that the widget works under a strict
// Content-Security-Policy (the site only needs script-src and frame-src for
// the widget's host). Loader and frame talk with postMessage, each checking
// the other's origin and window.
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || !script.getAttribute('data-channel')) {
    script = null;
    var list = document.querySelectorAll('script[data-channel][src]');
    for (var i = 0; i < list.length; i++) {
      if (/\/widget\.js(?:[?#]|$)/.test(list[i].src)) { script = list[i]; break; }
    }
  }
  if (!script) return;
  var key = script.getAttribute('data-channel') || '';
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(key)) {
    if (window.console) console.warn('Switchboard: data-channel is missing or malformed on the widget script.');
    return;
  }
  var registry = (window.__switchboardWidgets = window.__switchboardWidgets || {});
  if (registry[key]) return; // the snippet was pasted twice
  registry[key] = true;

  var origin = new URL(script.src, location.href).origin;
  var attr = function (name) { var v = script.getAttribute(name); return v ? String(v).slice(0, 500) : ''; };
  var identity = {
    user_id: attr('data-user-id'), user_hash: attr('data-user-hash'),
    name: attr('data-name'), email: attr('data-email'), lang: attr('data-lang')
  };

  var Z = 2147483000;
  var PHONE = '(max-width: 480px)';
  var SVG = 'http://www.w3.org/2000/svg';

  var state = {
    ready: false, open: false, unread: 0, color: '#1f6feb', onColor: '#ffffff', position: 'right',
    width: 380, height: 640, labels: { open: 'Chat', close: 'Close', title: 'Chat', unread: '{count}' },
    wantOpen: false, rootOverflow: null
  };

  function css(el, props) { for (var k in props) el.style[k] = props[k]; return el; }

  function icon(paths) {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    css(svg, { width: '28px', height: '28px', display: 'block', transition: 'transform .2s ease, opacity .2s ease' });
    paths.forEach(function (p) {
      var path = document.createElementNS(SVG, 'path');
      for (var a in p) path.setAttribute(a, p[a]);
      svg.appendChild(path);
    });
    return svg;
  }

  // The host's style sheets cannot reach into a shadow root.
  var host = document.createElement('div');
  host.id = 'switchboard-widget-' + key.slice(0, 8);
  host.setAttribute('data-switchboard', '');
  css(host, { all: 'initial', position: 'static' });
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;

  var launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.id = 'sb-launcher';
  launcher.setAttribute('data-testid', 'sb-launcher');
  launcher.setAttribute('aria-expanded', 'false');
  css(launcher, {
    position: 'fixed', bottom: '20px', right: '20px', width: '60px', height: '60px', margin: '0', padding: '0',
    border: '0', borderRadius: '50%', cursor: 'pointer', display: 'none', alignItems: 'center', justifyContent: 'center',
    boxShadow: '0 6px 20px rgba(15,23,42,.24), 0 2px 6px rgba(15,23,42,.12)', zIndex: String(Z + 1),
    transition: 'transform .18s ease, box-shadow .18s ease, opacity .2s ease', boxSizing: 'border-box',
    font: '600 12px/1 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif',
    WebkitTapHighlightColor: 'transparent', outlineOffset: '3px'
  });
  var chatIcon = icon([{ d: 'M12 3C6.9 3 3 6.6 3 11c0 2.3 1.1 4.4 2.9 5.9L5 21l4.4-2.2c.8.2 1.7.3 2.6.3 5.1 0 9-3.6 9-8s-3.9-8.1-9-8.1z', fill: 'currentColor' }]);
  var closeIcon = icon([{ d: 'M6 9l6 6 6-6', fill: 'none', stroke: 'currentColor', 'stroke-width': '2.4', 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }]);
  css(closeIcon, { position: 'absolute', opacity: '0', transform: 'rotate(-90deg)' });
  var badge = document.createElement('span');
  badge.setAttribute('data-testid', 'sb-badge');
  badge.setAttribute('aria-hidden', 'true');
  css(badge, {
    position: 'absolute', top: '-3px', right: '-3px', minWidth: '20px', height: '20px', padding: '0 6px',
    borderRadius: '10px', background: '#e5484d', color: '#fff', font: '700 12px/20px system-ui, -apple-system, sans-serif',
    textAlign: 'center', boxShadow: '0 0 0 2px #fff', display: 'none', boxSizing: 'border-box'
  });
  launcher.appendChild(chatIcon);
  launcher.appendChild(closeIcon);
  launcher.appendChild(badge);

  var frame = document.createElement('iframe');
  var src = origin + '/widget/frame?channel=' + encodeURIComponent(key);
  if (identity.lang) src += '&lang=' + encodeURIComponent(identity.lang);
  frame.src = src;
  frame.id = 'sb-frame';
  frame.setAttribute('data-testid', 'sb-frame');
  frame.setAttribute('allow', 'autoplay; clipboard-write');
  frame.setAttribute('referrerpolicy', 'origin');
  frame.title = state.labels.title;
  css(frame, {
    position: 'fixed', border: '0', margin: '0', padding: '0', background: 'transparent', colorScheme: 'light',
    zIndex: String(Z + 2), visibility: 'hidden', opacity: '0', pointerEvents: 'none', transform: 'translateY(16px) scale(.98)',
    transformOrigin: 'bottom right', boxShadow: '0 16px 48px rgba(15,23,42,.22), 0 4px 12px rgba(15,23,42,.10)',
    transition: 'opacity .2s ease, transform .2s ease, visibility 0s linear .2s', boxSizing: 'border-box',
    width: '0', height: '0', maxWidth: '100vw', maxHeight: '100vh'
  });

  root.appendChild(frame);
  root.appendChild(launcher);

  function post(msg) {
    msg.sb = 1;
    if (frame.contentWindow) frame.contentWindow.postMessage(msg, origin);
  }

  function phone() { return window.matchMedia ? window.matchMedia(PHONE).matches : window.innerWidth <= 480; }

  function layout() {
    var side = state.position === 'left' ? 'left' : 'right';
    var other = side === 'left' ? 'right' : 'left';
    var small = phone();
    css(launcher, { background: state.color, color: state.onColor });
    launcher.style[side] = '20px';
    launcher.style[other] = 'auto';
    badge.style[side === 'left' ? 'left' : 'right'] = '-3px';
    badge.style[side === 'left' ? 'right' : 'left'] = 'auto';
    launcher.style.display = state.ready && !(state.open && small) ? 'flex' : 'none';
    chatIcon.style.opacity = state.open ? '0' : '1';
    chatIcon.style.transform = state.open ? 'rotate(90deg) scale(.6)' : 'none';
    closeIcon.style.opacity = state.open ? '1' : '0';
    closeIcon.style.transform = state.open ? 'none' : 'rotate(-90deg) scale(.6)';
    if (small) {
      css(frame, { top: '0', left: '0', right: 'auto', bottom: 'auto', width: '100%', height: '100%', borderRadius: '0' });
    } else {
      var w = Math.min(state.width, window.innerWidth - 40);
      var h = Math.min(state.height, window.innerHeight - 120);
      css(frame, { top: 'auto', bottom: '92px', width: w + 'px', height: Math.max(h, 320) + 'px', borderRadius: '16px' });
      frame.style[side] = '20px';
      frame.style[other] = 'auto';
      frame.style.transformOrigin = 'bottom ' + side;
    }
    if (state.open) {
      css(frame, { visibility: 'visible', opacity: '1', pointerEvents: 'auto', transform: 'none',
        transition: 'opacity .2s ease, transform .2s ease, visibility 0s' });
    } else {
      css(frame, { visibility: 'hidden', opacity: '0', pointerEvents: 'none', transform: 'translateY(16px) scale(.98)',
        transition: 'opacity .2s ease, transform .2s ease, visibility 0s linear .2s' });
    }
    // A phone shows the open chat on the whole screen: the page behind must not scroll.
    var de = document.documentElement;
    if (state.open && small) {
      if (state.rootOverflow === null) { state.rootOverflow = de.style.overflow; de.style.overflow = 'hidden'; }
    } else if (state.rootOverflow !== null) {
      de.style.overflow = state.rootOverflow;
      state.rootOverflow = null;
    }
    var label = state.open ? state.labels.close : state.labels.open;
    if (!state.open && state.unread > 0) label += ' (' + state.labels.unread.replace('{count}', String(state.unread)) + ')';
    launcher.setAttribute('aria-label', label);
    launcher.title = label;
    launcher.setAttribute('aria-expanded', state.open ? 'true' : 'false');
    badge.textContent = state.unread > 99 ? '99+' : String(state.unread);
    badge.style.display = state.unread > 0 && !state.open ? 'block' : 'none';
  }

  function open(byUser) {
    if (!state.ready) { state.wantOpen = true; return; }
    if (state.open) return;
    state.open = true;
    rememberOpen(true);
    layout();
    post({ type: 'open' });
    if (byUser) { try { frame.focus(); } catch (e) { /* ignore */ } }
  }

  function close() {
    if (!state.open) return;
    state.open = false;
    rememberOpen(false);
    layout();
    post({ type: 'close' });
    if (root.activeElement === frame || document.activeElement === host) {
      try { launcher.focus(); } catch (e) { /* ignore */ }
    }
  }

  launcher.addEventListener('click', function () { if (state.open) close(); else open(true); });
  launcher.addEventListener('mouseenter', function () {
    css(launcher, { transform: 'scale(1.06)', boxShadow: '0 10px 28px rgba(15,23,42,.28), 0 3px 8px rgba(15,23,42,.14)' });
  });
  launcher.addEventListener('mouseleave', function () {
    css(launcher, { transform: 'none', boxShadow: '0 6px 20px rgba(15,23,42,.24), 0 2px 6px rgba(15,23,42,.12)' });
  });

  function pageInfo() {
    return { page_url: String(location.href).slice(0, 2000), page_title: String(document.title || '').slice(0, 300) };
  }

  // The frame's storage, kept here when the browser refuses it to a frame
  // of another site (see frame.js).
  var FIELDS = ['token', 'session', 'outbox', 'profile', 'rated'];
  var storeKey = function (f) { return 'switchboard:' + key + ':' + f; };
  function readStore() {
    var out = {};
    try {
      FIELDS.forEach(function (f) { var v = window.localStorage.getItem(storeKey(f)); if (v !== null) out[f] = v; });
    } catch (e) { /* no storage here either */ }
    return out;
  }
  function writeStore(f, v) {
    if (FIELDS.indexOf(f) < 0 || (v !== null && (typeof v !== 'string' || v.length > 1048576))) return;
    try {
      if (v === null) window.localStorage.removeItem(storeKey(f));
      else window.localStorage.setItem(storeKey(f), v);
    } catch (e) { /* over quota or blocked: the chat still works for this page */ }
  }
  // Whether the chat was open, so that it stays open from page to page.
  function rememberOpen(v) {
    try { window.sessionStorage.setItem(storeKey('open'), v ? '1' : '0'); } catch (e) { /* ignore */ }
  }
  function wasOpen() {
    try { return window.sessionStorage.getItem(storeKey('open')) === '1'; } catch (e) { return false; }
  }

  var inited = false;
  function init() {
    var p = pageInfo();
    post({
      type: 'init', page_url: p.page_url, page_title: p.page_title, referrer: String(document.referrer || '').slice(0, 2000),
      origin: location.origin, lang: identity.lang, name: identity.name, email: identity.email,
      user_id: identity.user_id, user_hash: identity.user_hash, store: readStore()
    });
    inited = true;
  }
  frame.addEventListener('load', init);
  setTimeout(function () {
    if (!state.ready && window.console) {
      console.warn('Switchboard: the chat did not start. Check data-channel, and that this site is among the channel\'s allowed sites.');
    }
  }, 15000);

  window.addEventListener('message', function (e) {
    if (e.source !== frame.contentWindow || e.origin !== origin) return;
    var d = e.data;
    if (!d || typeof d !== 'object' || d.sb !== 1) return;
    switch (d.type) {
      case 'boot':
        init();
        break;
      case 'ready':
        if (/^#[0-9a-fA-F]{6}$/.test(d.color || '')) state.color = d.color;
        if (/^#[0-9a-fA-F]{6}$/.test(d.on_color || '')) state.onColor = d.on_color;
        state.position = d.position === 'left' ? 'left' : 'right';
        if (d.labels && typeof d.labels === 'object') {
          ['open', 'close', 'title', 'unread'].forEach(function (k) {
            if (typeof d.labels[k] === 'string' && d.labels[k]) state.labels[k] = d.labels[k].slice(0, 100);
          });
        }
        frame.title = state.labels.title;
        state.unread = Math.max(0, Math.min(9999, parseInt(d.unread, 10) || 0));
        state.ready = true;
        layout();
        if (wasOpen() || state.wantOpen) open(false);
        break;
      case 'store':
        writeStore(d.field, d.value);
        break;
      case 'open':
        open(false);
        break;
      case 'close':
        close();
        break;
      case 'unread':
        state.unread = Math.max(0, Math.min(9999, parseInt(d.count, 10) || 0));
        layout();
        break;
      case 'size':
        state.width = Math.max(300, Math.min(600, parseInt(d.width, 10) || 380));
        state.height = Math.max(320, Math.min(900, parseInt(d.height, 10) || 640));
        layout();
        break;
    }
  });

  // Single-page sites change the URL without loading a page: tell the frame.
  var last = pageInfo();
  function checkPage() {
    var p = pageInfo();
    if (!inited || (p.page_url === last.page_url && p.page_title === last.page_title)) return;
    last = p;
    post({ type: 'page', page_url: p.page_url, page_title: p.page_title });
  }
  window.addEventListener('popstate', checkPage);
  window.addEventListener('hashchange', checkPage);
  setInterval(checkPage, 2000);

  var relayout = function () { if (state.ready) layout(); };
  window.addEventListener('resize', relayout);
  if (window.matchMedia) {
    var mq = window.matchMedia(PHONE);
    if (mq.addEventListener) mq.addEventListener('change', relayout);
  }

  // A small API for the site: Switchboard.open(), .close(), .toggle().
  window.Switchboard = {
    open: function () { open(true); },
    close: close,
    toggle: function () { if (state.open) close(); else open(true); }
  };

  function mount() { (document.body || document.documentElement).appendChild(host); }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
