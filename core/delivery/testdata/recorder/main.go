// Command recorder is a connector plugin for the delivery engine's tests:
// it POSTs each input to the config's url (a local receiver that counts
// what arrives) and reports the receiver's answer, so that a test can kill
// it, hang it or load it and count what reached the far side.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/bellhop/bellhop/plugins"
)

// main keeps as many idle connections to the receiver as the hub sends
// calls at once, as a real connector's long-lived client would; the default
// client keeps two, so a loaded test would mostly measure TCP handshakes.
func main() {
	t := &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: 30 * time.Second}
	plugins.Serve(recorder{client: &http.Client{Transport: t}})
}

type recorder struct{ client *http.Client }

var fields = []plugins.Field{
	{Name: "url", Title: "Receiver", Type: "string", Format: "uri", Required: true},
	{Name: "token", Title: "Token", Type: "string", Secret: true, Required: true},
}

func (recorder) Describe(context.Context) (plugins.Description, error) {
	return plugins.Description{Name: "recorder", DisplayName: "Recorder", Version: "1.0.0",
		Description: "Posts each input to a test receiver.", Fields: fields,
		SuggestedEvents: []string{"reservation.created"}}, nil
}

func (recorder) Validate(_ context.Context, c plugins.Config) ([]plugins.FieldError, error) {
	return plugins.ValidateFields(fields, c), nil
}

func (recorder) Check(_ context.Context, c plugins.Config) (plugins.CheckResult, error) {
	if c["token"] != "good-token-1234567890" {
		return plugins.CheckResult{}, fmt.Errorf("the receiver refused the token")
	}
	return plugins.CheckResult{}, nil
}

func (r recorder) Deliver(ctx context.Context, c plugins.Config, input json.RawMessage) (plugins.Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprint(c["url"]), bytes.NewReader(input))
	if err != nil {
		return plugins.Result{}, err
	}
	req.Header.Set("Authorization", "Bearer "+fmt.Sprint(c["token"]))
	res, err := r.client.Do(req)
	if err != nil {
		return plugins.Result{Outcome: plugins.Retry, Summary: "unreachable"}, nil
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 200))
	summary := fmt.Sprintf("%d %s", res.StatusCode, body)
	switch {
	case res.StatusCode == http.StatusOK:
		return plugins.Result{Outcome: plugins.Delivered, ExternalID: res.Header.Get("X-Id"), Summary: summary}, nil
	case res.StatusCode == http.StatusTooManyRequests:
		return plugins.Result{Outcome: plugins.Retry, RetryAfter: 10 * time.Millisecond, Summary: summary}, nil
	case res.StatusCode == http.StatusTeapot: // hang until the host gives up
		<-make(chan struct{})
	case res.StatusCode >= 500:
		return plugins.Result{Outcome: plugins.Retry, Summary: summary}, nil
	}
	return plugins.Result{Outcome: plugins.Failed, Summary: summary}, nil
}
