// Package app is the only place virga is wired together: it opens the
// store, builds the services with their dependencies, puts the edge in
// front of them, and starts and stops them in order.
//
// # Shutdown
//
// App.Shutdown stops the edge (in-flight requests finish until its ctx
// ends), then cancels the background loops (App.background) and waits
// for every one to return, then runs the closers, then closes the store.
// Each loop's Run returns only once the goroutines it or its service
// started are done with the store and with other services (DynamoDB's
// Kinesis deliverer, Logs' subscription deliverer and Insights queries,
// S3's lifecycle loop, EventBridge's API destination requests and OAuth
// token fetches, Lambda's asynchronous invocations and event source
// mappings). A loop that another feeds as it stops is cancelled only once
// that one has returned (stopsAfter): EventBridge after CloudTrail, whose
// last flush puts events on the bus. Whatever still reaches the store
// after it closes gets store.ErrClosed (package store/pebble waits for
// open iterators and snapshots first).
package app
