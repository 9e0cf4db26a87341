// Command pushpull runs polling and webhook strategies side by side against
// a simulated store and reports how fast events arrive, what they cost and
// what is lost.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/pushpull/pushpull/sim/scenario"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var problems scenario.Problems
		switch msg := err.Error(); {
		case errors.As(err, &problems):
			fmt.Fprintln(os.Stderr, msg) // each line names its file already
		case msg != "":
			fmt.Fprintln(os.Stderr, "pushpull:", msg)
		}
		os.Exit(exitCode(err))
	}
}
