package ec2

import (
	"slices"
	"testing"

	"github.com/virga/virga/internal/cfn/template"
)

// TestZonesAreGetAZs: the zones EC2 reports are the ones Fn::GetAZs
// gives a template, so a stack's subnets can be created in them.
func TestZonesAreGetAZs(t *testing.T) {
	t.Parallel()
	for _, region := range []string{"us-east-1", "eu-west-3"} {
		v, err := template.Eval(map[string]any{"Fn::GetAZs": region}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var azs []string
		for _, z := range v.([]any) {
			azs = append(azs, z.(string))
		}
		if got := Zones(region); !slices.Equal(got, azs) || len(got) == 0 {
			t.Errorf("%s: Zones %v, Fn::GetAZs %v", region, got, azs)
		}
	}
}
