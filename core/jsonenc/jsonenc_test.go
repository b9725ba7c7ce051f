package jsonenc

import (
	"encoding/json"
	"testing"
)

// FuzzAppendString holds AppendString to json.Marshal's bytes for any
// string, valid UTF-8 or not.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `quote " and \ back`, "<a href='x'>&amp;</a>",
		"\x00\x01\b\f\n\r\t\x1f\x7f", "caf\u00e9 \u2028\u2029 \U0001F600", "\xff\xfe bad \xc3", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("AppendString(%q) = %s, json.Marshal = %s", s, got, want)
		}
	})
}

// FuzzCompact holds Compact to encoding/json: the bytes json.Marshal
// writes for a json.RawMessage when it is JSON, an error when it is not.
func FuzzCompact(f *testing.F) {
	for _, s := range []string{`{}`, ` { "a" : [ 1 , -2.5e+3, true, false, null, "x y" ] } `, "\"<b>&\u2028\u2029\"", `"\u003c\"\\\/\b\f\n\r\t"`,
		`{"a":}`, ``, " ", "\"\xff\"", `01`, `1.`, `-`, `[1,]`, `{"a":1,}`, `"\x"`, `"\u12"`, `[[[[]]]]`, "\"\x1f\"", `{"a" 1}`, `nul`, `1 2`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) == 0 { // json.Marshal writes a nil RawMessage as null
			if _, err := Compact(nil, src); err == nil {
				t.Fatal("Compact of nothing succeeded")
			}
			return
		}
		want, wantErr := json.Marshal(json.RawMessage(src))
		got, err := Compact(nil, src)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("Compact(%q): error %v, json.Marshal: error %v", src, err, wantErr)
		}
		if err == nil && string(got) != string(want) {
			t.Fatalf("Compact(%q) = %s, json.Marshal = %s", src, got, want)
		}
	})
}
