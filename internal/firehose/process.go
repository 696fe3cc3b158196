package firehose

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Data transformation, as Firehose's guide "Transform source data"
// describes it: before a buffer is written, its records go to the
// processor's Lambda function, synchronously, in batches of at most
// BufferSizeInMBs, as
//
//	{"invocationId", "deliveryStreamArn", "region",
//	 "records": [{"recordId", "approximateArrivalTimestamp", "data" (base64)}]}
//
// and the function answers {"records": [{"recordId", "result", "data"}]}.
// Records whose result is Ok are delivered as the function returned
// them, Dropped ones are not delivered, and ProcessingFailed ones (and
// all of a batch whose invocation failed NumberOfRetries+1 times, or
// whose answer does not account for a record) are written under
// ErrorOutputPrefix as one JSON document each.

// Defaults of a Lambda processor's parameters, as the API reference
// gives them.
const (
	defaultProcessorRetries = 3
	defaultProcessorSizeMBs = 1
	// defaultErrorOutputPrefix is where failed records go when the
	// destination names no ErrorOutputPrefix.
	defaultErrorOutputPrefix = "processing-failed/"
)

// processor is a destination's Lambda processor, read from its
// ProcessingConfiguration.
type processor struct {
	function string
	retries  int
	size     int // bytes of record data in one invocation
}

// processorOf reads the Lambda processor of a configuration: nil when
// processing is disabled or has no processor.
func processorOf(p *ProcessingConfiguration) (*processor, error) {
	if p == nil || !deref(p.Enabled) || len(p.Processors) == 0 {
		return nil, nil
	}
	var out *processor
	for _, pr := range p.Processors {
		if t := string(deref(pr.Type)); t != "Lambda" {
			return nil, unsupported("Processor type " + t)
		}
		if out != nil {
			return nil, ErrInvalidArgument.Withf("Only one Lambda processor is allowed.")
		}
		out = &processor{retries: defaultProcessorRetries, size: defaultProcessorSizeMBs * mib}
		for _, param := range pr.Parameters {
			v := deref(param.ParameterValue)
			switch name := string(deref(param.ParameterName)); name {
			case "LambdaArn":
				out.function = v
			case "NumberOfRetries":
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 || n > 300 {
					return nil, ErrInvalidArgument.Withf("NumberOfRetries must be an integer between 0 and 300, got %s.", v)
				}
				out.retries = n
			case "BufferSizeInMBs":
				n, err := strconv.ParseFloat(v, 64)
				if err != nil || n <= 0 || n > 3 {
					return nil, ErrInvalidArgument.Withf("BufferSizeInMBs must be a number between 0.2 and 3, got %s.", v)
				}
				out.size = int(n * mib)
			case "RoleArn":
				// The role is kept and described; virga invokes the
				// function without assuming it.
			case "BufferIntervalInSeconds":
				// Records reach the function when their buffer is due,
				// which the destination's hints decide.
				// "The Lambda buffering interval hint ranges between 0
				// and 900 seconds."
				if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 900 {
					return nil, ErrInvalidArgument.Withf("BufferIntervalInSeconds must be an integer between 0 and 900, got %s.", v)
				}
			default:
				return nil, unsupported("Processor parameter " + name)
			}
		}
		if out.function == "" {
			return nil, ErrInvalidArgument.Withf("LambdaArn is required for a Lambda processor.")
		}
	}
	return out, nil
}

// taken is a buffered record read for delivery.
type taken struct {
	arrived int64
	data    []byte
}

type transformEvent struct {
	InvocationID      string            `json:"invocationId"`
	DeliveryStreamARN string            `json:"deliveryStreamArn"`
	Region            string            `json:"region"`
	Records           []transformRecord `json:"records"`
}

type transformRecord struct {
	RecordID string `json:"recordId"`
	Arrival  int64  `json:"approximateArrivalTimestamp,omitempty"`
	Result   string `json:"result,omitempty"`
	Data     []byte `json:"data"`
}

// failedRecord is a record written under ErrorOutputPrefix, as the guide
// "Handle failure in data transformation" shows it.
type failedRecord struct {
	AttemptsMade           int    `json:"attemptsMade"`
	ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
	ErrorCode              string `json:"errorCode"`
	ErrorMessage           string `json:"errorMessage"`
	AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
	RawData                []byte `json:"rawData"`
	LambdaARN              string `json:"lambdaArn"`
}

