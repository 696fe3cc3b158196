package route53

import (
	"fmt"
	"strings"
)

// maxNameLength is Route 53's limit on a domain name: "255 bytes,
// including the trailing dot"; maxLabelLength its limit on one label.
const (
	maxNameLength  = 255
	maxLabelLength = 63
)

// canonicalName returns a domain name as Route 53 keeps it: lower case,
// with a trailing dot, and every byte other than a-z, 0-9, '-' and '_'
// inside a label written as a three-digit octal escape ("*" is "\052").
// The name may already carry escapes ("\052" or "\*"). It fails on an
// empty label, a label or name too long, or a broken escape.
func canonicalName(name string) (string, error) {
	if name == "." {
		return ".", nil
	}
	labels, err := splitLabels(name)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	size := 1
	for _, l := range labels {
		if len(l) == 0 {
			return "", fmt.Errorf("empty label")
		}
		if len(l) > maxLabelLength {
			return "", fmt.Errorf("label longer than %d bytes", maxLabelLength)
		}
		size += len(l) + 1
		for i := 0; i < len(l); i++ {
			c := l[i]
			switch {
			case c >= 'A' && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
				b.WriteByte(c)
			default:
				fmt.Fprintf(&b, "\\%03o", c)
			}
		}
		b.WriteByte('.')
	}
	if size > maxNameLength {
		return "", fmt.Errorf("name longer than %d bytes", maxNameLength)
	}
	return b.String(), nil
}

// splitLabels splits a name at its unescaped dots into its labels with
// their escapes decoded, dropping the one trailing dot.
func splitLabels(name string) ([]string, error) {
	if name == "" {
		return nil, fmt.Errorf("empty name")
	}
	var labels []string
	var cur []byte
	ended := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		ended = false
		switch c {
		case '.':
			labels = append(labels, string(cur))
			cur = cur[:0]
			ended = true
		case '\\':
			if i+3 < len(name) && isOctal(name[i+1]) && isOctal(name[i+2]) && isOctal(name[i+3]) {
				v := int(name[i+1]-'0')*64 + int(name[i+2]-'0')*8 + int(name[i+3]-'0')
				if v > 255 {
					return nil, fmt.Errorf("escape out of range")
				}
				cur = append(cur, byte(v))
				i += 3
			} else if i+1 < len(name) && !isOctal(name[i+1]) {
				cur = append(cur, name[i+1])
				i++
			} else {
				return nil, fmt.Errorf("broken escape")
			}
		default:
			cur = append(cur, c)
		}
	}
	if !ended {
		labels = append(labels, string(cur))
	}
	return labels, nil
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// sortKey orders names as Route 53 lists them: by their labels from
// the last to the first ("com.example.www").
func sortKey(name string) string {
	labels := strings.Split(strings.TrimSuffix(name, "."), ".")
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	return strings.Join(labels, "\x00")
}

// inZone reports whether a canonical name is the zone's or lies below it.
func inZone(name, zone string) bool {
	return name == zone || strings.HasSuffix(name, "."+zone)
}
