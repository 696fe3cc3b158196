package ssm

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
)

// Value and version limits, from the PutParameter API reference and
// "Managing parameter tiers" in the User Guide.
const (
	// maxStandardValue: "Standard parameters have a value limit of 4 KB."
	maxStandardValue = 4096
	// maxAdvancedValue: "Advanced parameters have a value limit of 8 KB."
	maxAdvancedValue = 8192
	// maxVersions: Parameter Store keeps the 100 most recent versions of
	// a parameter and deletes the oldest to make room for a new one.
	maxVersions = 100
	// maxTags: up to 50 tags per resource.
	maxTags = 50
)

// amiID is the format an aws:ec2:image parameter's value must have.
var amiID = regexp.MustCompile(`^ami-[0-9a-f]{8}([0-9a-f]{9})?$`)

func (s *Service) arn(name string) string {
	if !strings.HasPrefix(name, "/") {
		name = "/" + name
	}
	return "arn:aws:ssm:" + s.region + ":" + s.account + ":parameter" + name
}

func callerARN(ctx context.Context, account string) string {
	if c := awsproto.CallFrom(ctx); c != nil && c.Caller.ARN != "" {
		return c.Caller.ARN
	}
	return "arn:aws:iam::" + account + ":root"
}

func (s *Service) putParameter(ctx context.Context, in *PutParameterRequest) (*PutParameterResult, error) {
	name := deref(in.Name)
	if err := validName(name, s.arn(name)); err != nil {
		return nil, err
	}
	value := deref(in.Value)
	if strings.Contains(value, "{{") && strings.Contains(value, "}}") {
		return nil, ErrValidation.WithMessage(`Parameter value can't nest another parameter. Do not use "{{}}" in the value.`)
	}
	if in.Tags != nil && deref(in.Overwrite) {
		return nil, ErrValidation.WithMessage("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.")
	}
	var policies []policyRecord
	if in.Policies != nil {
		var err error
		if policies, err = parsePolicies(*in.Policies); err != nil {
			return nil, err
		}
	}
	if in.DataType != nil {
		switch dt := *in.DataType; dt {
		case "text", "aws:ec2:image", "aws:ssm:integration":
		default:
			return nil, ErrValidation.WithMessage("The following data type is not supported: " + dt + " (Data type names are all lowercase.)")
		}
	}

	var changed []change
	defer func() { s.emitChanges(ctx, changed) }() // after the unlock below
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.load(name)
	if err != nil {
		return nil, err
	}
	if p != nil && !deref(in.Overwrite) {
		return nil, ErrParameterAlreadyExists
	}
	v := version{Type: string(deref(in.Type)), DataType: deref(in.DataType), Description: deref(in.Description),
		AllowedPattern: deref(in.AllowedPattern), KeyID: deref(in.KeyId), Tier: string(deref(in.Tier))}
	if p != nil {
		// An update keeps what it does not restate.
		cur := p.current()
		if v.Type == "" {
			v.Type = cur.Type
		}
		if in.DataType == nil {
			v.DataType = cur.DataType
		}
		if in.Description == nil {
			v.Description = cur.Description
		}
		if in.AllowedPattern == nil {
			v.AllowedPattern = cur.AllowedPattern
		}
		if in.KeyId == nil && v.Type == cur.Type {
			v.KeyID = cur.KeyID
		}
		if v.Tier == "" && cur.Tier == "Advanced" {
			v.Tier = "Advanced"
		}
		if v.Tier == "Standard" && cur.Tier == "Advanced" {
			return nil, ErrValidation.WithMessage("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.")
		}
	}
	switch {
	case in.Policies != nil:
		v.Policies = policies
	case p != nil:
		// "All existing policies are preserved until you send new
		// policies or an empty policy"; a change restarts the wait of
		// a NoChangeNotification.
		for _, r := range p.current().Policies {
			if r.Type == policyNoChangeNotify {
				r.Status = policyStatusPending
			}
			v.Policies = append(v.Policies, r)
		}
	}
	if v.Type == "" {
		return nil, ErrValidation.WithMessage("A parameter type is required when you create a parameter.")
	}
	if v.DataType == "" {
		v.DataType = "text"
	}
	if v.DataType != "text" && v.Type != "String" {
		return nil, ErrValidation.WithMessage("The following data type is not supported for the parameter type " + v.Type + ": " + v.DataType + ". Data types other than text require the String parameter type.")
	}
	if v.DataType == "aws:ec2:image" && !amiID.MatchString(value) {
		return nil, ErrValidation.WithMessage("Parameter value, cannot be validated against dataType: aws:ec2:image. The value must be an AMI ID, such as ami-12345abcdeEXAMPLE.")
	}
	if v.Type == "SecureString" && v.KeyID == "" {
		v.KeyID = "alias/aws/ssm"
	}
	if v.Type != "SecureString" {
		v.KeyID = ""
	}
	if v.Type == "SecureString" {
		if err := s.checkKey(v.KeyID); err != nil {
			return nil, err
		}
	}
	switch v.Tier {
	case "", "Standard":
		if len(v.Policies) > 0 {
			return nil, ErrValidation.WithMessage("Parameter policies are supported only by advanced parameters. Use the Advanced tier (or Intelligent-Tiering) to add policies to " + name + ".")
		}
		if len(value) > maxStandardValue {
			return nil, ErrValidation.WithMessage("Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html")
		}
		v.Tier = "Standard"
	case "Advanced":
	case "Intelligent-Tiering":
		// Intelligent-Tiering picks Standard when the parameter fits it.
		v.Tier = "Standard"
		if len(value) > maxStandardValue || len(v.Policies) > 0 || (p != nil && p.current().Tier == "Advanced") {
			v.Tier = "Advanced"
		}
	}
	if len(value) > maxAdvancedValue {
		return nil, ErrValidation.WithMessage("1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to 8192.")
	}
	if v.AllowedPattern != "" {
		re, err := regexp.Compile(v.AllowedPattern)
		if err != nil {
			return nil, ErrInvalidAllowedPattern.WithMessage("The allowed pattern is not a valid regular expression: " + v.AllowedPattern)
		}
		if !re.MatchString(value) {
			return nil, ErrParameterPatternMismatch.WithMessage("Parameter value, cannot be validated against allowedPattern: " + v.AllowedPattern)
		}
	}
	if len(in.Tags) > maxTags {
		return nil, ErrTooManyTags.WithMessage("The Tags parameter contains more than 50 tags.")
	}

	v.Value = value
	if v.Type == "SecureString" {
		v.Value = s.seal(value)
	}
	v.Modified = s.clock.Now().UnixMilli()
	v.User = callerARN(ctx, s.account)
	op := changeUpdate
	if p == nil {
		op = changeCreate
		p = &param{Name: name}
		for _, t := range in.Tags {
			if p.Tags == nil {
				p.Tags = map[string]string{}
			}
			p.Tags[deref(t.Key)] = deref(t.Value)
		}
		v.Version = 1
	} else {
		v.Version = p.current().Version + 1
		if len(p.Versions) >= maxVersions {
			if len(p.Versions[0].Labels) > 0 {
				return nil, ErrParameterMaxVersionLimit.WithMessage("You attempted to create a new version of " + name + " by calling the PutParameter API with the overwrite flag. Version " + strconv.FormatInt(p.Versions[0].Version, 10) + ", the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.")
			}
			p.Versions = p.Versions[1:]
		}
	}
	p.Versions = append(p.Versions, v)
	if err := s.save(p); err != nil {
		return nil, err
	}
	changed = append(changed, change{op: op, name: name, typ: v.Type, description: v.Description})
	exp := expirationOf(&v)
	for i := range v.Policies {
		if at, ok := v.Policies[i].due(&v, exp); ok {
			s.schedule(at)
		}
	}
	return &PutParameterResult{Version: ptr(v.Version), Tier: ptr(ParameterTier(v.Tier))}, nil
}

func modified(ms int64) *time.Time {
	t := time.UnixMilli(ms).UTC()
	return &t
}
