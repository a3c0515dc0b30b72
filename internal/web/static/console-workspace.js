// Filled in by the workspace work.
export function wireWorkspace() {}
