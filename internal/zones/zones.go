package zones

// Names returns the names of region's availability zones: the region's
// name followed by "a", "b" and "c", as AWS names the first three zones
// of most regions.
func Names(region string) []string {
	return []string{region + "a", region + "b", region + "c"}
}
