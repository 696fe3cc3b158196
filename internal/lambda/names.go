package lambda

import (
	"strings"
)

// latest is the name of a function's unpublished version.
const latest = "$LATEST"

// target is what a FunctionName parameter (and Qualifier) names: a
// function, and perhaps one of its versions or aliases.
type target struct {
	Name string
	// Qualifier is a version number, $LATEST, an alias name, or "" when
	// the request named the function alone.
	Qualifier string
}

// parseTarget reads a FunctionName in any of the forms Lambda accepts —
// name, name:qualifier, 123456789012:function:name[:qualifier],
// arn:aws:lambda:region:123456789012:function:name[:qualifier] — with
// the Qualifier parameter, if any. A function in another region is one
// that does not exist here; one in another account is one the caller
// may not reach (an *otherAccountError).
func (s *Service) parseTarget(name string, qualifier *string) (target, error) {
	parts := strings.Split(name, ":")
	var t target
	switch {
	case len(parts) >= 7 && parts[0] == "arn":
		if len(parts) > 8 || parts[2] != "lambda" || parts[5] != "function" {
			return t, invalidParameter("Invalid function name: %s", name)
		}
		if parts[3] != s.region {
			// Lambda names both regions rather than the function.
			return t, ErrResourceNotFound.Withf("Functions from '%s' are not reachable in this region ('%s')", parts[3], s.region)
		}
		if parts[4] != s.account {
			return t, &otherAccountError{arn: withQualifier(name, qualifier)}
		}
		t.Name = parts[6]
		if len(parts) == 8 {
			t.Qualifier = parts[7]
		}
	case len(parts) >= 3 && parts[1] == "function":
		if len(parts) > 4 {
			return t, invalidParameter("Invalid function name: %s", name)
		}
		if parts[0] != s.account {
			return t, &otherAccountError{arn: withQualifier("arn:aws:lambda:"+s.region+":"+name, qualifier)}
		}
		t.Name = parts[2]
		if len(parts) == 4 {
			t.Qualifier = parts[3]
		}
	case len(parts) <= 2:
		t.Name = parts[0]
		if len(parts) == 2 {
			t.Qualifier = parts[1]
		}
	default:
		return t, invalidParameter("Invalid function name: %s", name)
	}
	if t.Name == "" || (len(parts) > 1 && t.Qualifier == "" && strings.HasSuffix(name, ":")) {
		return t, invalidParameter("Invalid function name: %s", name)
	}
	if qualifier != nil {
		if t.Qualifier != "" && t.Qualifier != *qualifier {
			return t, invalidParameter("The derived qualifier from the function name does not match the specified qualifier.")
		}
		t.Qualifier = *qualifier
	}
	return t, nil
}

// withQualifier appends the Qualifier parameter, if any, to a function
// ARN that has none.
func withQualifier(arn string, qualifier *string) string {
	if qualifier == nil || strings.Count(arn, ":") > 6 {
		return arn
	}
	return arn + ":" + *qualifier
}

// functionARN is the unqualified ARN of the function name.
func (s *Service) functionARN(name string) string {
	return "arn:aws:lambda:" + s.region + ":" + s.account + ":function:" + name
}

// qualifiedARN is the ARN of a version or alias of the function, or the
// function's when qualifier is empty.
func (s *Service) qualifiedARN(name, qualifier string) string {
	if qualifier == "" {
		return s.functionARN(name)
	}
	return s.functionARN(name) + ":" + qualifier
}

// arn is the ARN a target names.
func (s *Service) arn(t target) string { return s.qualifiedARN(t.Name, t.Qualifier) }

// layerARN is the ARN of a layer; layerVersionARN of one of its versions.
func (s *Service) layerARN(name string) string {
	return "arn:aws:lambda:" + s.region + ":" + s.account + ":layer:" + name
}

// parseLayerName reads a LayerName parameter: a name or a layer ARN.
func (s *Service) parseLayerName(name string) (string, bool) {
	if !strings.HasPrefix(name, "arn:") {
		return name, true
	}
	parts := strings.Split(name, ":")
	if len(parts) != 7 || parts[2] != "lambda" || parts[5] != "layer" || parts[3] != s.region || parts[4] != s.account {
		return "", false
	}
	return parts[6], true
}

// parseLayerVersionARN splits a layer version ARN into the layer's name
// and the version number; ok is false for an ARN of another account or
// region, or one that is malformed.
func (s *Service) parseLayerVersionARN(arn string) (name string, version int64, ok bool) {
	i := strings.LastIndexByte(arn, ':')
	if i < 0 {
		return "", 0, false
	}
	name, ok = s.parseLayerName(arn[:i])
	if !ok {
		return "", 0, false
	}
	var n int64
	for _, c := range arn[i+1:] {
		if c < '0' || c > '9' || n > 1<<40 {
			return "", 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if i+1 == len(arn) {
		return "", 0, false
	}
	return name, n, true
}

// isVersionNumber reports whether q names a published version.
func isVersionNumber(q string) bool {
	if q == "" {
		return false
	}
	for _, c := range q {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
