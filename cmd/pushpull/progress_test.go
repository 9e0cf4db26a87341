package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestProgressIsSilentWhenNotATerminal(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	p := newProgress(&b)
	p.update(1, 3)
	p.done()
	assert.Empty(t, b.String(), "a buffer is not a terminal")
	assert.False(t, isTerminal(&b))
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	p := &progress{w: &b, on: true}
	p.update(1, 3)
	p.update(2, 3)
	p.done()
	lines := strings.Split(b.String(), "\r")
	assert.Contains(t, lines[1], "sweep: 1/3 points done")
	assert.Contains(t, lines[2], "sweep: 2/3 points done")
	assert.Equal(t, "\033[K", lines[3], "the line is cleared at the end")
}
