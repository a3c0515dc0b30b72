package live

import (
	"context"
	"sync"
	"time"
)

// nameCache remembers display names (agents, contacts) and the contact of a
// conversation for a minute, so that fanning out an event seldom needs the
// database.
type nameCache struct {
	users    Users
	contacts Contacts
	mu       sync.Mutex
	m        map[string]nameEntry
}

type nameEntry struct {
	v       string
	expires time.Time
}

const nameTTL = time.Minute

func newNameCache(u Users, c Contacts) *nameCache {
	return &nameCache{users: u, contacts: c, m: map[string]nameEntry{}}
}

func (n *nameCache) get(key string, load func() string) string {
	now := time.Now()
	n.mu.Lock()
	e, ok := n.m[key]
	n.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.v
	}
	v := load()
	n.mu.Lock()
	if len(n.m) > 100000 { // a crude bound: start over rather than grow without end
		n.m = map[string]nameEntry{}
	}
	n.m[key] = nameEntry{v: v, expires: now.Add(nameTTL)}
	n.mu.Unlock()
	return v
}

func (n *nameCache) user(ctx context.Context, tenantID, userID string) string {
	if userID == "" {
		return ""
	}
	return n.get("u:"+tenantID+":"+userID, func() string {
		u, err := n.users.GetUser(ctx, tenantID, userID)
		if err != nil {
			return ""
		}
		return u.Name
	})
}

func (n *nameCache) contact(ctx context.Context, tenantID, contactID string) string {
	return n.get("c:"+tenantID+":"+contactID, func() string {
		c, err := n.contacts.Get(ctx, tenantID, contactID)
		if err != nil {
			return ""
		}
		return c.Name
	})
}

func (n *nameCache) contactOf(ctx context.Context, convs Conversations, tenantID, convID string) string {
	return n.get("v:"+tenantID+":"+convID, func() string {
		c, err := convs.Get(ctx, tenantID, convID)
		if err != nil {
			return ""
		}
		return c.ContactID
	})
}

// forget drops a cached name (after a rename).
func (n *nameCache) forget(key string) {
	n.mu.Lock()
	delete(n.m, key)
	n.mu.Unlock()
}
