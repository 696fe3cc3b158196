package stepfunctions

import (
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
