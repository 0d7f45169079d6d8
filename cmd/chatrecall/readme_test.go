package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shellWords splits a command line as a shell would, for the quoting the
// README uses ("..." and '...').
func shellWords(t *testing.T, line string) []string {
	var words []string
	var cur strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(c)
		case c == '"' || c == '\'':
			quote, in = c, true
		case c == ' ':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	require.Zero(t, quote, "unbalanced quotes: %s", line)
	if in {
		words = append(words, cur.String())
	}
	return words
}

// TestReadmeRunsAsShown: every command the README's incident section shows
// runs against the demo as written (the incident table's with --demo added,
// as the README says to), and succeeds.
func TestReadmeRunsAsShown(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := string(b)
	_, incident, ok := strings.Cut(readme, "## In an incident")
	require.True(t, ok)
	incident, _, _ = strings.Cut(incident, "\n## ")
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile("seqs.txt", []byte("4001\n4002\n4003\n"), 0o644))

	// The table: each line on a demo of its own.
	table := regexp.MustCompile("`(chatrecall [^`]+)`")
	ran := 0
	for _, l := range strings.Split(incident, "\n") {
		if !strings.HasPrefix(l, "| ") || strings.HasPrefix(l, "| What") {
			continue
		}
		for _, m := range table.FindAllStringSubmatch(l, -1) {
			if strings.Contains(m[1], "HOST") {
				continue // needs the receivers' Redis
			}
			args := append([]string{"--demo", "--yes", "--demo-state", filepath.Join(t.TempDir(), "state")}, shellWords(t, m[1])[1:]...)
			r := runCLI(t, nil, "", args...)
			assert.Equal(t, exitOK, r.code, "%s\n%s", m[1], r.stderr)
			ran++
		}
	}
	assert.GreaterOrEqual(t, ran, 7)

	// The rehearsal: in order, on one demo.
	_, block, ok := strings.Cut(incident, "```sh\n")
	require.True(t, ok)
	block, _, _ = strings.Cut(block, "```")
	t.Chdir(t.TempDir()) // its files are its own
	state := filepath.Join(t.TempDir(), "state")
	steps := 0
	for _, l := range strings.Split(block, "\n") {
		l, _, _ = strings.Cut(l, " # ")
		words := shellWords(t, strings.TrimSpace(l))
		if len(words) < 2 || words[0] != "chatrecall" {
			continue
		}
		r := runCLI(t, nil, "", append([]string{"--demo-state", state}, words[1:]...)...)
		assert.Equal(t, exitOK, r.code, "%s\n%s", l, r.stderr)
		steps++
	}
	assert.Equal(t, 7, steps)
}
