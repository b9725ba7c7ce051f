package outbound

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// Defaults for the zero Options fields, from the delivery contract.
const (
	DefaultConnectTimeout  = 5 * time.Second
	DefaultTimeout         = 15 * time.Second
	DefaultMaxResponseBody = 4096
)

// drainLimit is how much of an unread response body Post reads and discards
// so that the connection goes back to the pool; a receiver answering more
// than this costs a new connection rather than our bandwidth.
const drainLimit = 64 << 10

// Options configure a Client. Zero fields take the defaults above.
type Options struct {
	// ConnectTimeout bounds the TCP connect and the TLS handshake.
	ConnectTimeout time.Duration
	// Timeout bounds a whole request, from dial to the last body byte kept.
	Timeout time.Duration
	// MaxResponseBody is how many bytes of a response body are kept.
	MaxResponseBody int
	// BlockPrivate refuses loopback, private, link-local, cloud-metadata and
	// other internal addresses. Set it for live mode; test mode leaves it off
	// so that local development can target localhost.
	BlockPrivate bool
	// AllowedRanges are operator exceptions to BlockPrivate (for example an
	// internal receiver at 10.1.2.0/24).
	AllowedRanges []netip.Prefix
	// UserAgent is sent when the caller's headers carry none.
	UserAgent string
}

// Client posts deliveries. It is safe for concurrent use; build one per mode
// and share it, so that connections to a receiver are reused.
type Client struct {
	http      *http.Client
	timeout   time.Duration
	maxBody   int
	userAgent string
}

// Response is what one attempt got back, ready for the attempt log. Err is set
// when no response arrived (connect failure, timeout, blocked address); Status
// is then 0.
type Response struct {
	Status  int
	Header  http.Header
	Body    string // at most MaxResponseBody bytes, valid UTF-8
	Latency time.Duration
	Err     error
}

// New returns a Client configured by o.
func New(o Options) *Client {
	o = o.withDefaults()
	dialer := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}
	if o.BlockPrivate {
		dialer.Control = DialControl(o.AllowedRanges)
	}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would make the guard check the proxy, not the receiver
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   o.ConnectTimeout,
		ResponseHeaderTimeout: o.Timeout,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     false,
	}
	return &Client{
		http: &http.Client{
			Transport: transport,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		timeout:   o.Timeout,
		maxBody:   o.MaxResponseBody,
		userAgent: o.UserAgent,
	}
}

func (o Options) withDefaults() Options {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxResponseBody <= 0 {
		o.MaxResponseBody = DefaultMaxResponseBody
	}
	return o
}

// Post sends body to url with header (plus Content-Type: application/json
// and the User-Agent when header has none) and returns what came back. It
// never follows a redirect: a 3xx is returned as it is. The request is bounded
// by the client's Timeout and by ctx.
func (c *Client) Post(ctx context.Context, url string, header http.Header, body []byte) Response {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Response{Err: fmt.Errorf("build request: %w", err)}
	}
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("User-Agent") == "" && c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return Response{Latency: time.Since(start), Err: err}
	}
	defer resp.Body.Close()
	kept, _ := io.ReadAll(io.LimitReader(resp.Body, int64(c.maxBody)))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, drainLimit))
	return Response{
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Body:    strings.ToValidUTF8(string(kept), "\uFFFD"),
		Latency: time.Since(start),
	}
}
