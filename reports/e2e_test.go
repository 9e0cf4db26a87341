package reports

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromium finds the browser the end-to-end test drives. make test installs
// it from Debian's packages when it is missing (scripts/chromium.sh).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Fatal("chromium is not installed: the report's end-to-end test opens report.html in it. " +
		"make test installs it (scripts/chromium.sh); or run apt-get install chromium")
	return ""
}

// headless runs Chromium without a window, a profile or a network, with
// extra arguments, and returns what it printed on stdout.
func headless(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(),
	}
	cmd := exec.CommandContext(ctx, chromium(t), append(base, args...)...)
	out, err := cmd.Output()
	require.NoError(t, err, "chromium %v", args)
	return string(out)
}

// writeFiles writes a report's files under dir, as the command does.
func writeFiles(t *testing.T, dir string, fs []File) {
	t.Helper()
	for _, f := range fs {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, f.Data, 0o644))
	}
}

// The report opens from disk in a real browser and every chart in it is
// drawn: the page's own script checks each inline SVG has a size and
// content once loaded, and Chromium prints the page as it then stands.
func TestReportRendersInABrowser(t *testing.T) {
	t.Parallel()
	cases := map[string][]File{}
	run, err := render(sixClients(t), Options{}, false)
	require.NoError(t, err)
	cases["run"] = run
	sweep, err := renderSweep(pollSweep(t), Options{}, false)
	require.NoError(t, err)
	cases["sweep"] = sweep
	for name, fs := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFiles(t, dir, fs)
			page := "file://" + filepath.Join(dir, "report.html")
			dom := headless(t, "--virtual-time-budget=5000", "--dump-dom", page)

			charts := regexp.MustCompile(`data-charts="(\d+)"`).FindStringSubmatch(dom)
			require.NotNil(t, charts, "the page has no data-charts attribute:\n%.2000s", dom)
			want, _ := strconv.Atoi(charts[1])
			require.Positive(t, want)
			rendered := regexp.MustCompile(`data-charts-rendered="(\d+)"`).FindStringSubmatch(dom)
			require.NotNil(t, rendered, "the page's check did not run")
			assert.Equal(t, charts[1], rendered[1], "every chart is drawn")
			figures := regexp.MustCompile(`<figure[^>]*data-rendered="(yes|no)"`).FindAllStringSubmatch(dom, -1)
			assert.Len(t, figures, want)
			for _, f := range figures {
				assert.Equal(t, "yes", f[1], "a chart was not drawn: %s", f[0])
			}

			shot := filepath.Join(dir, "page.png")
			headless(t, "--hide-scrollbars", "--window-size=1100,3000", "--screenshot="+shot, page)
			info, err := os.Stat(shot)
			require.NoError(t, err)
			assert.Greater(t, info.Size(), int64(50_000), "a screenshot of the page has content")
		})
	}
}
