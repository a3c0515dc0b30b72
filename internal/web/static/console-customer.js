// Filled in by the customer work.
export function wireCustomer() {}
