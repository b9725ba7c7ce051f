package console

import (
	"bytes"
	"encoding/xml"
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/bellhop/bellhop"
)

// changelogDoc is CHANGELOG.md cut into its releases, each rendered to
// HTML once, when the console starts.
type changelogDoc struct {
	Intro    template.HTML
	Releases []changelogRelease
}

type changelogRelease struct {
	Version string // "0.7.0", or "Unreleased"
	Date    time.Time
	Anchor  string // the id of its heading: v0.7.0
	Body    template.HTML
}

// releaseHeading is a Keep a Changelog release heading: "## [0.7.0] - 2026-12-01"
// or "## [Unreleased]".
var releaseHeading = regexp.MustCompile(`^## \[?([^\]\s]+)\]?(?:\s+-\s+(\d{4}-\d{2}-\d{2}))?`)

// linkDefinition is a reference-style link definition ("[0.7.0]: https://…"),
// the compare links at the end of the file: the headings are shown without
// them.
var linkDefinition = regexp.MustCompile(`(?m)^\[[^\]]+\]:\s+\S+\s*$`)

// parseChangelog cuts src at each "## " heading and renders each part with
// goldmark. Raw HTML in the file is not passed through (goldmark's default:
// it is replaced by a comment), so the HTML is safe to put in the page even
// though it is marked template.HTML: it is our own file, rendered without
// its markup.
func parseChangelog(src []byte) (*changelogDoc, error) {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	render := func(s string) (template.HTML, error) {
		var buf bytes.Buffer
		if err := md.Convert([]byte(s), &buf); err != nil {
			return "", err
		}
		return template.HTML(buf.String()), nil // #nosec: our own file, raw HTML dropped by goldmark
	}
	text := linkDefinition.ReplaceAllString(string(src), "")
	parts := strings.Split("\n"+text, "\n## ")
	doc := &changelogDoc{}
	intro := strings.TrimSpace(parts[0])
	intro = strings.TrimPrefix(intro, "# Changelog")
	var err error
	if doc.Intro, err = render(intro); err != nil {
		return nil, err
	}
	for _, part := range parts[1:] {
		heading, body, _ := strings.Cut(part, "\n")
		m := releaseHeading.FindStringSubmatch("## " + heading)
		if m == nil {
			continue
		}
		r := changelogRelease{Version: m[1], Anchor: "v" + strings.ToLower(m[1])}
		if m[2] != "" {
			r.Date, _ = time.Parse(time.DateOnly, m[2])
		}
		if r.Body, err = render(body); err != nil {
			return nil, err
		}
		doc.Releases = append(doc.Releases, r)
	}
	return doc, nil
}

func (s *Server) handleChangelog() gin.HandlerFunc {
	doc, err := parseChangelog(bellhop.Changelog())
	return func(c *gin.Context) {
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "changelog", "", doc)
	}
}

// rss is an RSS 2.0 document.
type rss struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title       string    `xml:"title"`
	Link        string    `xml:"link"`
	Description string    `xml:"description"`
	Self        rssSelf   `xml:"atom:link"`
	LastBuild   string    `xml:"lastBuildDate,omitempty"`
	Items       []rssItem `xml:"item"`
}

type rssSelf struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	GUID        rssGUID `xml:"guid"`
	PubDate     string  `xml:"pubDate"`
	Description string  `xml:"description"` // HTML, escaped by the encoder as RSS wants
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// handleChangelogRSS serves the releases as RSS 2.0, one item per dated
// release (Unreleased has no date and is left out), newest first.
func (s *Server) handleChangelogRSS() gin.HandlerFunc {
	doc, err := parseChangelog(bellhop.Changelog())
	return func(c *gin.Context) {
		if err != nil {
			s.fail(c, err)
			return
		}
		base := s.publicBase(c)
		feed := rss{Version: "2.0", Atom: "http://www.w3.org/2005/Atom", Channel: rssChannel{
			Title: "Bellhop changelog", Link: base + "/changelog",
			Description: "New features, changes and fixes in each Bellhop release.",
			Self:        rssSelf{Href: base + "/changelog.rss", Rel: "self", Type: "application/rss+xml"},
		}}
		for _, r := range doc.Releases {
			if r.Date.IsZero() {
				continue
			}
			if feed.Channel.LastBuild == "" {
				feed.Channel.LastBuild = r.Date.Format(time.RFC1123Z)
			}
			feed.Channel.Items = append(feed.Channel.Items, rssItem{
				Title: "Bellhop " + r.Version, Link: base + "/changelog#" + r.Anchor,
				GUID:    rssGUID{Value: "bellhop-release-" + r.Version},
				PubDate: r.Date.Format(time.RFC1123Z), Description: string(r.Body),
			})
		}
		out, err := xml.MarshalIndent(feed, "", "  ")
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Cache-Control", "public, max-age=3600")
		c.Data(http.StatusOK, "application/rss+xml; charset=utf-8", append([]byte(xml.Header), out...))
	}
}
