package cloudcontrol

import (
	"errors"
	"slices"
	"testing"
)

// TestPage: pages follow one another through NextToken to the end, and a
// token this service did not hand out is InvalidRequestException.
func TestPage(t *testing.T) {
	t.Parallel()
	items := []int{1, 2, 3, 4, 5}
	var got []int
	var token *string
	for range 3 {
		p, next, err := page(items, token, ptr(int32(2)))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p...)
		if token = next; token == nil {
			break
		}
	}
	if !slices.Equal(got, items) || token != nil {
		t.Errorf("pages = %v, last token %v", got, token)
	}
	if p, next, _ := page(items, nil, nil); len(p) != 5 || next != nil {
		t.Errorf("default page = %v, %v", p, next)
	}
	for _, bad := range []string{"x", "-1", "6"} {
		if _, _, err := page(items, ptr(bad), nil); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("page(%q) = %v", bad, err)
		}
	}
}
