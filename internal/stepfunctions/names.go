package stepfunctions

import (
	"strconv"
	"strings"
	"unicode"
)

// validName follows the naming rules of state machines and executions:
// 1-80 characters, no whitespace, no brackets, wildcards, special
// characters (" # % \ ^ | ~ ` $ & , ; : /) or control characters.
func validName(name string) bool {
	if name == "" || len(name) > 80 {
		return false
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) {
			return false
		}
	}
	return true
}

func (s *Service) machineARN(name string) string {
	return "arn:aws:states:" + s.region + ":" + s.account + ":stateMachine:" + name
}

func (s *Service) executionARN(machine, name string) string {
	return "arn:aws:states:" + s.region + ":" + s.account + ":execution:" + machine + ":" + name
}

func (s *Service) expressARN(machine, name, id string) string {
	return "arn:aws:states:" + s.region + ":" + s.account + ":express:" + machine + ":" + name + ":" + id
}

// machineName returns the name in a state machine ARN.
func machineName(arn string) (string, bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "states" || parts[5] != "stateMachine" {
		return "", false
	}
	return parts[6], true
}

// qualifiedName splits a state machine ARN that may carry a version
// number or an alias name after the machine's name
// (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME[:QUALIFIER]).
func qualifiedName(arn string) (name, qualifier string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || len(parts) > 8 || parts[0] != "arn" || parts[2] != "states" || parts[5] != "stateMachine" || parts[6] == "" {
		return "", "", false
	}
	if len(parts) == 8 {
		if parts[7] == "" {
			return "", "", false
		}
		return parts[6], parts[7], true
	}
	return parts[6], "", true
}

// versionNumber is a qualifier's version number, if it is one: alias
// names must contain a letter, "_", "-" or ".", so a qualifier of
// digits only names a version.
func versionNumber(q string) (int64, bool) {
	if q == "" || len(q) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range q {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func (s *Service) versionARN(machine string, n int64) string {
	return s.machineARN(machine) + ":" + strconv.FormatInt(n, 10)
}

// executionName returns the machine and execution names in an
// execution ARN (standard or express).
func executionName(arn string) (machine, name string, express, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) < 8 || parts[0] != "arn" || parts[2] != "states" {
		return "", "", false, false
	}
	switch parts[5] {
	case "execution":
		return parts[6], parts[7], false, len(parts) == 8
	case "express":
		return parts[6], parts[7], true, len(parts) == 9
	}
	return "", "", false, false
}

// mapRunName returns the machine's name and the UUID in a Map Run ARN
// (arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:UUID).
func mapRunName(arn string) (machine, id string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 8 || parts[0] != "arn" || parts[2] != "states" || parts[5] != "mapRun" || parts[7] == "" {
		return "", "", false
	}
	machine, _, ok = strings.Cut(parts[6], "/")
	return machine, parts[7], ok && machine != ""
}
