package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatrecall/chatrecall/takedown"
)

// TestContain: the account is muted and logged out, the receipt is written
// (and never overwritten), --undo reads it back; bad flags send nothing.
func TestContain(t *testing.T) {
	dir := t.TempDir()
	receipt := filepath.Join(dir, "mallory.receipt")
	r := runCLI(t, nil, "", "--demo", "contain", "--account", "mallory", "--receipt", receipt)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "mallory: mutes before: one-to-one none, groups none")
	assert.Contains(t, r.stdout, "mallory: muted: one-to-one permanent, groups permanent")
	assert.Contains(t, r.stdout, "logged out")
	b, err := os.ReadFile(receipt)
	require.NoError(t, err)
	var rec takedown.Receipt
	require.NoError(t, json.Unmarshal(b, &rec))
	assert.Equal(t, "mallory", rec.Account)
	assert.True(t, rec.Kicked)
	require.NotNil(t, rec.SetC2C)

	r = runCLI(t, nil, "", "--demo", "contain", "--account", "mallory", "--receipt", receipt)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "exists")

	r = runCLI(t, nil, "", "--demo", "contain", "--undo", receipt)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "mallory: mutes restored")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"contain"}, "--account is required"},
		{[]string{"contain", "--account", "a\x00b"}, "control character"},
		{[]string{"contain", "--account", "m", "--mute", "1.5s"}, "--mute"},
		{[]string{"contain", "--account", "m", "--undo", receipt}, "give it alone"},
		{[]string{"contain", "--undo", filepath.Join(dir, "missing")}, "--undo"},
	} {
		r := runCLI(t, nil, "", append([]string{"--demo"}, tc.args...)...)
		assert.Equal(t, exitUsage, r.code, tc.args)
		assert.Contains(t, r.stderr, tc.want, tc.args)
	}
	r = runCLI(t, nil, "", "--demo", "--dry-run", "contain", "--account", "mallory", "--mute", "24h", "--receipt", filepath.Join(dir, "dry"))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "for 24h0m0s")
	assert.NoFileExists(t, filepath.Join(dir, "dry"), "a dry run writes no receipt")
}
