package main

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/pushpull/pushpull/sim/live"
)

const serveUsage = `Usage: pushpull serve FILE [-speedup k] [-seed N] [-set PATH=VALUE]...

Runs the store of the scenario in FILE alone, on 127.0.0.1, prints its URL
and serves its API until interrupted (Ctrl-C): the same API a live run polls,
answered by the same model, its events created as the clock reaches them.

  GET /v1/events?client=NAME&after=SEQ&limit=N&resource=R&wait=D
  GET /v1/events/evt_SEQ
  GET /v1/state

client names one of the scenario's clients, whose rate-limit bucket the
request takes from; without it, requests share one bucket. wait makes a long
poll. Durations on the wire (wait, Retry-After) are in scenario time.
docs/live.md describes every parameter and answer.

Examples:
  pushpull serve scenarios/ecommerce-orders.yaml
  pushpull serve scenarios/flash-sale.yaml -speedup 60
`

func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", serveUsage, stdout)
	speedup := fs.Float64("speedup", 1, "the store's clock runs `k` times faster than the wall clock")
	seed := fs.Uint64("seed", 0, "seed of every random stream, instead of the scenario's")
	var sets setFlags
	fs.Var(&sets, "set", "`PATH=VALUE` to set a field of the scenario (repeatable)")
	files, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageErrorf("serve takes one scenario file, got %d (pushpull serve -h)", len(files))
	}
	if k := *speedup; !(k > 0) || math.IsInf(k, 0) {
		return usageErrorf("-speedup must be a positive number, got %v", k)
	}
	sc, err := loadOne("serve", files[0], sets)
	if err != nil {
		return err
	}
	if fs.given("seed") {
		sc.Seed = *seed
	}
	return live.Serve(ctx, sc, live.ServeOptions{Speedup: *speedup, Started: func(url string) {
		fmt.Fprintln(stdout, url)
		fmt.Fprintf(stderr, "serving the store of %s; try: curl '%s/v1/events?after=0&limit=5'\nCtrl-C stops it\n", sc.Name, url)
	}})
}
