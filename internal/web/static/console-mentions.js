// Filled in by the mentions work.
export function wireMentions() {}
