package route53

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/store"
)

// Health checks are recorded, never performed: each reports every
// checker region as healthy (see getHealthCheckStatus).

const (
	// maxHealthChecksPerPage is ListHealthChecks' page size: "If you
	// set MaxItems to more than 1,000, Route 53 returns only the first
	// 1,000 health checks", 100 when it is not given.
	maxHealthChecksPerPage     = 1000
	defaultHealthChecksPerPage = 100
	// healthCheckLocationBase is where CreateHealthCheck's Location
	// header points.
	healthCheckLocationBase = "https://route53.amazonaws.com/2013-04-01/healthcheck/"
)

// checkerRegions are the regions Route 53's health checkers run in, the
// ones GetHealthCheckStatus reports for a check that names none.
var checkerRegions = []string{"ap-northeast-1", "ap-southeast-1", "ap-southeast-2", "eu-west-1", "sa-east-1", "us-east-1", "us-west-1", "us-west-2"}

// healthCheck is a health check as kept in the store.
type healthCheck struct {
	ID              string            `json:"id"`
	CallerReference string            `json:"callerReference"`
	Config          HealthCheckConfig `json:"config"`
	Version         int64             `json:"version"`
	Tags            map[string]string `json:"tags,omitempty"`
}

func (h *healthCheck) api() *HealthCheck {
	c := h.Config
	return &HealthCheck{Id: ptr(h.ID), CallerReference: ptr(h.CallerReference), HealthCheckConfig: &c, HealthCheckVersion: ptr(h.Version)}
}

// getHealthCheck reads the health check with the id, or fails with
// NoSuchHealthCheck.
func getHealthCheck(r store.Reader, id string) (*healthCheck, error) {
	h, err := store.GetJSON[healthCheck](r, healthCheckKey(id))
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, noSuchHealthCheck(id)
	}
	return h, nil
}

// withDefaults fills in what Route 53 fills in for an endpoint check
// that leaves it out: a 30-second interval, a threshold of 3, the
// protocol's port, SNI for HTTPS, and false for the switches.
func withDefaults(c HealthCheckConfig) HealthCheckConfig {
	t := string(*c.Type)
	switch t {
	case "HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP":
		if c.RequestInterval == nil {
			c.RequestInterval = ptr(int32(30))
		}
		if c.FailureThreshold == nil {
			c.FailureThreshold = ptr(int32(3))
		}
		if c.MeasureLatency == nil {
			c.MeasureLatency = ptr(false)
		}
		https := strings.HasPrefix(t, "HTTPS")
		if c.Port == nil && t != "TCP" {
			c.Port = ptr(int32(80))
			if https {
				c.Port = ptr(int32(443))
			}
		}
		if c.EnableSNI == nil {
			c.EnableSNI = ptr(https)
		}
	}
	if c.Inverted == nil {
		c.Inverted = ptr(false)
	}
	if c.Disabled == nil {
		c.Disabled = ptr(false)
	}
	return c
}

// checkConfig refuses what Route 53 refuses in a health check's
// settings.
func checkConfig(c *HealthCheckConfig) error {
	switch t := string(*c.Type); t {
	case "HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP":
		if c.AlarmIdentifier != nil {
			return ErrInvalidInput.WithMessage("Invalid parameter : Basic health checks must not have an metric region specified.")
		}
		if c.IPAddress == nil && c.FullyQualifiedDomainName == nil {
			// Wording unconfirmed.
			return ErrInvalidInput.WithMessage("Invalid parameter : Either IPAddress or FullyQualifiedDomainName must be specified for health checks of type " + t)
		}
		if t == "TCP" && c.Port == nil {
			// Wording unconfirmed.
			return ErrInvalidInput.WithMessage("Invalid parameter : Port must be specified for health checks of type TCP")
		}
		if strings.HasSuffix(t, "_STR_MATCH") && c.SearchString == nil {
			// Wording unconfirmed.
			return ErrInvalidInput.WithMessage("Invalid parameter : SearchString must be specified for health checks of type " + t)
		}
	case "CALCULATED":
		if c.HealthThreshold == nil {
			// Wording unconfirmed.
			return ErrInvalidInput.WithMessage("Invalid parameter : HealthThreshold must be specified for health checks of type CALCULATED")
		}
	case "CLOUDWATCH_METRIC":
		if c.AlarmIdentifier == nil {
			// Wording unconfirmed.
			return ErrInvalidInput.WithMessage("Invalid parameter : AlarmIdentifier must be specified for health checks of type CLOUDWATCH_METRIC")
		}
	}
	return nil
}

func (s *Service) createHealthCheck(ctx context.Context, in *CreateHealthCheckRequest) (*CreateHealthCheckResponse, error) {
	if err := checkConfig(in.HealthCheckConfig); err != nil {
		return nil, err
	}
	h := &healthCheck{ID: s.ids.UUID(), CallerReference: *in.CallerReference, Config: withDefaults(*in.HealthCheckConfig), Version: 1}
	err := s.update(ctx, func(r store.Reader, b store.Batch) error {
		all, err := listJSON[healthCheck](r, healthCheckPrefix)
		if err != nil {
			return err
		}
		for _, o := range all {
			if o.CallerReference != h.CallerReference {
				continue
			}
			// "If you send a CreateHealthCheck request with the same
			// CallerReference and settings as a previous request ...
			// Route 53 returns the settings for the existing health
			// check"; other settings are HealthCheckAlreadyExists.
			if !sameConfig(o.Config, h.Config) {
				return ErrHealthCheckAlreadyExists
			}
			h = o
			return nil
		}
		return store.SetJSON(b, healthCheckKey(h.ID), h)
	})
	if err != nil {
		return nil, err
	}
	return &CreateHealthCheckResponse{HealthCheck: h.api(), Location: ptr(healthCheckLocationBase + h.ID)}, nil
}