// transform runs records through the processor and returns what is to
// be delivered (Ok records' data, concatenated) and what is to be
// written under ErrorOutputPrefix (one JSON document a line).
func (s *Service) transform(ctx context.Context, st *deliveryStream, p *processor, recs []taken) (ok, failed []byte) {
	for len(recs) > 0 {
		n, size := 0, 0
		for n < len(recs) && (n == 0 || size+len(recs[n].data) <= p.size) {
			size += len(recs[n].data)
			n++
		}
		o, f := s.invokeProcessor(ctx, st, p, recs[:n])
		ok, failed = append(ok, o...), append(failed, f...)
		recs = recs[n:]
	}
	return ok, failed
}

// invokeProcessor runs one batch through the function, trying again
// NumberOfRetries times when the invocation fails.
func (s *Service) invokeProcessor(ctx context.Context, st *deliveryStream, p *processor, recs []taken) (ok, failed []byte) {
	ev := transformEvent{InvocationID: s.ids.UUID(), DeliveryStreamARN: s.arn(st.Name), Region: s.region}
	for i, r := range recs {
		ev.Records = append(ev.Records, transformRecord{RecordID: strconv.Itoa(i), Arrival: r.arrived, Data: r.data})
	}
	payload, err := json.Marshal(&ev)
	if err != nil {
		return nil, nil
	}
	var code, msg string
	attempts := 0
	for attempts <= p.retries && ctx.Err() == nil {
		attempts++
		code, msg = "", ""
		out, fnErr, err := s.invokeSync(ctx, p.function, payload)
		switch {
		case err != nil:
			code, msg = "Lambda.InvokeFailed", err.Error()
		case fnErr != "":
			code, msg = "Lambda.FunctionError", string(out)
		}
		if code != "" {
			continue
		}
		var resp struct {
			Records []transformRecord `json:"records"`
		}
		if err := json.Unmarshal(out, &resp); err != nil {
			code, msg = "Lambda.JsonProcessingException", "The response from the function could not be parsed: "+err.Error()
			break
		}
		results := make(map[string]transformRecord, len(resp.Records))
		for _, r := range resp.Records {
			results[r.RecordID] = r
		}
		end := s.clock.Now().UnixMilli()
		for i, r := range recs {
			res, found := results[strconv.Itoa(i)]
			switch {
			case !found:
				failed = appendFailed(failed, attempts, r, "Lambda.MissingRecordId", "recordId is missing from the response.", end, p.function)
			case res.Result == "Ok":
				ok = append(ok, res.Data...)
			case res.Result == "Dropped":
			case res.Result == "ProcessingFailed":
				failed = appendFailed(failed, attempts, r, "Lambda.ProcessingFailedStatus", "ProcessingFailed status set for record", end, p.function)
			default:
				failed = appendFailed(failed, attempts, r, "Lambda.InvalidStatus", fmt.Sprintf("Invalid status %q for record.", res.Result), end, p.function)
			}
		}
		return ok, failed
	}
	end := s.clock.Now().UnixMilli()
	for _, r := range recs {
		failed = appendFailed(failed, attempts, r, code, msg, end, p.function)
	}
	return nil, failed
}

func (s *Service) invokeSync(ctx context.Context, function string, payload []byte) ([]byte, string, error) {
	if s.fns == nil {
		return nil, "", fmt.Errorf("no Lambda to invoke %s", function)
	}
	ctx, cancel := context.WithTimeout(ctx, processorTimeout)
	defer cancel()
	return s.fns.InvokeSync(ctx, function, payload)
}

// processorTimeout bounds one invocation of a processor: Firehose
// invokes the function for at most 5 minutes.
const processorTimeout = 5 * time.Minute

func appendFailed(out []byte, attempts int, r taken, code, msg string, end int64, function string) []byte {
	raw, err := json.Marshal(&failedRecord{AttemptsMade: attempts, ArrivalTimestamp: r.arrived, ErrorCode: code, ErrorMessage: msg,
		AttemptEndingTimestamp: end, RawData: r.data, LambdaARN: function})
	if err != nil {
		return out
	}
	return append(append(out, raw...), '\n')
}
