package s3

import (
	"testing"

	"github.com/virga/virga/internal/awsproto/prototest"
)

// TestCheckBucketTags: a bucket's tag set may hold CloudFormation's aws:
// tags on its calls (reserved), which do not count toward the 50 tags a
// bucket may have, but a caller's aws: key and a 51st tag are refused.
func TestCheckBucketTags(t *testing.T) {
	t.Parallel()
	stack := prototest.TagsAtLimit(maxBucketTags, func(k, v string) Tag { return Tag{Key: strptr(k), Value: strptr(v)} })
	own := stack[:maxBucketTags]
	cases := []struct {
		name     string
		set      []Tag
		reserved bool
		want     string // the error's message, "" for none
	}{
		{"own tags", own, false, ""},
		{"and CloudFormation's", stack, true, ""},
		{"aws: from a caller", stack, false, "Your TagKey cannot be prefixed with aws:"},
		{"one too many", append(stack, Tag{Key: strptr("k50"), Value: strptr("v")}), true, "Bucket tag count cannot be greater than 50"},
	}
	for _, c := range cases {
		_, err := checkTags(c.set, maxBucketTags, c.reserved)
		if (err == nil) != (c.want == "") || err != nil && !containsMessage(err, c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
