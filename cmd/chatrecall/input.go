package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/chatrecall/chatrecall"
)

// maxItems bounds one run's input: 10 million items (the plan alone is
// 40 MB of sequence numbers).
const maxItems = 10_000_000

// items is the input of a bulk command, with where each item came from, so
// that an error can name it: "item 3 of --seq", "line 7 of seqs.txt".
type items struct {
	seqs []uint32 // group: sequence numbers
	keys []string // official and c2c: message keys
	from []string // c2c: each message's sender
	to   []string // c2c: and its receiver
	pos  []uint32 // per item: the token of --seq / --key, or the line of the file
	src  string   // "--seq", "--key", a file name, or "stdin"
	toks []string // per token of --seq/--key, for error messages (nil for files)
}

func (in *items) len() int {
	if in.keys != nil {
		return len(in.keys)
	}
	return len(in.seqs)
}

// name is item i as text.
func (in *items) name(i int) string {
	if in.keys != nil {
		return in.keys[i]
	}
	return strconv.FormatUint(uint64(in.seqs[i]), 10)
}

// where describes the position of item i.
func (in *items) where(i int) string {
	p := in.pos[i]
	if in.toks != nil {
		return fmt.Sprintf("%s item %d (%s)", in.src, p, in.toks[p-1])
	}
	return fmt.Sprintf("%s line %d", in.src, p)
}

// source opens the flag value or the file (- for stdin) the items come from.
func source(cmd, inline, inlineName, file string, stdin io.Reader) (io.Reader, string, bool, error) {
	switch {
	case inline != "" && file != "":
		return nil, "", false, usagef("%s: give %s or --items-file, not both", cmd, inlineName)
	case inline != "":
		return strings.NewReader(inline), inlineName, true, nil
	case file == "-":
		return stdin, "stdin", false, nil
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return nil, "", false, usagef("%s: --items-file: cannot read %s", cmd, file)
		}
		return f, file, false, nil
	}
	return nil, "", false, usagef("%s: %s or --items-file is required", cmd, inlineName)
}

// tokens calls fn for every comma- or space-separated token of r, with its
// position: the token's index for an inline list, its line for a file.
func tokens(r io.Reader, inline bool, fn func(tok string, pos uint32) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line, tok := uint32(0), uint32(0)
	for sc.Scan() {
		line++
		for _, t := range strings.FieldsFunc(sc.Text(), func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
			tok++
			pos := line
			if inline {
				pos = tok
			}
			if err := fn(t, pos); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return usagef("reading the items: %v", err)
	}
	return nil
}

// readSeqs reads sequence numbers and ranges (200-210) and checks them all:
// numbers from 1 to 2^32-1, each once.
func readSeqs(cmd, inline, file string, stdin io.Reader) (*items, error) {
	r, src, isInline, err := source(cmd, inline, "--seq", file, stdin)
	if err != nil {
		return nil, err
	}
	if c, ok := r.(io.Closer); ok && r != stdin {
		defer c.Close()
	}
	in := &items{seqs: []uint32{}, src: src}
	err = tokens(r, isInline, func(t string, pos uint32) error {
		if isInline {
			in.toks = append(in.toks, t)
		}
		at := func() string {
			if isInline {
				return fmt.Sprintf("%s item %d (%s)", src, pos, t)
			}
			return fmt.Sprintf("%s line %d (%s)", src, pos, t)
		}
		lo, hi, isRange := strings.Cut(t, "-")
		a, err := parseSeq(lo)
		if err != nil {
			return usagef("%s: %s: %v; nothing was sent", cmd, at(), err)
		}
		b := a
		if isRange {
			if b, err = parseSeq(hi); err != nil {
				return usagef("%s: %s: %v; nothing was sent", cmd, at(), err)
			}
			if b < a {
				return usagef("%s: %s: a range runs upwards; nothing was sent", cmd, at())
			}
		}
		if uint64(len(in.seqs))+uint64(b-a)+1 > maxItems {
			return usagef("%s: %s: more than %d items in one run; split the input", cmd, at(), maxItems)
		}
		for s := uint64(a); s <= uint64(b); s++ {
			in.seqs = append(in.seqs, uint32(s))
			in.pos = append(in.pos, pos)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(in.seqs) == 0 {
		return nil, usagef("%s: %s holds no sequence numbers; nothing was sent", cmd, src)
	}
	if i, j := firstDuplicate(len(in.seqs), func(a, b int) bool { return in.seqs[a] < in.seqs[b] }, func(a, b int) bool { return in.seqs[a] == in.seqs[b] }); i >= 0 {
		return nil, usagef("%s: %s: %d repeats %s: give each message once; nothing was sent", cmd, in.where(i), in.seqs[i], in.where(j))
	}
	in.pos, in.toks = nil, nil // positions only name input errors
	return in, nil
}

func parseSeq(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a sequence number", s)
	case n == 0:
		return 0, fmt.Errorf("sequence numbers start at 1, got 0")
	case n > chatrecall.MaxMsgSeq:
		return 0, fmt.Errorf("%d is over %d, the largest sequence number", n, uint64(chatrecall.MaxMsgSeq))
	}
	return uint32(n), nil
}

// readKeys reads message keys and checks them all: valid UTF-8 without
// control characters, each once.
func readKeys(cmd, inline, file string, stdin io.Reader) (*items, error) {
	r, src, isInline, err := source(cmd, inline, "--key", file, stdin)
	if err != nil {
		return nil, err
	}
	if c, ok := r.(io.Closer); ok && r != stdin {
		defer c.Close()
	}
	in := &items{keys: []string{}, src: src}
	err = tokens(r, isInline, func(t string, pos uint32) error {
		if isInline {
			in.toks = append(in.toks, t)
		}
		in.keys = append(in.keys, t)
		in.pos = append(in.pos, pos)
		if !utf8.ValidString(t) || strings.IndexFunc(t, unicode.IsControl) >= 0 {
			return usagef("%s: %s: not valid UTF-8 text without control characters; nothing was sent", cmd, in.where(len(in.keys)-1))
		}
		if len(in.keys) > maxItems {
			return usagef("%s: %s: more than %d items in one run; split the input", cmd, in.where(len(in.keys)-1), maxItems)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(in.keys) == 0 {
		return nil, usagef("%s: %s holds no message keys; nothing was sent", cmd, src)
	}
	if i, j := firstDuplicate(len(in.keys), func(a, b int) bool { return in.keys[a] < in.keys[b] }, func(a, b int) bool { return in.keys[a] == in.keys[b] }); i >= 0 {
		return nil, usagef("%s: %s: %q repeats %s: give each message once; nothing was sent", cmd, in.where(i), in.keys[i], in.where(j))
	}
	in.pos, in.toks = nil, nil // positions only name input errors
	return in, nil
}

// firstDuplicate returns the first item (in input order) equal to an
// earlier one, and that earlier one; -1, -1 when all differ. It sorts
// indexes (4 bytes an item), not a map, so a million items stay small.
func firstDuplicate(n int, less, equal func(a, b int) bool) (int, int) {
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	sort.SliceStable(idx, func(a, b int) bool { return less(int(idx[a]), int(idx[b])) })
	dup, orig := -1, -1
	for k := 1; k < n; k++ {
		if a, b := int(idx[k-1]), int(idx[k]); equal(a, b) && (dup < 0 || b < dup) {
			dup, orig = b, a // stable: a is the earliest of the run
		}
	}
	return dup, orig
}
