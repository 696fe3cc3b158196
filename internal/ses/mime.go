package ses

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// maxMIMEParts bounds the parts a raw message is searched for its text
// and HTML bodies, and maxMIMEDepth how deeply multiparts may nest.
const (
	maxMIMEParts = 100
	maxMIMEDepth = 8
)

// parsedMessage is what SES reads of a raw message: its sender and
// recipients, its subject, and its text and HTML bodies.
type parsedMessage struct {
	From, Subject      string
	To, Cc, Bcc, Reply []string
	Text, HTML         string
}

// parseRaw reads a raw MIME message (RFC 5322 headers, then a body that
// may be multipart). A message whose headers do not parse is an error;
// bodies that cannot be decoded are left out.
func parseRaw(raw []byte) (*parsedMessage, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	h := msg.Header
	dec := new(mime.WordDecoder)
	p := &parsedMessage{From: h.Get("From")}
	if s, err := dec.DecodeHeader(h.Get("Subject")); err == nil {
		p.Subject = s
	} else {
		p.Subject = h.Get("Subject")
	}
	for _, f := range []struct {
		name string
		into *[]string
	}{{"To", &p.To}, {"Cc", &p.Cc}, {"Bcc", &p.Bcc}, {"Reply-To", &p.Reply}} {
		v := h.Get(f.name)
		if strings.TrimSpace(v) == "" {
			continue
		}
		list, err := mail.ParseAddressList(v)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", f.name, err)
		}
		for _, a := range list {
			*f.into = append(*f.into, a.Address)
		}
	}
	parts := 0
	walkPart(h.Get, msg.Body, p, 0, &parts)
	return p, nil
}

// walkPart reads one MIME entity: a text/plain or text/html leaf becomes
// the message's text or HTML (the first of each), a multipart is walked.
func walkPart(get func(string) string, body io.Reader, p *parsedMessage, depth int, parts *int) {
	*parts++
	if *parts > maxMIMEParts || depth > maxMIMEDepth {
		return
	}
	ct := get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return
	}
	if strings.HasPrefix(mt, "multipart/") {
		if params["boundary"] == "" {
			return
		}
		r := multipart.NewReader(body, params["boundary"])
		for {
			part, err := r.NextRawPart()
			if err != nil {
				return
			}
			walkPart(part.Header.Get, part, p, depth+1, parts)
			if *parts > maxMIMEParts {
				return
			}
		}
	}
	if mt != "text/plain" && mt != "text/html" {
		return
	}
	if strings.EqualFold(get("Content-Disposition"), "attachment") ||
		strings.HasPrefix(strings.ToLower(get("Content-Disposition")), "attachment;") {
		return
	}
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(get("Content-Transfer-Encoding"))) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64Reader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return
	}
	if mt == "text/plain" && p.Text == "" {
		p.Text = string(b)
	} else if mt == "text/html" && p.HTML == "" {
		p.HTML = string(b)
	}
}

// buildMIME writes the MIME message SES composes from a formatted
// message: headers, then the text part, the HTML part, or both as
// multipart/alternative. Bcc is not written, as no recipient sees it.
func buildMIME(messageID string, date time.Time, from string, to, cc, replyTo []string, subject, text, html string) []byte {
	var b bytes.Buffer
	header := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", name, value)
		}
	}
	header("Date", date.UTC().Format(time.RFC1123Z))
	header("From", from)
	header("Reply-To", strings.Join(replyTo, ", "))
	header("To", strings.Join(to, ", "))
	header("Cc", strings.Join(cc, ", "))
	header("Message-ID", "<"+messageID+"@email.amazonses.com>")
	header("Subject", mime.QEncoding.Encode("UTF-8", subject))
	header("MIME-Version", "1.0")
	leaf := func(w io.Writer, body string) {
		q := quotedprintable.NewWriter(w)
		io.WriteString(q, body)
		q.Close()
	}
	switch {
	case text != "" && html != "":
		mw := multipart.NewWriter(&b)
		header("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
		b.WriteString("\r\n")
		for _, part := range []struct{ ct, body string }{{"text/plain", text}, {"text/html", html}} {
			w, _ := mw.CreatePart(map[string][]string{
				"Content-Type":              {part.ct + "; charset=UTF-8"},
				"Content-Transfer-Encoding": {"quoted-printable"},
			})
			leaf(w, part.body)
		}
		mw.Close()
	default:
		ct, body := "text/plain", text
		if html != "" {
			ct, body = "text/html", html
		}
		header("Content-Type", ct+"; charset=UTF-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		leaf(&b, body)
	}
	return b.Bytes()
}

// base64Reader decodes a base64 body, skipping the line breaks MIME puts
// in it.
func base64Reader(r io.Reader) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, newlineStripper{r})
}

// newlineStripper drops CR and LF from what it reads.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		j := 0
		for _, c := range p[:k] {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}
