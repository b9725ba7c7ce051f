// Package smtpmail sends the hub's alert emails through an SMTP server, with
// github.com/wneessen/go-mail, configured by one URL (BELLHOP_SMTP_URL):
//
//	smtp://user:pass@smtp.example.com:587?from=alerts@example.com   STARTTLS, required
//	smtps://user:pass@smtp.example.com?from=alerts@example.com      implicit TLS, port 465
//	smtp://localhost:25?from=bellhop@example.com&starttls=none      a local relay, no TLS
//
// starttls is required (the default: a password never crosses the network
// in clear), opportunistic, or none. Neither the URL's password nor the
// URL itself ever appears in an error or in Config.String.
package smtpmail

import (
	"context"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Config is a parsed BELLHOP_SMTP_URL.
type Config struct {
	Host     string
	Port     int
	Implicit bool   // smtps://: TLS from the first byte
	StartTLS string // required, opportunistic or none (smtp:// only)
	Username string
	password string
	From     string
	Timeout  time.Duration
}

// ParseURL reads an smtp:// or smtps:// URL. Its errors name what is wrong
// and never repeat the URL, which may hold a password.
func ParseURL(raw string) (*Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("not a URL like smtp://user:pass@smtp.example.com:587?from=alerts@example.com")
	}
	c := &Config{Host: u.Hostname(), StartTLS: "required", Timeout: 15 * time.Second}
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.Implicit = 465, true
	default:
		return nil, fmt.Errorf("the scheme must be smtp:// (STARTTLS) or smtps:// (implicit TLS), not %q", u.Scheme)
	}
	if c.Host == "" {
		return nil, fmt.Errorf("no host: write smtp://user:pass@smtp.example.com:587?from=alerts@example.com")
	}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port < 1 || c.Port > 65535 {
			return nil, fmt.Errorf("port %q is not a port number", p)
		}
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.password, _ = u.User.Password()
	}
	q := u.Query()
	from, err := mail.ParseAddress(q.Get("from"))
	if err != nil {
		return nil, fmt.Errorf("?from= must be the sender's address, like ?from=alerts@example.com")
	}
	c.From = from.Address
	if v := q.Get("starttls"); v != "" {
		if c.Implicit {
			return nil, fmt.Errorf("?starttls= is for smtp:// only; smtps:// is TLS from the start")
		}
		switch v {
		case "required", "opportunistic", "none":
			c.StartTLS = v
		default:
			return nil, fmt.Errorf("?starttls= must be required, opportunistic or none, not %q", v)
		}
	}
	if v := q.Get("timeout"); v != "" {
		if c.Timeout, err = time.ParseDuration(v); err != nil || c.Timeout <= 0 {
			return nil, fmt.Errorf("?timeout= must be a duration like 15s, not %q", v)
		}
	}
	for k := range q {
		switch k {
		case "from", "starttls", "timeout":
		default:
			return nil, fmt.Errorf("unknown parameter ?%s= (known: from, starttls, timeout)", k)
		}
	}
	return c, nil
}

// String describes c without its password, for the start-up log.
func (c *Config) String() string {
	scheme, tls := "smtp", "STARTTLS "+c.StartTLS
	if c.Implicit {
		scheme, tls = "smtps", "implicit TLS"
	}
	user := ""
	if c.Username != "" {
		user = c.Username + "@"
	}
	return fmt.Sprintf("%s://%s%s (%s, from %s)", scheme, user, net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), tls, c.From)
}

// Mailer sends plain-text emails through the server of its Config, one
// connection per email: alerts are rare.
type Mailer struct {
	cfg Config
}

// New returns a Mailer for c.
func New(c *Config) *Mailer { return &Mailer{cfg: *c} }

// Send emails subject and body to every address of to.
func (m *Mailer) Send(ctx context.Context, to []string, subject, body string) error {
	msg := gomail.NewMsg()
	if err := msg.From(m.cfg.From); err != nil {
		return fmt.Errorf("sender %q: %w", m.cfg.From, err)
	}
	if err := msg.To(to...); err != nil {
		return fmt.Errorf("recipients: %w", err)
	}
	msg.Subject(subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, body)
	client, err := gomail.NewClient(m.cfg.Host, m.options()...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send through %s: %w", net.JoinHostPort(m.cfg.Host, strconv.Itoa(m.cfg.Port)), err)
	}
	return nil
}

func (m *Mailer) options() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(m.cfg.Port), gomail.WithTimeout(m.cfg.Timeout)}
	switch {
	case m.cfg.Implicit:
		opts = append(opts, gomail.WithSSL())
	case m.cfg.StartTLS == "opportunistic":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case m.cfg.StartTLS == "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if m.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(m.cfg.Username), gomail.WithPassword(m.cfg.password))
	}
	return opts
}
