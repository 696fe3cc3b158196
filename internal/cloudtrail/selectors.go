package cloudtrail

import (
	"context"
	"strings"
)

// Limits on a trail's selectors, from CloudTrail's documentation.
const (
	// maxEventSelectors: "You can configure up to five event selectors
	// for each trail."
	maxEventSelectors = 5
	// maxDataResourceValues: "you can specify up to 250 data resources
	// for a trail" across its basic event selectors.
	maxDataResourceValues = 250
	// maxAdvancedConditions: "up to a maximum of 500 values for all
	// conditions and selectors on a trail".
	maxAdvancedConditions = 500
)

// Data resource types basic event selectors take.
const (
	typeS3Object   = "AWS::S3::Object"
	typeLambdaFunc = "AWS::Lambda::Function"
	typeDynamoDB   = "AWS::DynamoDB::Table"
)

// facts are what selectors look at in an event.
type facts struct {
	management bool
	readOnly   bool
	name       string // eventName
	source     string // eventSource
	// resourceType and resourceARN name a data event's resource
	// (AWS::S3::Object, arn:aws:s3:::BUCKET/KEY).
	resourceType, resourceARN string
}

// takes reports whether the trail's selectors log the event.
func (t *trailRecord) takes(f *facts) bool {
	if len(t.AdvancedEventSelectors) > 0 {
		for _, sel := range t.AdvancedEventSelectors {
			if advancedTakes(sel, f) {
				return true
			}
		}
		return false
	}
	sels := t.EventSelectors
	if !t.Custom {
		sels = defaultSelectors
	}
	for _, sel := range sels {
		if basicTakes(sel, f) {
			return true
		}
	}
	return false
}

// defaultSelectors are a new trail's: every management event, no data
// events.
var defaultSelectors = []EventSelector{{ReadWriteType: ptr(ReadWriteType("All")), IncludeManagementEvents: ptr(true)}}

func basicTakes(sel EventSelector, f *facts) bool {
	switch deref(sel.ReadWriteType) {
	case "ReadOnly":
		if !f.readOnly {
			return false
		}
	case "WriteOnly":
		if f.readOnly {
			return false
		}
	}
	if f.management {
		if sel.IncludeManagementEvents != nil && !*sel.IncludeManagementEvents {
			return false
		}
		for _, ex := range sel.ExcludeManagementEventSources {
			if ex == f.source {
				return false
			}
		}
		return true
	}
	for _, dr := range sel.DataResources {
		if deref(dr.Type) != f.resourceType {
			continue
		}
		for _, v := range dr.Values {
			if dataValueTakes(dr.Type, v, f.resourceARN) {
				return true
			}
		}
	}
	return false
}

// dataValueTakes reports whether a basic selector's data resource value
// covers arn: "arn:aws:s3" (or "arn:aws:s3:::") is every bucket,
// "arn:aws:s3:::BUCKET/PREFIX" objects under a prefix; "arn:aws:lambda"
// and "arn:aws:dynamodb" every function or table, otherwise the ARN
// itself.
func dataValueTakes(typ *string, value, arn string) bool {
	switch deref(typ) {
	case typeS3Object:
		if value == "arn:aws:s3" || value == "arn:aws:s3:::" {
			return true
		}
		return strings.HasPrefix(arn, value)
	case typeLambdaFunc:
		return value == "arn:aws:lambda" || value == arn || strings.HasPrefix(arn, value+":")
	case typeDynamoDB:
		return value == "arn:aws:dynamodb" || value == arn
	}
	return false
}

func advancedTakes(sel AdvancedEventSelector, f *facts) bool {
	for _, fs := range sel.FieldSelectors {
		var v string
		switch deref(fs.Field) {
		case "eventCategory":
			v = "Data"
			if f.management {
				v = "Management"
			}
		case "readOnly":
			v = "false"
			if f.readOnly {
				v = "true"
			}
		case "eventName":
			v = f.name
		case "eventSource":
			v = f.source
		case "resources.type":
			v = f.resourceType
		case "resources.ARN":
			v = f.resourceARN
		default:
			return false
		}
		if !fieldTakes(fs, v) {
			return false
		}
	}
	return true
}

