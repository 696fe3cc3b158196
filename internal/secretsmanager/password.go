package secretsmanager

import (
	"crypto/rand"
	"errors"
	"io"
	"math/big"
	"strings"
)

// The character classes GetRandomPassword draws from, as its API
// reference lists them.
const (
	lowercase   = "abcdefghijklmnopqrstuvwxyz"
	uppercase   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits      = "0123456789"
	punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// defaultPasswordLength is GetRandomPassword's length when none is
// asked for.
const defaultPasswordLength = 32

// PasswordOptions are GetRandomPassword's options; CloudFormation's
// GenerateSecretString takes the same ones.
type PasswordOptions struct {
	Length             int // 0 means 32
	ExcludeCharacters  string
	ExcludeNumbers     bool
	ExcludePunctuation bool
	ExcludeUppercase   bool
	ExcludeLowercase   bool
	IncludeSpace       bool
	// RequireEachIncludedType, true unless set otherwise, puts at least
	// one character of every included class in the password.
	RequireEachIncludedType bool
}

// DefaultPasswordOptions are the options of a request that sets none.
func DefaultPasswordOptions() PasswordOptions {
	return PasswordOptions{Length: defaultPasswordLength, RequireEachIncludedType: true}
}

// GeneratePassword makes a password from rnd (nil: crypto/rand).
func GeneratePassword(o PasswordOptions, rnd io.Reader) (string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	if o.Length == 0 {
		o.Length = defaultPasswordLength
	}
	keep := func(set string) string {
		return strings.Map(func(r rune) rune {
			if strings.ContainsRune(o.ExcludeCharacters, r) {
				return -1
			}
			return r
		}, set)
	}
	var classes []string
	add := func(excluded bool, set string) {
		if !excluded {
			if s := keep(set); s != "" {
				classes = append(classes, s)
			}
		}
	}
	add(o.ExcludeLowercase, lowercase)
	add(o.ExcludeUppercase, uppercase)
	add(o.ExcludeNumbers, digits)
	add(o.ExcludePunctuation, punctuation)
	add(!o.IncludeSpace, " ")
	if len(classes) == 0 {
		return "", ErrInvalidParameter.WithMessage("The password can't be generated: every character is excluded.")
	}
	if o.RequireEachIncludedType && o.Length < len(classes) {
		return "", ErrInvalidParameter.WithMessage("The password length is too short to include a character of every included type.")
	}
	all := strings.Join(classes, "")
	out := make([]byte, o.Length)
	for i := range out {
		c, err := pick(rnd, all)
		if err != nil {
			return "", err
		}
		out[i] = c
	}
	if o.RequireEachIncludedType {
		// Put one character of each class at distinct random places.
		places := make([]int, o.Length)
		for i := range places {
			places[i] = i
		}
		for i, class := range classes {
			j, err := intn(rnd, len(places)-i)
			if err != nil {
				return "", err
			}
			places[i], places[i+j] = places[i+j], places[i]
			c, err := pick(rnd, class)
			if err != nil {
				return "", err
			}
			out[places[i]] = c
		}
	}
	return string(out), nil
}

func pick(rnd io.Reader, set string) (byte, error) {
	i, err := intn(rnd, len(set))
	if err != nil {
		return 0, err
	}
	return set[i], nil
}

func intn(rnd io.Reader, n int) (int, error) {
	if n <= 0 {
		return 0, errors.New("secretsmanager: empty choice")
	}
	v, err := rand.Int(rnd, big.NewInt(int64(n)))
	if err != nil {
		return 0, err
	}
	return int(v.Int64()), nil
}
