// Filled in by the quickreply work.
export function wireQuickReplies() {}
