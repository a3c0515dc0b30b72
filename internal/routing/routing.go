// Package routing decides which agent serves which conversation: agents'
// status and capacity, teams' skills, languages and business hours, the
// tenant's ordered routing rules, and the queue.
package routing

// Router assigns waiting conversations to agents.
type Router struct{}
