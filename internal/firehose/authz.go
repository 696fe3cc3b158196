package firehose

import "github.com/virga/virga/internal/awsproto"

// resources names the Firehose stream a call acts on
// (arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME) for IAM
// authorization. ListDeliveryStreams names none and is authorized on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if name := awsproto.InputString(in, "DeliveryStreamName"); name != "" {
		return []string{s.arn(name)}
	}
	return nil
}
