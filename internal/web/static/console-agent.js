// Filled in by the agent work.
export function wireAgentStatus() {}
