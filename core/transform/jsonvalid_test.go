package transform

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestValidJSONAgreesWithEncodingJSON holds validJSON to json.Valid on
// hand-picked edge cases and on every one-byte change of a few documents.
func TestValidJSONAgreesWithEncodingJSON(t *testing.T) {
	cases := []string{
		``, ` `, `{}`, `[]`, `{ }`, `[ ]`, `{"a":1}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a"}`, `{"a":}`, `{a:1}`, `{"a" 1}`,
		`{"a":1 "b":2}`, `[1 2]`, `{"a":[1,{"b":null}],"c":"d"}`, `{} {}`, `{}x`, ` {} `, "\t[\n1\r]\n",
		`"x"`, `"`, `"\"`, `"\\"`, `"\u00e9"`, `"\u00g9"`, `"\u00e"`, `"\x"`, `"\/\b\f\n\r\t"`, "\"a\x01\"", "\"a\x7f\"", "\"\xff\"",
		`0`, `-0`, `01`, `-`, `1.`, `.1`, `1.5`, `1e5`, `1E+5`, `1e-5`, `1e`, `1e+`, `-1.5e-300`, `+1`, `1.5.5`, `0x10`, `Infinity`, `NaN`,
		`true`, `false`, `null`, `tru`, `nul`, `nulll`, `True`, `[true,false,null]`, `{"a":true}x`,
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
		strings.Repeat("[", 100),
	}
	docs := []string{
		`{"id":"res_1","n":-4.5e2,"ok":[true,false,null],"g":{"e":"a\"b\\c\u00e9"},"x":[]}`,
		`[{"a":{}},[],"s",0]`,
	}
	for _, doc := range docs {
		for i := 0; i <= len(doc); i++ {
			for _, c := range []string{"", " ", "{", "}", "[", "]", ",", ":", `"`, `\`, "0", "-", ".", "e", "a", "\x01"} {
				if i < len(doc) {
					cases = append(cases, doc[:i]+c+doc[i+1:]) // replace
				}
				cases = append(cases, doc[:i]+c+doc[i:]) // insert
			}
		}
	}
	for _, c := range cases {
		if got, want := validJSON(c), json.Valid([]byte(c)); got != want {
			t.Errorf("validJSON(%.80q) = %v, json.Valid says %v", c, got, want)
		}
	}
	t.Logf("%d documents compared", len(cases))
}
