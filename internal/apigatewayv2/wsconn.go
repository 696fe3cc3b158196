package apigatewayv2

import (
	"bufio"
	"net"
	"sync"
	"time"
)

// WebSocket APIs' connection limits: "Idle Connection Timeout 10 minutes"
// and "Connection duration for WebSocket API 2 hours".
const (
	defaultIdleTimeout = 10 * time.Minute
	defaultMaxDuration = 2 * time.Hour
	// sweepInterval is how often open connections are checked against
	// the limits, on the service's clock.
	sweepInterval = time.Second
	// wsWriteTimeout bounds a write to a client, in real time: a client
	// that stops reading would otherwise hold its connection's writers
	// (posts, replies, the closing frame) for ever.
	wsWriteTimeout = 10 * time.Second
	// wsCloseFrameTimeout bounds the closing frame's write.
	wsCloseFrameTimeout = time.Second
)

// wsConn is one open connection to a WebSocket API's stage.
type wsConn struct {
	id          string
	apiID       string
	stage       string
	connectedAt time.Time
	domainName  string
	identity    wsIdentity

	netConn net.Conn
	rw      *bufio.ReadWriter
	// wmu serializes writes to the client: replies, posts to the
	// connection and the closing frame.
	wmu sync.Mutex

	// mu guards lastActive and closed.
	mu         sync.Mutex
	lastActive time.Time
	closed     bool
}

// touch records activity on the connection.
func (c *wsConn) touch(t time.Time) {
	c.mu.Lock()
	if t.After(c.lastActive) {
		c.lastActive = t
	}
	c.mu.Unlock()
}

// send writes a text message to the client, in frames of at most 32 KB.
func (c *wsConn) send(data []byte) error {
	return c.write(appendFrames(nil, opText, data))
}

// write writes b to the client within wsWriteTimeout. A write that fails
// or times out leaves the stream cut mid-frame: the connection is closed,
// and its read loop reports it gone.
func (c *wsConn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(b, wsWriteTimeout)
}

func (c *wsConn) writeLocked(b []byte, timeout time.Duration) error {
	c.netConn.SetWriteDeadline(time.Now().Add(timeout))
	_, err := c.rw.Write(b)
	if err == nil {
		err = c.rw.Flush()
	}
	if err != nil {
		c.netConn.Close()
	}
	return err
}

// writeClose writes the closing frame if no other write is under way,
// within wsCloseFrameTimeout; a connection busy with a stalled write is
// closed without one.
func (c *wsConn) writeClose(b []byte) {
	if !c.wmu.TryLock() {
		return
	}
	defer c.wmu.Unlock()
	c.writeLocked(b, wsCloseFrameTimeout)
}

// wsHub holds the open connections of every WebSocket API, by id.
// Connection ids are unique across APIs, as the @connections API finds a
// connection by its id.
type wsHub struct {
	idleTimeout time.Duration
	maxDuration time.Duration

	mu       sync.Mutex
	conns    map[string]*wsConn
	sweeping bool
}

func newWSHub(idle, max time.Duration) *wsHub {
	if idle <= 0 {
		idle = defaultIdleTimeout
	}
	if max <= 0 {
		max = defaultMaxDuration
	}
	return &wsHub{idleTimeout: idle, maxDuration: max, conns: map[string]*wsConn{}}
}

// get returns an open connection, or nil.
func (h *wsHub) get(id string) *wsConn {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.conns[id]
}

// add registers a connection, and reports whether the sweeper must be
// started.
func (h *wsHub) add(c *wsConn) (startSweeper bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.conns[c.id] = c
	if h.sweeping {
		return false
	}
	h.sweeping = true
	return true
}

// remove forgets a connection and reports whether it was still open:
// only one closer of a connection gets true.
func (h *wsHub) remove(c *wsConn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conns[c.id] != c {
		return false
	}
	delete(h.conns, c.id)
	return true
}

// expired returns the connections past a limit at now, with the close
// reason of each.
func (h *wsHub) expired(now time.Time) (idle, tooOld []*wsConn, empty bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		c.mu.Lock()
		last := c.lastActive
		c.mu.Unlock()
		switch {
		case now.Sub(c.connectedAt) >= h.maxDuration:
			tooOld = append(tooOld, c)
		case now.Sub(last) >= h.idleTimeout:
			idle = append(idle, c)
		}
	}
	if len(h.conns) == 0 {
		h.sweeping = false
		empty = true
	}
	return idle, tooOld, empty
}

// connections returns every open connection, for closing them.
func (h *wsHub) connections() []*wsConn {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*wsConn, 0, len(h.conns))
	for _, c := range h.conns {
		out = append(out, c)
	}
	return out
}
