package console

import (
	"strings"
	"testing"
)

func TestDiffLines(t *testing.T) {
	render := func(lines []diffLine) string {
		var b strings.Builder
		for _, l := range lines {
			b.WriteString(map[string]string{"same": " ", "add": "+", "del": "-"}[l.Op] + l.Text + "\n")
		}
		return b.String()
	}
	for _, tt := range []struct {
		name, a, b, want string
	}{
		{"equal", "a\nb\n", "a\nb\n", " a\n b\n"},
		{"added at the end", "a\n", "a\nb\n", " a\n+b\n"},
		{"removed in the middle", "a\nb\nc\n", "a\nc\n", " a\n-b\n c\n"},
		{"changed line", "a\nb\nc\n", "a\nB\nc\n", " a\n-b\n+B\n c\n"},
		{"from nothing", "", "x\ny\n", "+x\n+y\n"},
		{"to nothing", "x\n", "", "-x\n"},
		{"moved", "a\nb\nc\nd\n", "b\nc\na\nd\n", "-a\n b\n c\n+a\n d\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(diffLines(tt.a, tt.b)); got != tt.want {
				t.Errorf("got\n%swant\n%s", got, tt.want)
			}
		})
	}
	// Line numbers follow each side.
	lines := diffLines("a\nb\nc\n", "a\nB\nc\n")
	if l := lines[3]; l.Op != "same" || l.Old != 3 || l.New != 3 {
		t.Errorf("last line = %+v, want c at 3 and 3", l)
	}
	if l := lines[2]; l.Op != "add" || l.New != 2 || l.Old != 0 {
		t.Errorf("added line = %+v, want new line 2", l)
	}
}
