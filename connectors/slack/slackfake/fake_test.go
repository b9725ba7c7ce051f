package slackfake_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/connectors/slack/slackfake"
)

// post calls a Web API method the way slack-go does (form body with token)
// and returns the decoded answer and the response.
func post(t *testing.T, fake *slackfake.Server, method string, form url.Values) (map[string]any, *http.Response) {
	t.Helper()
	res, err := http.PostForm(fake.APIURL()+method, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body, res
}

// TestMissingScopeShape holds the fake to Slack's exact answer for a call
// without its scope: HTTP 200, ok false, error, needed and provided.
func TestMissingScopeShape(t *testing.T) {
	fake := slackfake.New(t)
	tests := []struct {
		name   string
		token  string
		method string
		form   url.Values
		want   string // the JSON answer
	}{
		{"list without any read scope", fake.TokenWith("chat:write"), "conversations.list", nil,
			`{"error":"missing_scope","needed":"channels:read,groups:read,mpim:read,im:read","ok":false,"provided":"chat:write"}`},
		{"list of private channels without groups:read", fake.TokenWith("chat:write", "channels:read"), "conversations.list",
			url.Values{"types": {"public_channel,private_channel"}},
			`{"error":"missing_scope","needed":"groups:read","ok":false,"provided":"chat:write,channels:read"}`},
		{"info without channels:read", fake.TokenWith("chat:write"), "conversations.info", url.Values{"channel": {"C0GENERAL"}},
			`{"error":"missing_scope","needed":"channels:read,groups:read,mpim:read,im:read","ok":false,"provided":"chat:write"}`},
		{"post without chat:write", fake.TokenWith("channels:read"), "chat.postMessage", url.Values{"channel": {"C0GENERAL"}, "text": {"x"}},
			`{"error":"missing_scope","needed":"chat:write","ok":false,"provided":"channels:read"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"token": {tt.token}}
			for k, v := range tt.form {
				form[k] = v
			}
			body, res := post(t, fake, tt.method, form)
			got, _ := json.Marshal(body)
			if res.StatusCode != 200 || string(got) != tt.want {
				t.Errorf("answer = %d %s, want 200 %s", res.StatusCode, got, tt.want)
			}
			if h := res.Header.Get("X-OAuth-Scopes"); h == "" {
				t.Errorf("no X-OAuth-Scopes header")
			}
		})
	}
	if n := len(fake.Messages()); n != 0 {
		t.Errorf("fake posted %d messages without chat:write, want 0", n)
	}
}

// TestListPages walks conversations.list by cursor and gets every channel
// once, in pages of at most limit.
func TestListPages(t *testing.T) {
	fake := slackfake.New(t)
	for _, id := range []string{"C1", "C2", "C3", "C4", "C5"} {
		fake.AddChannels(slackfake.Channel{ID: "C0X" + id, Name: "x" + strings.ToLower(id)})
	}
	var ids []string
	pages, cursor := 0, ""
	for {
		body, _ := post(t, fake, "conversations.list", url.Values{
			"token": {fake.Token}, "limit": {"3"}, "exclude_archived": {"true"}, "cursor": {cursor},
		})
		if body["ok"] != true {
			t.Fatalf("answer %v", body)
		}
		pages++
		chans := body["channels"].([]any)
		if len(chans) > 3 {
			t.Fatalf("page of %d, want at most 3", len(chans))
		}
		for _, c := range chans {
			ids = append(ids, c.(map[string]any)["id"].(string))
		}
		cursor = body["response_metadata"].(map[string]any)["next_cursor"].(string)
		if cursor == "" {
			break
		}
	}
	if pages != 3 || len(ids) != 7 {
		t.Errorf("got %d channels %v in %d pages, want 7 in 3", len(ids), ids, pages)
	}
	body, _ := post(t, fake, "conversations.list", url.Values{"token": {fake.Token}, "cursor": {"bm9wZQ=="}})
	if body["error"] != "invalid_cursor" {
		t.Errorf("bad cursor answered %v, want invalid_cursor", body)
	}
}
