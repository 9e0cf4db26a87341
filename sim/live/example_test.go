package live_test

import (
	"context"
	"fmt"
	"time"

	"github.com/pushpull/pushpull/sim/live"
	"github.com/pushpull/pushpull/sim/scenario"
)

// A scenario runs live exactly as it is written for the simulation: here an
// hour of a store and two clients, 600 times faster than the wall clock.
func ExampleRun() {
	sc, err := scenario.Parse("example.yaml", []byte(`
name: example
duration: 1h
drain: 1m
store:
  arrivals: {process: constant, rate: 1/m}
clients:
  - {name: poll-30s, poll: {interval: 30s}}
  - {name: webhook, webhook: {}}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := live.Run(context.Background(), sc, live.Options{Speedup: 600})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Run.Runner, res.Store.Emitted, "events")
	poll, hook := res.Client("poll-30s"), res.Client("webhook")
	fmt.Printf("poll-30s: %d delivered, %d polls\n", poll.Delivered, poll.Requests.Total)
	fmt.Printf("webhook: %d delivered\n", hook.Delivered)
	// Output:
	// live 60 events
	// poll-30s: 60 delivered, 120 polls
	// webhook: 60 delivered
}

// A clock maps wall-clock time to scenario time, here 60 times faster.
func ExampleNewClock() {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c := live.NewClock(start, 60)
	fmt.Println(c.Instant(start.Add(time.Second)))
	fmt.Println(c.Scale(time.Hour))
	// Output:
	// 1m0s
	// 1m0s
}
