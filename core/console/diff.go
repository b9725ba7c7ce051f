package console

import "strings"

// diffLine is one line of a line diff: kept ("same"), added ("add") or
// removed ("del"), with its numbers in the old and the new text (0 where
// it has none).
type diffLine struct {
	Op       string
	Old, New int
	Text     string
}

// maxDiffCells bounds the LCS table (old lines × new lines). Scripts are at
// most 64 KiB, but a table of two 3,000-line scripts is 9M cells; past the
// bound the diff shows every old line removed and every new one added.
const maxDiffCells = 4 << 20

// diffLines returns the line diff of a and b: a longest common subsequence
// of lines, the rest removed or added. No module of ours offers a diff
// (go-difflib is only in the graph as a test dependency's), and this is
// thirty lines.
func diffLines(a, b string) []diffLine {
	x, y := splitLines(a), splitLines(b)
	// Lines equal at both ends need no table.
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	var out []diffLine
	for i := 0; i < pre; i++ {
		out = append(out, diffLine{Op: "same", Old: i + 1, New: i + 1, Text: x[i]})
	}
	mx, my := x[pre:len(x)-suf], y[pre:len(y)-suf]
	n, m := len(mx), len(my)
	if n*m > maxDiffCells {
		for i, l := range mx {
			out = append(out, diffLine{Op: "del", Old: pre + i + 1, Text: l})
		}
		for j, l := range my {
			out = append(out, diffLine{Op: "add", New: pre + j + 1, Text: l})
		}
	} else {
		// lcs[i][j] is the LCS length of mx[i:] and my[j:].
		lcs := make([][]int32, n+1)
		for i := range lcs {
			lcs[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if mx[i] == my[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && mx[i] == my[j]:
				out = append(out, diffLine{Op: "same", Old: pre + i + 1, New: pre + j + 1, Text: mx[i]})
				i, j = i+1, j+1
			case j < m && (i == n || lcs[i][j+1] > lcs[i+1][j]):
				out = append(out, diffLine{Op: "add", New: pre + j + 1, Text: my[j]})
				j++
			default:
				out = append(out, diffLine{Op: "del", Old: pre + i + 1, Text: mx[i]})
				i++
			}
		}
	}
	for k := 0; k < suf; k++ {
		oi, ni := len(x)-suf+k, len(y)-suf+k
		out = append(out, diffLine{Op: "same", Old: oi + 1, New: ni + 1, Text: x[oi]})
	}
	return out
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
