package chatrecall

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Input is checked before anything is sent. Every string that goes on the
// wire must be valid UTF-8 without control characters: JSON would replace
// invalid bytes (so the answer would name another item than the one asked
// for), and a NUL or a newline in an ID is never what the caller meant.

// checkCtx refuses a nil context, as net/http does, instead of panicking.
func checkCtx(method string, ctx context.Context) error {
	if ctx == nil {
		return invalidf(method, "ctx", "is nil; pass context.Background() or the caller's context")
	}
	return nil
}

// checkText refuses invalid UTF-8 and control characters in s.
func checkText(method, field, s string) error {
	if !utf8.ValidString(s) {
		i := 0
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return invalidf(method, field, "is not valid UTF-8 (bad byte 0x%02x at offset %d of %d)", s[i], i, len(s))
	}
	for i, r := range s {
		if unicode.IsControl(r) {
			return invalidf(method, field, "contains the control character %U at byte %d; IDs, keys and texts may not", r, i)
		}
	}
	return nil
}

// checkRequired refuses an empty s, then checks it as checkText does.
func checkRequired(method, field, s, what string) error {
	if s == "" {
		return invalidf(method, field, "is required (%s), got an empty string", what)
	}
	return checkText(method, field, s)
}

// MaxReasonBytes caps the Reason of a group or official-account recall. The
// documentation gives 100 bytes for official accounts and no figure for
// groups; the client applies the same cap to both.
const MaxReasonBytes = 100

func validateReason(method, reason string) error {
	if len(reason) > MaxReasonBytes {
		return invalidf(method, "Reason", "is %d bytes; at most %d bytes are allowed (bytes, not characters)", len(reason), MaxReasonBytes)
	}
	return checkText(method, "Reason", reason)
}

// checkUniqueKeys refuses empty, malformed and duplicate keys, naming the
// index.
func checkUniqueKeys(method, field string, keys []string) error {
	for i, k := range keys {
		f := field + "[" + strconv.Itoa(i) + "]"
		if k == "" {
			return invalidf(method, f, "is empty")
		}
		if err := checkText(method, f, k); err != nil {
			return err
		}
	}
	if i, j := firstDuplicate(keys); i >= 0 {
		return invalidf(method, field+"["+strconv.Itoa(i)+"]", "duplicate of %s[%d] (%q)", field, j, keys[i])
	}
	return nil
}

// firstDuplicate returns the index of the first element equal to an earlier
// one, and that earlier index; -1, -1 when all differ. Small inputs (one
// request's worth) are compared pairwise, with no map to allocate.
func firstDuplicate[K comparable](keys []K) (int, int) {
	if len(keys) <= 16 {
		for i := 1; i < len(keys); i++ {
			for j := 0; j < i; j++ {
				if keys[i] == keys[j] {
					return i, j
				}
			}
		}
		return -1, -1
	}
	seen := make(map[K]int, len(keys))
	for i, k := range keys {
		if j, dup := seen[k]; dup {
			return i, j
		}
		seen[k] = i
	}
	return -1, -1
}

// checkJSONValue refuses a value that JSON cannot carry faithfully: a type
// encoding/json cannot encode (functions, channels, complex numbers), NaN or
// an infinity, and strings (keys included) with invalid UTF-8 or control
// characters. field names the path for the error.
func checkJSONValue(method, field string, v any) error {
	return checkReflect(method, field, reflect.ValueOf(v), 0)
}

func checkReflect(method, field string, v reflect.Value, depth int) error {
	if depth > 64 {
		return invalidf(method, field, "nests deeper than 64 levels")
	}
	if !v.IsValid() {
		return nil
	}
	if v.Type().Implements(reflect.TypeFor[json.Marshaler]()) {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return nil
		}
		b, err := json.Marshal(v.Interface())
		if err != nil {
			return invalidf(method, field, "cannot be encoded as JSON: %v", err)
		}
		var back any
		if err := json.Unmarshal(b, &back); err != nil {
			return invalidf(method, field, "encodes to invalid JSON: %v", err)
		}
		return checkReflect(method, field, reflect.ValueOf(back), depth+1)
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return checkReflect(method, field, v.Elem(), depth+1)
	case reflect.String:
		return checkText(method, field, v.String())
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return invalidf(method, field, "is %v, which JSON cannot encode", f)
		}
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // []byte: base64 in JSON
		}
		fallthrough
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if err := checkReflect(method, field+"["+strconv.Itoa(i)+"]", v.Index(i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			if _, err := json.Marshal(v.Interface()); err != nil {
				return invalidf(method, field, "cannot be encoded as JSON: %v", err)
			}
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			ks := fmt.Sprint(k.Interface())
			name := field + "[" + strconv.Quote(ks) + "]"
			if k.Kind() == reflect.String {
				if err := checkText(method, name+" (key)", k.String()); err != nil {
					return err
				}
			}
			if err := checkReflect(method, name, v.MapIndex(k), depth+1); err != nil {
				return err
			}
		}
	case reflect.Struct:
		if _, err := json.Marshal(v.Interface()); err != nil {
			return invalidf(method, field, "cannot be encoded as JSON: %v", err)
		}
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if !t.Field(i).IsExported() {
				continue
			}
			if err := checkReflect(method, field+"."+t.Field(i).Name, v.Field(i), depth+1); err != nil {
				return err
			}
		}
	default:
		return invalidf(method, field, "is a %s, which JSON cannot encode", v.Kind())
	}
	return nil
}