// fieldTakes applies one field selector's conditions to a value: each
// operator that is given must hold (any of an Equals, StartsWith or
// EndsWith list; none of a NotEquals, NotStartsWith or NotEndsWith
// list).
func fieldTakes(fs AdvancedFieldSelector, v string) bool {
	anyOf := func(list []string, match func(string, string) bool) bool {
		for _, x := range list {
			if match(v, x) {
				return true
			}
		}
		return false
	}
	eq := func(a, b string) bool { return a == b }
	if len(fs.Equals) > 0 && !anyOf(fs.Equals, eq) {
		return false
	}
	if len(fs.StartsWith) > 0 && !anyOf(fs.StartsWith, strings.HasPrefix) {
		return false
	}
	if len(fs.EndsWith) > 0 && !anyOf(fs.EndsWith, strings.HasSuffix) {
		return false
	}
	if anyOf(fs.NotEquals, eq) || anyOf(fs.NotStartsWith, strings.HasPrefix) || anyOf(fs.NotEndsWith, strings.HasSuffix) {
		return false
	}
	return true
}

// checkBasic validates basic event selectors.
func checkBasic(sels []EventSelector) error {
	if len(sels) > maxEventSelectors {
		return ErrInvalidEventSelectors.Withf("A trail can have at most %d event selectors.", maxEventSelectors)
	}
	values := 0
	for _, sel := range sels {
		for _, dr := range sel.DataResources {
			typ := deref(dr.Type)
			var service string
			switch typ {
			case typeS3Object:
				service = "s3"
			case typeLambdaFunc:
				service = "lambda"
			case typeDynamoDB:
				service = "dynamodb"
			default:
				return ErrInvalidEventSelectors.Withf("Value %s for parameter DataResources.Type is invalid.", typ)
			}
			for _, v := range dr.Values {
				if v != "arn:aws:"+service && !strings.HasPrefix(v, "arn:aws:"+service+":") {
					return ErrInvalidEventSelectors.Withf("Value %s for parameter DataResources.Values is invalid.", v)
				}
				values++
			}
		}
	}
	if values > maxDataResourceValues {
		return ErrInvalidEventSelectors.Withf("The total number of data resources values for a trail must not exceed %d.", maxDataResourceValues)
	}
	return nil
}

// advancedFields are the fields advanced event selectors filter on.
var advancedFields = map[string]bool{"eventCategory": true, "readOnly": true, "eventName": true, "eventSource": true,
	"resources.type": true, "resources.ARN": true, "eventType": true, "userIdentity.arn": true, "errorCode": true,
	"sessionCredentialFromConsole": true, "vpcEndpointId": true}

// checkAdvanced validates advanced event selectors.
func checkAdvanced(sels []AdvancedEventSelector) error {
	conditions := 0
	for _, sel := range sels {
		hasCategory := false
		for _, fs := range sel.FieldSelectors {
			field := deref(fs.Field)
			if !advancedFields[field] {
				return ErrInvalidEventSelectors.Withf("Invalid field %s in an advanced event selector.", field)
			}
			if field == "eventCategory" {
				hasCategory = true
			}
			n := len(fs.Equals) + len(fs.StartsWith) + len(fs.EndsWith) + len(fs.NotEquals) + len(fs.NotStartsWith) + len(fs.NotEndsWith)
			if n == 0 {
				return ErrInvalidEventSelectors.Withf("Field %s in an advanced event selector has no condition.", field)
			}
			conditions += n
		}
		if !hasCategory {
			return ErrInvalidEventSelectors.WithMessage("An advanced event selector must have an eventCategory field.")
		}
	}
	if conditions > maxAdvancedConditions {
		return ErrInvalidEventSelectors.Withf("The total number of conditions of a trail's advanced event selectors must not exceed %d.", maxAdvancedConditions)
	}
	return nil
}

