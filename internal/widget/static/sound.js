// A short two-note chime for new messages, made with WebAudio: no audio file.
// Browsers let a page make sound only after the visitor interacted with it
// (the iframe is allowed to autoplay by the loader, which helps), so a
// refused chime is silently skipped.

let ctx = null;

function context() {
  if (!ctx) {
    const AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return null;
    ctx = new AC();
  }
  if (ctx.state === 'suspended') ctx.resume().catch(() => {});
  return ctx;
}

/** Prepares the audio context during a user gesture, so that later chimes may play. */
export function unlockSound() {
  try { context(); } catch (e) { /* no sound */ }
}

let last = 0;

/** Plays the chime, at most once every 1.5 s. */
export function chime() {
  const now = Date.now();
  if (now - last < 1500) return;
  last = now;
  try {
    const ac = context();
    if (!ac || ac.state !== 'running') return;
    const t0 = ac.currentTime + 0.01;
    [[880, 0], [1318.5, 0.11]].forEach(([freq, delay]) => {
      const osc = ac.createOscillator();
      const gain = ac.createGain();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(freq, t0 + delay);
      gain.gain.setValueAtTime(0.0001, t0 + delay);
      gain.gain.exponentialRampToValueAtTime(0.16, t0 + delay + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + delay + 0.32);
      osc.connect(gain);
      gain.connect(ac.destination);
      osc.start(t0 + delay);
      osc.stop(t0 + delay + 0.35);
    });
  } catch (e) { /* no sound */ }
}
