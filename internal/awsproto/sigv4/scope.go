package sigv4

import (
	"net/http"
	"strings"
)

// Scope returns the service and region of r's credential scope, from the
// Authorization header or the X-Amz-Credential query parameter, without
// parsing or checking anything else. The router calls it on every request
// to find the service a request is for, so it does not allocate in the
// common case. ok is false when r carries no credential scope.
func Scope(r *http.Request) (service, region string, ok bool) {
	if authz := r.Header.Get(hdrAuthorization); authz != "" {
		return scopeFromHeader(authz)
	}
	return scopeFromQuery(r.URL.RawQuery)
}

// scopeFromHeader finds the first non-empty "Credential=" parameter of an
// Authorization header, as Parse does, and splits its value.
func scopeFromHeader(authz string) (service, region string, ok bool) {
	const key = "Credential="
	for i := 0; ; {
		j := strings.Index(authz[i:], key)
		if j < 0 {
			return "", "", false
		}
		j += i
		i = j + len(key)
		if j > 0 && !isParamSep(authz[j-1]) {
			continue
		}
		v := authz[i:]
		if k := strings.IndexAny(v, " \t,"); k >= 0 {
			v = v[:k]
		}
		if v == "" {
			continue
		}
		return splitScope(v, false)
	}
}

func isParamSep(c byte) bool { return c == ' ' || c == '\t' || c == ',' }

// scopeFromQuery finds the first X-Amz-Credential parameter of a raw query,
// as Parse does, and splits its value, whose slashes are usually sent as
// %2F. It allocates only for an escaped name, region or service.
func scopeFromQuery(raw string) (service, region string, ok bool) {
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(seg, "=")
		if k != qCredential && (!strings.ContainsAny(k, "%+") || queryUnescape(k) != qCredential) {
			continue
		}
		service, region, ok = splitScope(v, true)
		if ok && (strings.ContainsAny(service, "%+") || strings.ContainsAny(region, "%+")) {
			service, region = queryUnescape(service), queryUnescape(region)
		}
		return service, region, ok && service != "" && region != ""
	}
	return "", "", false
}

// splitScope splits AKID/date/region/service/aws4_request and returns the
// service and region. With escaped set, "%2F" (any case) also separates.
func splitScope(v string, escaped bool) (service, region string, ok bool) {
	var parts [5]string
	n, start := 0, 0
	for i := 0; i < len(v); i++ {
		width := 0
		switch {
		case v[i] == '/':
			width = 1
		case escaped && v[i] == '%' && i+2 < len(v) && v[i+1] == '2' && (v[i+2] == 'F' || v[i+2] == 'f'):
			width = 3
		default:
			continue
		}
		if n == len(parts)-1 {
			return "", "", false
		}
		parts[n] = v[start:i]
		n++
		i += width - 1
		start = i + 1
	}
	if n != len(parts)-1 {
		return "", "", false
	}
	parts[n] = v[start:]
	if parts[2] == "" || parts[3] == "" {
		return "", "", false
	}
	return parts[3], parts[2], true
}