func (s *Service) putEventSelectors(ctx context.Context, in *PutEventSelectorsRequest) (*PutEventSelectorsResponse, error) {
	switch {
	case in.EventSelectors != nil && in.AdvancedEventSelectors != nil:
		return nil, ErrInvalidParameterCombination.WithMessage("You cannot specify both EventSelectors and AdvancedEventSelectors.")
	case in.EventSelectors == nil && in.AdvancedEventSelectors == nil:
		return nil, ErrInvalidParameterCombination.WithMessage("You must specify either EventSelectors or AdvancedEventSelectors.")
	}
	if err := checkBasic(in.EventSelectors); err != nil {
		return nil, err
	}
	if err := checkAdvanced(in.AdvancedEventSelectors); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.lookup(*in.TrailName)
	if err != nil {
		return nil, err
	}
	t := *cur
	t.EventSelectors, t.AdvancedEventSelectors, t.Custom = nil, nil, true
	for _, sel := range in.EventSelectors {
		// Defaults as CloudTrail fills them in.
		if sel.ReadWriteType == nil {
			sel.ReadWriteType = ptr(ReadWriteType("All"))
		}
		if sel.IncludeManagementEvents == nil {
			sel.IncludeManagementEvents = ptr(true)
		}
		t.EventSelectors = append(t.EventSelectors, sel)
	}
	t.AdvancedEventSelectors = in.AdvancedEventSelectors
	if err := s.save(&t); err != nil {
		return nil, err
	}
	s.trails[t.Name] = &t
	s.publish()
	out := &PutEventSelectorsResponse{TrailARN: ptr(s.trailARN(t.Name))}
	out.EventSelectors, out.AdvancedEventSelectors = selectorsOut(&t)
	return out, nil
}

// selectorsOut is what GetEventSelectors and PutEventSelectors answer:
// the basic selectors (the default one until others are put), or the
// advanced ones.
func selectorsOut(t *trailRecord) ([]EventSelector, []AdvancedEventSelector) {
	if len(t.AdvancedEventSelectors) > 0 {
		return nil, t.AdvancedEventSelectors
	}
	sels := t.EventSelectors
	if !t.Custom {
		sels = defaultSelectors
	}
	out := make([]EventSelector, len(sels))
	for i, sel := range sels {
		if sel.DataResources == nil {
			sel.DataResources = []DataResource{}
		}
		if sel.ExcludeManagementEventSources == nil {
			sel.ExcludeManagementEventSources = []string{}
		}
		out[i] = sel
	}
	return out, nil
}

func (s *Service) getEventSelectors(ctx context.Context, in *GetEventSelectorsRequest) (*GetEventSelectorsResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(*in.TrailName)
	if err != nil {
		return nil, err
	}
	out := &GetEventSelectorsResponse{TrailARN: ptr(s.trailARN(t.Name))}
	out.EventSelectors, out.AdvancedEventSelectors = selectorsOut(t)
	return out, nil
}

// activeTrails is what the recording path reads: the trails that log,
// and the data resource types any of their selectors may take.
type activeTrails struct {
	trails    []*trailRecord
	dataTypes map[string]bool
}

// publish recomputes the active trails. mu must be held (or the
// service not yet shared).
func (s *Service) publish() {
	a := &activeTrails{dataTypes: map[string]bool{}}
	for _, t := range s.sortedTrails() {
		if !t.Logging {
			continue
		}
		a.trails = append(a.trails, t)
		for _, sel := range t.EventSelectors {
			for _, dr := range sel.DataResources {
				a.dataTypes[deref(dr.Type)] = true
			}
		}
		for _, sel := range t.AdvancedEventSelectors {
			data, types := false, []string(nil)
			for _, fs := range sel.FieldSelectors {
				switch deref(fs.Field) {
				case "eventCategory":
					for _, v := range fs.Equals {
						data = data || v == "Data"
					}
				case "resources.type":
					types = append(types, fs.Equals...)
				}
			}
			if data {
				for _, typ := range types {
					a.dataTypes[typ] = true
				}
			}
		}
	}
	s.active.Store(a)
}
