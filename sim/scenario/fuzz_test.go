package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzParse checks that Parse never panics, that what it rejects comes as
// Problems placed in the file, and that what it accepts can be used.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("../../scenarios/*.yaml")
	require.NoError(f, err)
	require.NotEmpty(f, files, "no shipped scenarios to start from")
	for _, file := range files {
		src, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(src)
	}
	for _, tt := range oneMistake {
		f.Add([]byte(tt.src))
	}

	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("fuzz.yaml", src)
		if err != nil {
			assert.Nil(t, s, "Parse returned a scenario with an error")
			var ps Problems
			require.True(t, errors.As(err, &ps), "Parse(%q) = %T %v; want Problems", src, err, err)
			require.NotEmpty(t, ps, "Parse(%q) returned no problems as an error", src)
			for _, p := range ps {
				assert.Equal(t, "fuzz.yaml", p.File, "Parse(%q): problem %v has File %q; want fuzz.yaml", src, p, p.File)
				assert.NotEmpty(t, p.Msg, "Parse(%q): problem %v has no message", src, p)
				assert.GreaterOrEqual(t, p.Line, 0, "Parse(%q): problem %v", src, p)
			}
			return
		}
		require.NotNil(t, s)
		assert.NoError(t, s.Validate(), "Parse(%q) accepted it; Validate() again", src)
		assert.Positive(t, s.End(), "Parse(%q).End()", src)
		assert.LessOrEqual(t, s.End().D(), MaxDuration, "Parse(%q).End()", src)
		plan := s.Store.Webhooks.Plan()
		offsets := plan.Offsets()
		assert.Len(t, offsets, plan.Attempts(), "Parse(%q): Offsets() and Attempts() disagree", src)
		assert.LessOrEqual(t, offsets[len(offsets)-1], MaxDuration, "Parse(%q): last attempt at %v", src, offsets[len(offsets)-1])
		for i := range s.Clients {
			assert.NotEmpty(t, s.Strategy(i), "Parse(%q).Strategy(%d)", src, i)
		}
		for _, l := range []Latency{s.Network.Latency, s.Store.API.Latency} {
			d := l.Distribution()
			assert.GreaterOrEqual(t, d.Quantile(0.5), time.Duration(0), "Parse(%q): latency %v has a negative median", src, d)
		}
	})
}
