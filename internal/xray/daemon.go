package xray

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// maxDatagram is the largest UDP datagram the daemon reads: a segment
// document (at most 64 kB) and its header.
const maxDatagram = 64*1024 + 256

// Daemon receives segments as the X-Ray daemon does: the SDKs send each
// document in one UDP datagram, after a header line,
//
//	{"format": "json", "version": 1}\n{"name": ..., "id": ..., ...}
//
// A datagram without that header, or whose document is invalid, is
// dropped, as the daemon drops it; the rest are recorded through
// Service.Record.
type Daemon struct {
	conn *net.UDPConn
	xray *Service
	log  *slog.Logger
	done chan struct{}
	// http serves the daemon's TCP side, when ServeTCP started it.
	http *http.Server
}

// ListenDaemon listens on addr (host:port, UDP) and receives segments
// until Close.
func (s *Service) ListenDaemon(addr string, log *slog.Logger) (*Daemon, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, err
	}
	conn, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, err
	}
	d := &Daemon{conn: conn, xray: s, log: log, done: make(chan struct{})}
	go d.serve()
	return d, nil
}

// Addr is the address the daemon listens on.
func (d *Daemon) Addr() string { return d.conn.LocalAddr().String() }

// ServeTCP serves h on the daemon's address over TCP, as the X-Ray daemon
// proxies the SDKs' centralized sampling calls (GetSamplingRules,
// SamplingTargets) to X-Ray there. h is virga's edge, which routes these
// unsigned calls to X-Ray by their paths. A port taken for TCP is
// reported, and the UDP side goes on.
func (d *Daemon) ServeTCP(h http.Handler) error {
	ln, err := net.Listen("tcp", d.Addr())
	if err != nil {
		return err
	}
	d.http = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go d.http.Serve(ln)
	return nil
}

// Close stops the daemon.
func (d *Daemon) Close() error {
	if d.http != nil {
		d.http.Close()
	}
	err := d.conn.Close()
	<-d.done
	return err
}

func (d *Daemon) serve() {
	defer close(d.done)
	buf := make([]byte, maxDatagram)
	for {
		n, _, err := d.conn.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			d.log.Warn("xray daemon: reading", "err", err)
			continue
		}
		doc, ok := datagramDocument(buf[:n])
		if !ok {
			d.log.Debug("xray daemon: dropped a datagram without the segment header")
			continue
		}
		if !d.xray.Record(bytes.Clone(doc)) {
			d.log.Debug("xray daemon: dropped a segment", "bytes", len(doc))
		}
	}
}

// datagramDocument splits a datagram into its header and document, and
// checks the header: format "json", version 1.
func datagramDocument(p []byte) ([]byte, bool) {
	header, doc, ok := bytes.Cut(p, []byte("\n"))
	if !ok {
		return nil, false
	}
	var h struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if json.Unmarshal(header, &h) != nil || h.Format != "json" || h.Version != 1 {
		return nil, false
	}
	return bytes.TrimSpace(doc), true
}
