package logs

import (
	"fmt"
	"testing"
)

func TestEmbeddedMetricsOf(t *testing.T) {
	for _, c := range []struct {
		name, msg string
		want      string
	}{
		{"dimensions and a list of values",
			`{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["a","b"],["a"]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"a":"x","b":"y","M":[1,2]}` + "\n",
			"[N/M[[a x] [b y]] Count 1 N/M[[a x] [b y]] Count 2 N/M[[a x]] Count 1 N/M[[a x]] Count 2]"},
		{"no dimensions, no unit", `{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M"}]}]},"M":3.5}`,
			"[N/M[] None 3.5]"},
		{"not JSON", `START RequestId: 1 "_aws"`, "[]"},
		{"no timestamp", `{"_aws":{"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M"}]}]},"M":1}`, "[]"},
		{"a dimension that is not a string", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["a"]],"Metrics":[{"Name":"M"}]}]},"a":1,"M":1}`, "[]"},
		{"a missing value", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M"}]}]}}`, "[]"},
		{"no namespace", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Dimensions":[[]],"Metrics":[{"Name":"M"}]}]},"M":1}`, "[]"},
		{"text around the document", `x {"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M"}]}]},"M":1}`, "[]"},
	} {
		var got []string
		for _, p := range embeddedMetricsOf(c.msg) {
			got = append(got, fmt.Sprintf("%s/%s%v %s %v", p.Namespace, p.Name, p.Dimensions, p.Unit, p.Value))
		}
		if fmt.Sprint(got) != c.want {
			t.Errorf("%s: %v, want %s", c.name, got, c.want)
		}
	}
}

func FuzzEmbeddedMetricsOf(f *testing.F) {
	f.Add(`{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["a"]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"a":"x","M":[1,2]}`)
	f.Add(`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M"}]}]},"M":1e308}`)
	f.Add(`{"_aws":null}`)
	f.Fuzz(func(t *testing.T, msg string) {
		for _, p := range embeddedMetricsOf(msg) {
			if p.Namespace == "" || p.Name == "" || p.Unit == "" {
				t.Fatalf("%q published %+v", msg, p)
			}
		}
	})
}
