package lambda

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Function URLs: a function (unqualified, $LATEST or an alias) may have
// one URL, http://URLID.lambda-url.localhost:PORT/ (or, for clients that
// cannot resolve that name, http://127.0.0.1:PORT/_aws/lambda-url/URLID/).
// The configuration lives with the function; the data plane that serves
// the URLs finds the function by its URL id (URLTarget). InvokeMode
// RESPONSE_STREAM sends what a streaming function writes to the client as
// it comes (apigatewayv2's urlStream, through InvokeStream).

// urlConfig is a function URL as the store keeps it.
type urlConfig struct {
	ID         string    `json:"id"`
	AuthType   string    `json:"authType"`
	Cors       *Cors     `json:"cors,omitempty"`
	InvokeMode string    `json:"invokeMode"`
	Created    time.Time `json:"created"`
	Modified   time.Time `json:"modified"`
}

func urlConfigKey(name, qualifier string) []byte { return lambdaKey("fn", name, "url", qualifier) }

// urlIDLength is the length of AWS's URL ids (lowercase letters and
// digits).
const urlIDLength = 32

var numericQualifier = regexp.MustCompile(`^[0-9]+$`)

// errURLFunctionMissing is what CreateFunctionUrlConfig,
// UpdateFunctionUrlConfig and ListFunctionUrlConfigs answer for a
// function or alias that does not exist; GetFunctionUrlConfig and
// DeleteFunctionUrlConfig answer ErrResourceNotFound's plain sentence.
var errURLFunctionMissing = ErrResourceNotFound.WithMessage("Function does not exist")

// urlTarget resolves FunctionName and Qualifier for the URL operations;
// a URL belongs to the function or an alias, never a version or $LATEST.
// changing is set for Create and Update, which word a missing function or
// alias their own way. The caller holds s.mu.
func (s *Service) urlTarget(name string, qualifier *string, changing bool) (*function, string, error) {
	t, err := s.parseTarget(name, qualifier)
	if err != nil {
		return nil, "", err
	}
	if t.Qualifier == latest || numericQualifier.MatchString(t.Qualifier) {
		return nil, "", ErrValidation.Withf("1 validation error detected: Value '%s' at 'qualifier' failed to satisfy constraint: "+
			"Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)", t.Qualifier)
	}
	missing := ErrResourceNotFound
	if changing {
		missing = errURLFunctionMissing
	}
	fn := s.functions[t.Name]
	if fn == nil {
		return nil, "", missing
	}
	if t.Qualifier != "" && fn.Aliases[t.Qualifier] == nil {
		return nil, "", missing
	}
	return fn, t.Qualifier, nil
}

// functionURL is the address of a URL id, on the port virga listens on.
func (s *Service) functionURL(id string) string {
	port := ""
	if u, err := url.Parse(s.endpoint()); err == nil && u.Port() != "" {
		port = ":" + u.Port()
	}
	return "http://" + id + ".lambda-url.localhost" + port + "/"
}

func checkURLConfig(authType *FunctionUrlAuthType, cors *Cors, mode *InvokeMode) error {
	if authType != nil && *authType != "NONE" && *authType != "AWS_IAM" {
		return invalidParameter("1 validation error detected: Value '%s' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]", *authType)
	}
	if cors != nil {
		for _, m := range cors.AllowMethods {
			switch strings.ToUpper(m) {
			case "*", "GET", "PUT", "HEAD", "POST", "PATCH", "DELETE":
			default:
				return invalidParameter("The allowed methods in the CORS configuration are not valid: %s", m)
			}
		}
	}
	return nil
}

func (s *Service) createFunctionUrlConfig(ctx context.Context, in *CreateFunctionUrlConfigRequest) (*CreateFunctionUrlConfigResponse, error) {
	if err := checkURLConfig(in.AuthType, in.Cors, in.InvokeMode); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, q, err := s.urlTarget(*in.FunctionName, in.Qualifier, true)
	if err != nil {
		return nil, err
	}
	arn := s.qualifiedARN(fn.Name, q)
	if fn.URLs[q] != nil {
		return nil, ErrResourceConflict.Withf("Failed to create function url config for [functionArn = %s]. Error message:  FunctionUrlConfig exists for this Lambda function", arn)
	}
	now := s.clock.Now()
	mode := "BUFFERED"
	if in.InvokeMode != nil {
		mode = string(*in.InvokeMode)
	}
	c := &urlConfig{ID: s.newURLID(), AuthType: string(*in.AuthType), Cors: in.Cors, InvokeMode: mode, Created: now, Modified: now}
	if err := s.putURL(fn, q, c); err != nil {
		return nil, err
	}
	// Lambda's answer names InvokeMode only when the request did;
	// GetFunctionUrlConfig always gives it.
	return &CreateFunctionUrlConfigResponse{FunctionUrl: ptr(s.functionURL(c.ID)), FunctionArn: &arn,
		AuthType: ptr(FunctionUrlAuthType(c.AuthType)), Cors: c.Cors, CreationTime: ptr(urlTime(c.Created)),
		InvokeMode: in.InvokeMode}, nil
}

// newURLID returns an unused URL id; the caller holds s.mu.
func (s *Service) newURLID() string {
	for {
		id := strings.ToLower(s.ids.Hex(urlIDLength / 2))
		if _, used := s.urlIndex[id]; !used {
			return id
		}
	}
}

