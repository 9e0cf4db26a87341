package main

import (
	"errors"
	"fmt"

	"github.com/pushpull/pushpull/sim/scenario"
)

// Exit codes.
const (
	exitOK        = 0
	exitFailure   = 1 // the run failed
	exitUsage     = 2 // usage error or invalid scenario
	exitThreshold = 3 // a threshold of the scenario was breached
)

// codedError is an error that decides pushpull's exit code.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &codedError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// silentUsageError exits 2 without a message, after the usage was printed.
func silentUsageError() error { return &codedError{code: exitUsage, err: errors.New("")} }

// errHelp is returned after help was printed as asked: exit 0, no message.
var errHelp = &codedError{code: exitOK, err: errors.New("")}

// exitCode is the exit code err calls for.
func exitCode(err error) int {
	var coded *codedError
	if errors.As(err, &coded) {
		return coded.code
	}
	var problems scenario.Problems
	if errors.As(err, &problems) {
		return exitUsage
	}
	return exitFailure
}
