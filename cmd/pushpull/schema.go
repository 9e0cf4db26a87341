package main

import (
	"context"
	"io"

	"github.com/pushpull/pushpull/sim/scenario"
)

const schemaUsage = `Usage: pushpull schema

Prints the JSON Schema of scenario files. Editors that read JSON Schema (for
YAML, with a yaml-language-server modeline) then complete and check fields.
The copy in scenarios/scenario.schema.json is kept current by the tests.

Example:
  pushpull schema > scenario.schema.json
`

func schemaCommand(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlags("schema", schemaUsage, stdout)
	rest, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("schema takes no arguments (pushpull schema -h)")
	}
	data, err := scenario.JSONSchema()
	if err != nil {
		return err
	}
	_, err = stdout.Write(data)
	return err
}
