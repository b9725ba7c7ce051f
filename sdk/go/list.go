package bellhop

import (
	"iter"
	"net/http"
)

// page is one page of a list, as every list of the API answers.
type page[T any] struct {
	Data    []T  `json:"data"`
	HasMore bool `json:"has_more"`
}

// paginate returns an iterator over every item of a list, page after page.
// fetch asks for one page with the cursors *after and *before as they are
// at the time; id names an item for the next cursor. Without ending_before,
// the iterator walks forward from starting_after (or the start) and each
// page starts after the last item of the one before; with ending_before it
// walks back, each page ending before the first item of the one before.
// The limit of the parameters is the size of each page.
//
// The iterator stops after the first error, which it yields with the zero T;
// a caller that stops early stops the requests too.
func paginate[T any](after, before *string, fetch func() (*http.Response, error), id func(T) string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		backwards := *before != ""
		for {
			p, err := decode[page[T]](fetch())
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range p.Data {
				if !yield(item, nil) {
					return
				}
			}
			if !p.HasMore || len(p.Data) == 0 {
				return
			}
			if backwards {
				*before = id(p.Data[0])
			} else {
				*after = id(p.Data[len(p.Data)-1])
			}
		}
	}
}
