package pkginstall

import (
	"fmt"
	"sync"
	"time"

	"github.com/virga/virga/internal/clock"
)

// RetryAfter is how long an install that failed (a package the
// registry does not have, or any while the registry is out of reach)
// is refused without running the client again: what does not exist
// costs one client run, not one per caller that asks for it.
const RetryAfter = 5 * time.Minute

// Failures remembers installs that failed, by what they installed (a
// package's name, a layer's requirement specifiers), for RetryAfter.
// It is safe for concurrent use; its lock is a leaf.
type Failures struct {
	clock clock.Clock

	mu     sync.Mutex
	failed map[string]failure
}

// failure is why an install failed, and when.
type failure struct {
	at     time.Time
	reason string
}

// NewFailures returns an empty memory that tells time by clk.
func NewFailures(clk clock.Clock) *Failures {
	return &Failures{clock: clk, failed: map[string]failure{}}
}

// Record remembers that installing what failed with err.
func (f *Failures) Record(what string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed[what] = failure{at: f.clock.Now(), reason: err.Error()}
}

// Refused is, when installing what failed less than RetryAfter ago, an
// error saying so and why; nil otherwise (an older failure is
// forgotten).
func (f *Failures) Refused(what string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl, ok := f.failed[what]
	if !ok {
		return nil
	}
	ago := f.clock.Now().Sub(fl.at)
	if ago >= RetryAfter {
		delete(f.failed, what)
		return nil
	}
	return fmt.Errorf("installing %s failed %s ago (%s); it is tried again %s after that", what, ago.Round(time.Second), fl.reason, RetryAfter)
}
