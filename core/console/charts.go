package console

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bellhop/bellhop/core"
)

// Charts are drawn on the server as inline SVG: markup, not script, so the
// Content-Security-Policy allows them, and they show with JavaScript off.
// Their size comes from the viewBox and the stylesheet, never a style
// attribute.

// sparkline is the data of a small line chart of counts over time.
type sparkline struct {
	Width, Height int
	Line, Area    string // path data of the total
	Failed        string // path data of the failures
	Max           int
}

// sparkOf draws counts, oldest first, in a 120×32 box.
func sparkOf(counts []core.AttemptCount) sparkline {
	const w, h = 120, 32
	s := sparkline{Width: w, Height: h}
	for _, c := range counts {
		s.Max = max(s.Max, c.Total)
	}
	if len(counts) == 0 {
		return s
	}
	top := float64(max(s.Max, 1))
	step := float64(w) / float64(max(len(counts)-1, 1))
	y := func(n int) float64 { return float64(h) - 1 - float64(n)/top*float64(h-2) }
	var line, failed strings.Builder
	for i, c := range counts {
		x := float64(i) * step
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&line, "%s%.2f,%.2f ", cmd, x, y(c.Total))
		fmt.Fprintf(&failed, "%s%.2f,%.2f ", cmd, x, y(c.Failed))
	}
	s.Line = strings.TrimSpace(line.String())
	s.Failed = strings.TrimSpace(failed.String())
	s.Area = fmt.Sprintf("%s L%d,%d L0,%d Z", s.Line, w, h, h)
	return s
}

// barRow is one row of a horizontal bar chart: its bar's width is out of
// 100, the width of its viewBox.
type barRow struct {
	Label  string
	Count  int
	Suffix string // the unit after Count: " ms"
	Width  float64
}

// barsOf draws counts by label, largest first.
func barsOf(counts map[string]int) []barRow {
	most := 0
	for _, n := range counts {
		most = max(most, n)
	}
	rows := make([]barRow, 0, len(counts))
	for label, n := range counts {
		rows = append(rows, barRow{Label: label, Count: n, Width: float64(n) / float64(max(most, 1)) * 100})
	}
	slices.SortFunc(rows, func(a, b barRow) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Label, b.Label)
	})
	return rows
}
