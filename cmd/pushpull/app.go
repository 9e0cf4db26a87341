package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one subcommand of pushpull.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"run":      {"run a scenario or a sweep, print the comparison and write the report", runCommand},
	"report":   {"render the report of a results.json or sweep.json again", reportCommand},
	"compare":  {"compare two results.json per client and flag regressions", compareCommand},
	"model":    {"print what theory predicts for a scenario, without running it", modelCommand},
	"validate": {"check scenario files and report every problem", validateCommand},
	"schema":   {"print the JSON Schema of scenario files", schemaCommand},
	"version":  {"print pushpull's version", versionCommand},
}

var commandOrder = []string{"run", "model", "report", "compare", "validate", "schema", "version"}

const usageText = `pushpull answers "poll or take webhooks?" with evidence: it runs every client
strategy of a scenario against the same simulated store and reports latency,
requests, waste and loss, side by side.

Usage:
  pushpull <command> [arguments]

Commands:
%s
Examples:
  pushpull run scenarios/ecommerce-orders.yaml
  pushpull run scenarios/rare-events.yaml -seed 7 -out /tmp/runs
  pushpull run scenarios/ecommerce-orders.yaml -set clients.poll-10s.poll.interval=1s,10s,1m,5m
  pushpull report out/ecommerce-orders/results.json
  pushpull compare base/results.json new/results.json -tolerance 0.05
  pushpull model scenarios/receiver-outage.yaml
  pushpull validate scenarios/*.yaml
  pushpull schema > scenario.schema.json

Run 'pushpull <command> -h' for a command's flags.
Exit codes: 0 ok, 1 the run failed (compare: a regression), 2 usage error or
invalid scenario or input, 3 a threshold of the scenario was breached.
`

func usage(w io.Writer) {
	var b strings.Builder
	for _, name := range commandOrder {
		fmt.Fprintf(&b, "  %-9s %s\n", name, commands[name].summary)
	}
	fmt.Fprintf(w, usageText, b.String())
}

// run is pushpull with its arguments, its output streams and a context that
// is cancelled on interrupt.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return silentUsageError()
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(rest) > 0 {
			if cmd, ok := commands[rest[0]]; ok {
				return cmd.run(ctx, []string{"-h"}, stdout, stderr)
			}
		}
		usage(stdout)
		return nil
	}
	cmd, ok := commands[name]
	if !ok {
		return usageErrorf("unknown command %q; the commands are %s (pushpull -h)", name, strings.Join(commandOrder, ", "))
	}
	return cmd.run(ctx, rest, stdout, stderr)
}

// flagSet is a subcommand's flags and the usage text printed for -h.
type flagSet struct {
	*flag.FlagSet
	text string
	out  io.Writer
}

// newFlags returns a flag set whose help prints text, then the flags.
func newFlags(name, text string, stdout io.Writer) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // parse prints the usage for -h, and only then
	return &flagSet{FlagSet: fs, text: text, out: stdout}
}

func (fs *flagSet) printUsage() {
	fmt.Fprint(fs.out, fs.text)
	var flags strings.Builder
	fs.SetOutput(&flags)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if flags.Len() > 0 {
		fmt.Fprintf(fs.out, "\nFlags:\n%s", flags.String())
	}
}

// parse parses args, allowing flags after positional arguments as in
// "pushpull run FILE -seed 3". It returns the positional arguments; a
// request for help prints the usage and returns errHelp.
func (fs *flagSet) parse(args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.printUsage()
				return nil, errHelp
			}
			return nil, usageErrorf("%s: %v (pushpull %s -h)", fs.Name(), err, fs.Name())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if rest[0] == "--" {
			return append(positional, rest[1:]...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// given reports whether the flag named name was set on the command line.
func (fs *flagSet) given(name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			given = true
		}
	})
	return given
}
