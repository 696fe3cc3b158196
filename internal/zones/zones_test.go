package zones

import (
	"slices"
	"testing"
)

func TestNames(t *testing.T) {
	t.Parallel()
	if got, want := Names("eu-west-3"), []string{"eu-west-3a", "eu-west-3b", "eu-west-3c"}; !slices.Equal(got, want) {
		t.Errorf("Names(eu-west-3) = %v, want %v", got, want)
	}
}
