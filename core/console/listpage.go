package console

import (
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// listPage reads the page a list view asks for from its query: limit
// (default 25, at most core.MaxPageLimit), starting_after and ending_before.
func listPage(c *gin.Context) core.Page {
	p := core.Page{Limit: 25, StartingAfter: c.Query("starting_after"), EndingBefore: c.Query("ending_before")}
	if n, err := strconv.Atoi(c.Query("limit")); err == nil && n > 0 {
		p.Limit = min(n, core.MaxPageLimit)
	}
	if p.StartingAfter != "" {
		p.EndingBefore = ""
	}
	return p
}

// pager is the "Newer" and "Older" links under a list, "" when there is
// nothing that way.
type pager struct {
	Prev, Next string
}

// pagerFor builds the links of a page of a newest-first list whose first
// and last items have the ids first and last; more is the List's HasMore,
// which counts in the direction page asked for.
func pagerFor(c *gin.Context, page core.Page, first, last string, more bool) pager {
	link := func(param, id string) string {
		q := url.Values{}
		for k, v := range c.Request.URL.Query() {
			if k != "starting_after" && k != "ending_before" {
				q[k] = v
			}
		}
		q.Set(param, id)
		return c.Request.URL.Path + "?" + q.Encode()
	}
	var p pager
	if first == "" {
		return p
	}
	backward := page.EndingBefore != ""
	if page.StartingAfter != "" || (backward && more) {
		p.Prev = link("ending_before", first)
	}
	if (!backward && more) || backward {
		p.Next = link("starting_after", last)
	}
	return p
}
