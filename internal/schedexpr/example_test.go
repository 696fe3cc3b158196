package schedexpr_test

import (
	"fmt"
	"time"

	"github.com/virga/virga/internal/schedexpr"
)

func Example() {
	ny, _ := time.LoadLocation("America/New_York")
	s, err := schedexpr.Parse("cron(30 2 ? * SUN *)", schedexpr.Options{
		Dialect:  schedexpr.DialectScheduler,
		Location: ny,
	})
	if err != nil {
		panic(err)
	}
	// 02:30 does not exist on 10 March 2024 in New York: that week is skipped.
	t := time.Date(2024, 3, 1, 0, 0, 0, 0, ny)
	for range 3 {
		t, _ = s.Next(t)
		fmt.Println(t.Format(time.RFC3339))
	}
	// Output:
	// 2024-03-03T02:30:00-05:00
	// 2024-03-17T02:30:00-04:00
	// 2024-03-24T02:30:00-04:00
}

func ExampleParse_errors() {
	_, err := schedexpr.Parse("rate(1 minutes)", schedexpr.Options{Dialect: schedexpr.DialectRule})
	fmt.Println(err)
	_, err = schedexpr.Parse("rate(10 seconds)", schedexpr.Options{Dialect: schedexpr.DialectScheduler})
	fmt.Println(err)
	// Output:
	// Parameter ScheduleExpression is not valid.
	// Invalid Schedule Expression rate(10 seconds).
}

func ExampleOptions_start() {
	created := time.Date(2024, 5, 1, 9, 12, 40, 0, time.UTC)
	s, _ := schedexpr.Parse("rate(2 hours)", schedexpr.Options{Start: created})
	// The first fire is the start, rounded up to a whole minute.
	first, _ := s.Next(created)
	second, _ := s.Next(first)
	fmt.Println(first.Format(time.RFC3339), second.Format(time.RFC3339))
	// Output: 2024-05-01T09:13:00Z 2024-05-01T11:13:00Z
}
