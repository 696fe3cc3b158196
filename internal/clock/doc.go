// Package clock is virga's source of time. Everything that reads the time
// (signatures, credential expiry, schedules, timeouts, TTLs) takes a Clock,
// so that tests can move time by hand instead of sleeping.
package clock
