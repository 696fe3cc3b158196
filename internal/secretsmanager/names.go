package secretsmanager

import "strings"

// maxNameLength: "The name can be up to 512 characters."
const maxNameLength = 512

// validName reports whether name is of the characters CreateSecret
// accepts: ASCII letters, digits and -/_+=.@!
func validName(name string) bool {
	if name == "" || len(name) > maxNameLength {
		return false
	}
	for _, c := range []byte(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-/_+=.@!", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// arnSuffixLength is the number of random characters Secrets Manager
// appends, after a hyphen, to a secret's name in its ARN.
const arnSuffixLength = 6

// nameFromARN returns the name part of a secret ARN
// (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX), with and
// without the random suffix; a partial ARN has no suffix. ok is false
// for anything but a secret ARN.
func nameFromARN(arn string) (full, trimmed string, ok bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "secretsmanager" || parts[5] != "secret" || parts[6] == "" {
		return "", "", false
	}
	full = parts[6]
	trimmed = full
	if i := len(full) - arnSuffixLength - 1; i > 0 && full[i] == '-' {
		trimmed = full[:i]
	}
	return full, trimmed, true
}