// putURL stores fn's URL for qualifier q; the caller holds s.mu.
func (s *Service) putURL(fn *function, q string, c *urlConfig) error {
	fn = fn.clone()
	if fn.URLs == nil {
		fn.URLs = map[string]*urlConfig{}
	}
	fn.URLs[q] = c
	w := s.newWrites()
	w.put(urlConfigKey(fn.Name, q), c)
	if err := s.commitFunction(w, fn); err != nil {
		return err
	}
	s.urlIndex[c.ID] = target{Name: fn.Name, Qualifier: q}
	return nil
}

func urlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func (s *Service) urlConfigOut(fn *function, q string, c *urlConfig) FunctionUrlConfig {
	return FunctionUrlConfig{FunctionUrl: ptr(s.functionURL(c.ID)), FunctionArn: ptr(s.qualifiedARN(fn.Name, q)),
		AuthType: ptr(FunctionUrlAuthType(c.AuthType)), Cors: c.Cors, CreationTime: ptr(urlTime(c.Created)),
		LastModifiedTime: ptr(urlTime(c.Modified)), InvokeMode: ptr(InvokeMode(c.InvokeMode))}
}

func (s *Service) getFunctionUrlConfig(ctx context.Context, in *GetFunctionUrlConfigRequest) (*GetFunctionUrlConfigResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn, q, err := s.urlTarget(*in.FunctionName, in.Qualifier, false)
	if err != nil {
		return nil, err
	}
	c := fn.URLs[q]
	if c == nil {
		return nil, ErrResourceNotFound
	}
	o := s.urlConfigOut(fn, q, c)
	return &GetFunctionUrlConfigResponse{FunctionUrl: o.FunctionUrl, FunctionArn: o.FunctionArn, AuthType: o.AuthType,
		Cors: o.Cors, CreationTime: o.CreationTime, LastModifiedTime: o.LastModifiedTime, InvokeMode: o.InvokeMode}, nil
}

func (s *Service) updateFunctionUrlConfig(ctx context.Context, in *UpdateFunctionUrlConfigRequest) (*UpdateFunctionUrlConfigResponse, error) {
	if err := checkURLConfig(in.AuthType, in.Cors, in.InvokeMode); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, q, err := s.urlTarget(*in.FunctionName, in.Qualifier, true)
	if err != nil {
		return nil, err
	}
	old := fn.URLs[q]
	if old == nil {
		return nil, ErrResourceNotFound
	}
	c := *old
	if in.AuthType != nil {
		c.AuthType = string(*in.AuthType)
	}
	if in.Cors != nil {
		c.Cors = in.Cors
	}
	if in.InvokeMode != nil {
		c.InvokeMode = string(*in.InvokeMode)
	}
	c.Modified = s.clock.Now()
	if err := s.putURL(fn, q, &c); err != nil {
		return nil, err
	}
	o := s.urlConfigOut(fn, q, &c)
	// As CreateFunctionUrlConfig, InvokeMode only when the request named it.
	return &UpdateFunctionUrlConfigResponse{FunctionUrl: o.FunctionUrl, FunctionArn: o.FunctionArn, AuthType: o.AuthType,
		Cors: o.Cors, CreationTime: o.CreationTime, LastModifiedTime: o.LastModifiedTime, InvokeMode: in.InvokeMode}, nil
}

func (s *Service) deleteFunctionUrlConfig(ctx context.Context, in *DeleteFunctionUrlConfigRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, q, err := s.urlTarget(*in.FunctionName, in.Qualifier, false)
	if err != nil {
		return nil, err
	}
	c := fn.URLs[q]
	if c == nil {
		return nil, ErrResourceNotFound
	}
	fn = fn.clone()
	delete(fn.URLs, q)
	w := s.newWrites()
	w.del(urlConfigKey(fn.Name, q))
	if err := s.commitFunction(w, fn); err != nil {
		return nil, err
	}
	delete(s.urlIndex, c.ID)
	return nil, nil
}

func (s *Service) listFunctionUrlConfigs(ctx context.Context, in *ListFunctionUrlConfigsRequest) (*ListFunctionUrlConfigsResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.parseTarget(*in.FunctionName, nil)
	if err != nil {
		return nil, err
	}
	fn := s.functions[t.Name]
	if fn == nil {
		return nil, errURLFunctionMissing
	}
	page, next, err := paginate(sortedKeys(fn.URLs), func(q string) string { return q }, in.Marker, in.MaxItems, 50)
	if err != nil {
		return nil, err
	}
	out := &ListFunctionUrlConfigsResponse{FunctionUrlConfigs: []FunctionUrlConfig{}, NextMarker: next}
	for _, q := range page {
		out.FunctionUrlConfigs = append(out.FunctionUrlConfigs, s.urlConfigOut(fn, q, fn.URLs[q]))
	}
	return out, nil
}

// URLTarget is what a function URL serves: the function (and qualifier)
// to invoke, and the URL's settings.
type URLTarget struct {
	// Function is the function's ARN, qualified when the URL is an
	// alias's.
	Function string
	AuthType string
	Cors     *Cors
	// InvokeMode is BUFFERED or RESPONSE_STREAM.
	InvokeMode string
}

// URLTarget finds the function a URL id belongs to.
func (s *Service) URLTarget(id string) (URLTarget, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.urlIndex[id]
	if !ok {
		return URLTarget{}, false
	}
	fn := s.functions[t.Name]
	if fn == nil || fn.URLs[t.Qualifier] == nil {
		return URLTarget{}, false
	}
	c := fn.URLs[t.Qualifier]
	if c.ID != id {
		return URLTarget{}, false // the id of a URL since deleted
	}
	return URLTarget{Function: s.qualifiedARN(t.Name, t.Qualifier), AuthType: c.AuthType, Cors: c.Cors, InvokeMode: c.InvokeMode}, true
}
