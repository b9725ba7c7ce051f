package smtpmail

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core/smtpmail/smtptest"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		want      string // Config.String, or "" for an error
		wantErr   string
	}{
		{"starttls by default", "smtp://ops:s3cret-pw@smtp.example.com?from=alerts@example.com",
			"smtp://ops@smtp.example.com:587 (STARTTLS required, from alerts@example.com)", ""},
		{"implicit tls", "smtps://ops:s3cret-pw@smtp.example.com?from=Alerts%20<alerts@example.com>",
			"smtps://ops@smtp.example.com:465 (implicit TLS, from alerts@example.com)", ""},
		{"a local relay", "smtp://localhost:25?from=bellhop@example.com&starttls=none",
			"smtp://localhost:25 (STARTTLS none, from bellhop@example.com)", ""},
		{"no from", "smtp://ops:s3cret-pw@smtp.example.com:587", "", "?from="},
		{"a bad from", "smtp://smtp.example.com?from=nobody", "", "?from="},
		{"http", "http://ops:s3cret-pw@smtp.example.com?from=a@example.com", "", "scheme"},
		{"no host", "smtp://?from=a@example.com", "", "no host"},
		{"a bad port", "smtp://ops:s3cret-pw@smtp.example.com:99999?from=a@example.com", "", "port"},
		{"starttls on smtps", "smtps://smtp.example.com?from=a@example.com&starttls=none", "", "smtp:// only"},
		{"a bad starttls", "smtp://smtp.example.com?from=a@example.com&starttls=maybe", "", "required, opportunistic or none"},
		{"a typo", "smtp://smtp.example.com?from=a@example.com&form=b", "", "unknown parameter ?form="},
		{"not a url", "smtp://ops:s3cret-pw@[::1", "", "not a URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseURL(tc.url)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret-pw") {
					t.Fatalf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

// A Mailer speaks SMTP to a real server: sender, recipients, subject and
// body arrive as sent.
func TestSend(t *testing.T) {
	srv := smtptest.Start(t)
	c, err := ParseURL("smtp://" + srv.Addr + "?from=alerts@example.com&starttls=none")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body := "Line one.\n.a line that starts with a dot\nA long line " + strings.Repeat("x", 200) + "\n"
	if err := New(c).Send(ctx, []string{"dev@example.com", "owner@example.com"}, "[Bellhop] Webhook endpoint disabled", body); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.From != "alerts@example.com" || strings.Join(m.To, ",") != "dev@example.com,owner@example.com" {
		t.Errorf("from %q to %q", m.From, m.To)
	}
	if got := m.Subject(); got != "[Bellhop] Webhook endpoint disabled" {
		t.Errorf("subject %q", got)
	}
	if got := m.Body(); got != body {
		t.Errorf("body %q, want %q", got, body)
	}
}

// STARTTLS required (the default) refuses a server that does not offer
// it, rather than sending in clear.
func TestSendRefusesClearTextByDefault(t *testing.T) {
	srv := smtptest.Start(t)
	c, err := ParseURL("smtp://ops:s3cret-pw@" + srv.Addr + "?from=alerts@example.com")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = New(c).Send(ctx, []string{"dev@example.com"}, "s", "b")
	if err == nil {
		t.Fatal("sent without TLS")
	}
	if strings.Contains(err.Error(), "s3cret-pw") {
		t.Fatalf("the error shows the password: %v", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages went out in clear", n)
	}
}
