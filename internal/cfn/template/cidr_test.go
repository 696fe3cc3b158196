package template

import (
	"reflect"
	"testing"
)

func TestCidr(t *testing.T) {
	t.Parallel()
	runEvalCases(t, []evalCase{
		// The example of AWS's Fn::Cidr documentation: six /27s in a /24.
		{yaml: `!Cidr ["192.168.0.0/24", 6, 5]`, want: []any{
			"192.168.0.0/27", "192.168.0.32/27", "192.168.0.64/27",
			"192.168.0.96/27", "192.168.0.128/27", "192.168.0.160/27",
		}},
		{yaml: `{"Fn::Cidr": ["192.168.0.0/24", "2", "5"]}`, want: []any{"192.168.0.0/27", "192.168.0.32/27"}},
		{yaml: `!Cidr [10.0.0.0/16, 3, 8]`, want: []any{"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"}},
		{yaml: `!Cidr [10.0.0.0/16, 1, 16]`, want: []any{"10.0.0.0/16"}},
		{yaml: `!Cidr [10.0.0.0/24, 8, 5]`, want: []any{
			"10.0.0.0/27", "10.0.0.32/27", "10.0.0.64/27", "10.0.0.96/27",
			"10.0.0.128/27", "10.0.0.160/27", "10.0.0.192/27", "10.0.0.224/27",
		}},
		{yaml: `!Cidr [10.0.5.7/16, 2, 12]`, want: []any{"10.0.0.0/20", "10.0.16.0/20"}}, // host bits are dropped
		{yaml: `!Cidr [10.0.0.0/8, 2, 0]`, want: []any{"10.0.0.0/32", "10.0.0.1/32"}},
		{yaml: `!Cidr ["2001:db8::/56", 3, 64]`, want: []any{"2001:db8::/64", "2001:db8:0:1::/64", "2001:db8:0:2::/64"}},
		{yaml: `!Cidr ["2600:1f16:abc:de00::/56", 2, 64]`, want: []any{"2600:1f16:abc:de00::/64", "2600:1f16:abc:de01::/64"}},
		{yaml: `!Select [1, !Cidr [172.16.0.0/12, 4, 16]]`, want: "172.17.0.0/16"},
		{yaml: `!Cidr [10.0.0.0/24, 9, 5]`, err: "Template error: Fn::Cidr: 10.0.0.0/24 cannot hold 9 blocks of 5 subnet bits"},
		{yaml: `!Cidr [10.0.0.0/24, 1, 9]`, err: "Template error: Fn::Cidr: 9 subnet bits do not fit in 10.0.0.0/24"},
		{yaml: `!Cidr [10.0.0.0/24, 0, 4]`, err: "Template error: Fn::Cidr: the count must be between 1 and 256"},
		{yaml: `!Cidr [10.0.0.0/8, 257, 4]`, err: "Template error: Fn::Cidr: the count must be between 1 and 256"},
		{yaml: `!Cidr [10.0.0.0, 1, 4]`, err: "Template error: Fn::Cidr: 10.0.0.0 is not a valid CIDR block"},
		{yaml: `!Cidr [10.0.0.0/8, x, 4]`, err: "Template error: " + errCidrArgs},
		{yaml: `!Cidr [10.0.0.0/8, 4]`, err: "Template error: " + errCidrArgs},
	})
}

func TestCidrLargeIPv6Split(t *testing.T) {
	t.Parallel()
	blocks, err := cidrBlocks("2001:d00::/24", 256, 96)
	if err != nil {
		t.Fatal(err)
	}
	if blocks[0] != "2001:d00::/32" || blocks[1] != "2001:d01::/32" || blocks[255] != "2001:dff::/32" {
		t.Errorf("blocks %v ... %v", blocks[:2], blocks[255])
	}
	blocks, err = cidrBlocks("2001:db8::/48", 256, 72)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"2001:db8::/56", "2001:db8:0:100::/56"}; !reflect.DeepEqual(blocks[:2], want) {
		t.Errorf("blocks %v", blocks[:2])
	}
}
