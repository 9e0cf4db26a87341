package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

const versionUsage = `Usage: pushpull version

Prints pushpull's version and the Go toolchain it was built with.
`

func versionCommand(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlags("version", versionUsage, stdout)
	rest, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("version takes no arguments")
	}
	fmt.Fprintf(stdout, "pushpull %s (%s %s/%s)\n", currentVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

func currentVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
