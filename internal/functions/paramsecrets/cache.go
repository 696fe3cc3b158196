package paramsecrets

import (
	"sync"
	"time"
)

// cache keeps a session's successful answers until they expire, at most
// size of them; a full cache drops the entry closest to expiring.
type cache struct {
	mu      sync.Mutex
	size    int
	entries map[string]answer
}

// answer is a service's answer as the extension returns it.
type answer struct {
	status      int
	contentType string
	body        []byte
	expires     time.Time
}

func newCache(size int) *cache { return &cache{size: size, entries: map[string]answer{}} }

func (c *cache) get(key string, now time.Time) (answer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.entries[key]
	if !ok {
		return answer{}, false
	}
	if !now.Before(a.expires) {
		delete(c.entries, key)
		return answer{}, false
	}
	return a, true
}

func (c *cache) put(key string, a answer, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.size {
		var victim string
		var soonest time.Time
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
				continue
			}
			if victim == "" || e.expires.Before(soonest) {
				victim, soonest = k, e.expires
			}
		}
		if len(c.entries) >= c.size {
			delete(c.entries, victim)
		}
	}
	c.entries[key] = a
}
