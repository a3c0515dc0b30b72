// Quick-reply variables, filled in exactly as the server's quickreply.Render
// does (internal/quickreply/render.go): the console inserts with it and the
// quick-replies page previews with it. The cases in
// internal/quickreply/testdata/render.json are run on both.

/** VARIABLES are the placeholders a quick reply may use, as {{name}}. */
export const VARIABLES = ['customer.name', 'customer.email', 'customer.phone', 'agent.name', 'agent.email'];

const PLACEHOLDER = /\{\{[ \t\n\f\r]*([^{}]*?)[ \t\n\f\r]*\}\}/g;
const PUNCT = ',.;:!?)，。；：！？、）';

/** SHORTCUT_CHAR is one character a shortcut may use. */
export const SHORTCUT_CHAR = /[\p{L}\p{M}\p{Nd}_-]/u;

/**
 * render fills the variables of body from vars (name → text). A variable
 * without a value renders as nothing, and the space it leaves is tidied:
 * a double space becomes one; a space before punctuation, at the end of a
 * line or at the start of one goes.
 */
export function render(body, vars) {
  let out = '';
  let prev = 0;
  for (const m of String(body).matchAll(PLACEHOLDER)) {
    const start = m.index;
    const end = start + m[0].length;
    out += body.slice(prev, start);
    prev = end;
    const val = vars && Object.hasOwn(vars, m[1]) ? String(vars[m[1]] ?? '').trim() : '';
    if (val) {
      out += val;
      continue;
    }
    const before = out.slice(-1);
    const lineStart = out === '' || before === '\n' || before === '\r';
    const after = body.slice(end, end + 1);
    if (after === ' ' && (lineStart || before === ' ')) prev = end + 1;
    else if (before === ' ' && (end === body.length || after === '\n' || after === '\r' || PUNCT.includes(after))) out = out.slice(0, -1);
  }
  return out + body.slice(prev);
}