// sameConfig reports whether two health checks' settings are equal.
func sameConfig(a, b HealthCheckConfig) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func (s *Service) getHealthCheck(ctx context.Context, in *GetHealthCheckRequest) (*GetHealthCheckResponse, error) {
	h, err := getHealthCheck(s.store, *in.HealthCheckId)
	if err != nil {
		return nil, err
	}
	return &GetHealthCheckResponse{HealthCheck: h.api()}, nil
}

func (s *Service) deleteHealthCheck(ctx context.Context, in *DeleteHealthCheckRequest) (*DeleteHealthCheckResponse, error) {
	// Route 53 deletes a health check that record sets still name: "Route 53
	// doesn't prevent you from deleting a health check even if the
	// health check is associated with one or more resource record sets."
	err := s.update(ctx, func(r store.Reader, b store.Batch) error {
		if _, err := getHealthCheck(r, *in.HealthCheckId); err != nil {
			return err
		}
		b.Delete(healthCheckKey(*in.HealthCheckId))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteHealthCheckResponse{}, nil
}

func (s *Service) listHealthChecks(ctx context.Context, in *ListHealthChecksRequest) (*ListHealthChecksResponse, error) {
	n, err := maxItems(in.MaxItems, defaultHealthChecksPerPage, maxHealthChecksPerPage)
	if err != nil {
		return nil, err
	}
	all, err := listJSON[healthCheck](s.store, healthCheckPrefix)
	if err != nil {
		return nil, err
	}
	marker := deref(in.Marker)
	out := &ListHealthChecksResponse{HealthChecks: []HealthCheck{}, Marker: ptr(marker), IsTruncated: ptr(false), MaxItems: ptr(strconv.Itoa(n))}
	for _, h := range all {
		if h.ID < marker {
			continue
		}
		if len(out.HealthChecks) == n {
			out.IsTruncated, out.NextMarker = ptr(true), ptr(h.ID)
			break
		}
		out.HealthChecks = append(out.HealthChecks, *h.api())
	}
	return out, nil
}

func (s *Service) getHealthCheckCount(ctx context.Context, in *GetHealthCheckCountRequest) (*GetHealthCheckCountResponse, error) {
	all, err := listJSON[healthCheck](s.store, healthCheckPrefix)
	if err != nil {
		return nil, err
	}
	return &GetHealthCheckCountResponse{HealthCheckCount: ptr(int64(len(all)))}, nil
}

// getHealthCheckStatus reports each checker region as seeing the
// endpoint healthy: virga performs no checks.
func (s *Service) getHealthCheckStatus(ctx context.Context, in *GetHealthCheckStatusRequest) (*GetHealthCheckStatusResponse, error) {
	h, err := getHealthCheck(s.store, *in.HealthCheckId)
	if err != nil {
		return nil, err
	}
	regions := checkerRegions
	if len(h.Config.Regions) > 0 {
		regions = nil
		for _, r := range h.Config.Regions {
			regions = append(regions, string(r))
		}
	}
	now := s.clock.Now().UTC()
	out := &GetHealthCheckStatusResponse{HealthCheckObservations: []HealthCheckObservation{}}
	for _, r := range regions {
		out.HealthCheckObservations = append(out.HealthCheckObservations, HealthCheckObservation{
			Region: ptr(HealthCheckRegion(r)), IPAddress: h.Config.IPAddress,
			StatusReport: &StatusReport{Status: ptr("Success: HTTP Status Code 200, OK"), CheckedTime: &now}})
	}
	return out, nil
}

func (s *Service) updateHealthCheck(ctx context.Context, in *UpdateHealthCheckRequest) (*UpdateHealthCheckResponse, error) {
	var h *healthCheck
	err := s.update(ctx, func(r store.Reader, b store.Batch) error {
		var err error
		if h, err = getHealthCheck(r, *in.HealthCheckId); err != nil {
			return err
		}
		if in.HealthCheckVersion != nil && *in.HealthCheckVersion != h.Version {
			return ErrHealthCheckVersionMismatch
		}
		c := &h.Config
		for _, e := range in.ResetElements {
			switch e {
			case "FullyQualifiedDomainName":
				c.FullyQualifiedDomainName = nil
			case "Regions":
				c.Regions = nil
			case "ResourcePath":
				c.ResourcePath = nil
			case "ChildHealthChecks":
				c.ChildHealthChecks = nil
			}
		}
		set(&c.IPAddress, in.IPAddress)
		set(&c.Port, in.Port)
		set(&c.ResourcePath, in.ResourcePath)
		set(&c.FullyQualifiedDomainName, in.FullyQualifiedDomainName)
		set(&c.SearchString, in.SearchString)
		set(&c.FailureThreshold, in.FailureThreshold)
		set(&c.Inverted, in.Inverted)
		set(&c.Disabled, in.Disabled)
		set(&c.HealthThreshold, in.HealthThreshold)
		set(&c.EnableSNI, in.EnableSNI)
		set(&c.AlarmIdentifier, in.AlarmIdentifier)
		set(&c.InsufficientDataHealthStatus, in.InsufficientDataHealthStatus)
		if in.ChildHealthChecks != nil {
			c.ChildHealthChecks = in.ChildHealthChecks
		}
		if in.Regions != nil {
			c.Regions = in.Regions
		}
		if err := checkConfig(c); err != nil {
			return err
		}
		h.Version++
		return store.SetJSON(b, healthCheckKey(h.ID), h)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateHealthCheckResponse{HealthCheck: h.api()}, nil
}

// set replaces *dst with v when v is given.
func set[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}
