package kinesis

import "testing"

// The ranges a stream's shards get are those AWS shows for new streams.
func TestEvenRanges(t *testing.T) {
	cases := map[int][][2]string{
		1: {{"0", "340282366920938463463374607431768211455"}},
		2: {{"0", "170141183460469231731687303715884105727"}, {"170141183460469231731687303715884105728", "340282366920938463463374607431768211455"}},
		4: {{"0", "85070591730234615865843651857942052863"}, {"85070591730234615865843651857942052864", "170141183460469231731687303715884105727"},
			{"170141183460469231731687303715884105728", "255211775190703847597530955573826158591"}, {"255211775190703847597530955573826158592", "340282366920938463463374607431768211455"}},
	}
	for n, want := range cases {
		got := evenRanges(n)
		for i := range want {
			if got[i][0].String() != want[i][0] || got[i][1].String() != want[i][1] {
				t.Errorf("%d shards, shard %d: %v-%v, want %v", n, i, got[i][0], got[i][1], want[i])
			}
		}
	}
}

func TestParseHashKey(t *testing.T) {
	for s, ok := range map[string]bool{"0": true, "340282366920938463463374607431768211455": true,
		"340282366920938463463374607431768211456": false, "-1": false, "x": false, "": false} {
		if _, got := parseHashKey(s); got != ok {
			t.Errorf("parseHashKey(%q) ok = %v", s, got)
		}
	}
}
