package chatrecall

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadmeTourMatchesExample keeps the README's snippet and Example_tour
// (which the compiler checks) the same code.
func TestReadmeTourMatchesExample(t *testing.T) {
	src, err := os.ReadFile("example_test.go")
	require.NoError(t, err)
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(src), "// README:begin\n")
	require.True(t, ok)
	body, _, ok := strings.Cut(rest, "\t// README:end")
	require.True(t, ok)
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	want := "```go\n" + strings.Join(lines, "\n") + "\n```"
	require.Contains(t, string(readme), want)
}
