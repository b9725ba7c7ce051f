package console

import (
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// pageSize is how many rows a console list shows.
const pageSize = 25

// pageOf reads a list's cursor from the query: ?starting_after=… for the
// next page, ?ending_before=… for the previous one, as the API's lists.
func pageOf(c *gin.Context) core.Page {
	p := core.Page{Limit: pageSize, StartingAfter: c.Query("starting_after"), EndingBefore: c.Query("ending_before")}
	if n, err := strconv.Atoi(c.Query("limit")); err == nil && n > 0 && n <= core.MaxPageLimit {
		p.Limit = n
	}
	if p.StartingAfter != "" {
		p.EndingBefore = ""
	}
	return p
}

// pager is a list's "Newer" and "Older" links; "" when there is none.
type pager struct{ Prev, Next string }

// pagerFor builds the links around one page of a list whose first and last
// rows have the ids first and last, keeping the page's other query
// parameters (its filters).
func pagerFor(c *gin.Context, page core.Page, hasMore bool, first, last string) pager {
	link := func(key, id string) string {
		q := url.Values{}
		for k, v := range c.Request.URL.Query() {
			if k != "starting_after" && k != "ending_before" {
				q[k] = v
			}
		}
		q.Set(key, id)
		return c.Request.URL.Path + "?" + q.Encode()
	}
	var p pager
	if first == "" { // an empty page: offer the way back only
		if page.StartingAfter != "" {
			p.Prev = link("ending_before", page.StartingAfter)
		} else if page.EndingBefore != "" {
			p.Next = link("starting_after", page.EndingBefore)
		}
		return p
	}
	backward := page.EndingBefore != ""
	if (backward && hasMore) || page.StartingAfter != "" {
		p.Prev = link("ending_before", first)
	}
	if (!backward && hasMore) || backward {
		p.Next = link("starting_after", last)
	}
	return p
}

// firstLast returns the ids of the first and last of items.
func firstLast[T any](items []T, id func(T) string) (string, string) {
	if len(items) == 0 {
		return "", ""
	}
	return id(items[0]), id(items[len(items)-1])
}
