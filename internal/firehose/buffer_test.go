package firehose

import (
	"testing"
	"time"
)

// TestObjectKey: Firehose's default key, in UTC whatever the zone of the
// arrival time.
func TestObjectKey(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 2*3600))
	for _, c := range []struct {
		prefix string
		want   string
	}{
		{"", "2024/01/02/01/s-3-2024-01-02-01-04-05-U"},
		{"logs/", "logs/2024/01/02/01/s-3-2024-01-02-01-04-05-U"},
		{"raw", "raw2024/01/02/01/s-3-2024-01-02-01-04-05-U"},
	} {
		if got := objectKey("s", 3, c.prefix, at, "U"); got != c.want {
			t.Errorf("prefix %q: %q, want %q", c.prefix, got, c.want)
		}
	}
}
