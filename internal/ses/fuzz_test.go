package ses

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseRaw checks that no raw message makes the MIME reader panic or
// loop, and that what it accepts gives addresses that parse.
func FuzzParseRaw(f *testing.F) {
	for _, seed := range []string{
		"From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nbody",
		"From: \"A B\" <a@example.com>\r\nTo: b@x.test, c@x.test\r\nCc: d@x.test\r\nBcc: e@x.test\r\nSubject: =?UTF-8?B?w6k=?=\r\n" +
			"Content-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n" +
			"--inner\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVs\r\nbG8=\r\n--inner\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n--inner--\r\n" +
			"--outer\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nfile\r\n--outer--\r\n",
		"Subject: no from\r\n\r\n",
		"To: undisclosed-recipients:;\r\n\r\n",
		"Content-Type: multipart/alternative\r\n\r\n--x--",
		"Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=\r\n",
		"no header line\r\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := parseRaw(raw)
		if err != nil {
			return
		}
		for _, a := range append(append(append(p.To, p.Cc...), p.Bcc...), p.Reply...) {
			if a == "" {
				t.Errorf("an empty address from %q", raw)
			}
		}
	})
}

// FuzzRender checks that no template or data makes the renderer panic or
// loop, and that text without tags renders as itself.
func FuzzRender(f *testing.F) {
	for _, seed := range [][2]string{
		{"Hello, {{name}}!", `{"name":"Jane"}`},
		{"{{ a.b.c }} and {{{raw}}}", `{"a":{"b":{"c":1}},"raw":"<i>"}`},
		{"{{#if x}}y{{/if}}", `{"x":true}`},
		{"{{missing}}", `{}`},
		{"{{", `{}`},
		{"}}{{}}", `{"":"e"}`},
		{"{{list}} {{n}} {{f}}", `{"list":[1,"a"],"n":null,"f":false}`},
		{"plain text", `not json`},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, tpl, data string) {
		d, err := parseTemplateData(data)
		if err != nil {
			return
		}
		out, err := Render(tpl, d)
		if err != nil {
			return
		}
		if !strings.Contains(tpl, "{{") && out != tpl {
			t.Errorf("Render(%q) = %q; text without tags must render as itself", tpl, out)
		}
		// Data strings are UTF-8 (JSON decoding makes them so): a UTF-8
		// template renders to UTF-8.
		if utf8.ValidString(tpl) && !utf8.ValidString(out) {
			t.Errorf("Render(%q) = %q is not UTF-8", tpl, out)
		}
	})
}
