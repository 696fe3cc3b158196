package kinesis

import "github.com/virga/virga/internal/awsproto"

// resources names the stream a call acts on
// (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME), by its StreamARN or
// StreamName, for IAM authorization; a consumer's operations act on the
// consumer's ARN when they name it. Calls that name none (ListStreams)
// are authorized on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if arn := awsproto.InputString(in, "ConsumerARN"); arn != "" {
		return []string{arn}
	}
	if arn := awsproto.InputString(in, "StreamARN"); arn != "" {
		return []string{arn}
	}
	if name := awsproto.InputString(in, "StreamName"); name != "" {
		return []string{s.arn(name)}
	}
	return nil
}
