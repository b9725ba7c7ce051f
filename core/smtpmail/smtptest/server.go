// Package smtptest runs a small SMTP server for tests: it speaks enough of
// RFC 5321 for a real client (EHLO, MAIL FROM, RCPT TO, DATA, RSET, NOOP,
// QUIT, AUTH PLAIN; no TLS), records every message, and can refuse the next
// few with a temporary error.
package smtptest

import (
	"bufio"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
)

// Message is one email the server accepted.
type Message struct {
	User string   // who signed in with AUTH PLAIN, "" if nobody did
	From string   // MAIL FROM
	To   []string // RCPT TO, in order
	Data string   // what followed DATA, dot-unstuffed
}

// Subject returns the decoded Subject header.
func (m Message) Subject() string {
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		return ""
	}
	s, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return msg.Header.Get("Subject")
	}
	return s
}

// Body returns the decoded body of a single-part message.
func (m Message) Body() string {
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		return ""
	}
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, _ := io.ReadAll(r)
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// Server is a running test SMTP server.
type Server struct {
	Addr string // host:port

	ln       net.Listener
	mu       sync.Mutex
	messages []Message
	refuse   int
	conns    map[net.Conn]bool // open sessions, closed when the test ends
	wg       sync.WaitGroup
}

// Start runs a server on a loopback port until t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln, conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(s.close)
	return s
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Refuse makes the server answer the next n messages' DATA with 451.
func (s *Server) Refuse(n int) {
	s.mu.Lock()
	s.refuse = n
	s.mu.Unlock()
}

// close stops listening, ends the sessions a client left open, and waits.
func (s *Server) close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			s.session(c)
		}()
	}
}

// session answers one connection.
func (s *Server) session(c net.Conn) {
	r := bufio.NewReader(c)
	reply := func(line string) { io.WriteString(c, line+"\r\n") }
	reply("220 smtptest ready")
	var cur Message
	var user string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			reply("250-smtptest")
			reply("250-8BITMIME")
			reply("250-AUTH PLAIN")
			reply("250 SMTPUTF8")
		case "HELO":
			reply("250 smtptest")
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") {
				reply("504 only PLAIN")
				continue
			}
			if resp == "" {
				reply("334 ")
				resp, _ = r.ReadString('\n')
			}
			if user = plainUser(strings.TrimSpace(resp)); user == "" {
				reply("535 authentication failed")
				continue
			}
			reply("235 authenticated")
		case "MAIL":
			cur = Message{User: user, From: address(arg)}
			reply("250 OK")
		case "RCPT":
			cur.To = append(cur.To, address(arg))
			reply("250 OK")
		case "DATA":
			reply("354 end with <CRLF>.<CRLF>")
			cur.Data = readData(r)
			if s.refused() {
				reply("451 try again later")
			} else {
				s.mu.Lock()
				s.messages = append(s.messages, cur)
				s.mu.Unlock()
				reply("250 OK queued")
			}
			cur = Message{}
		case "RSET":
			cur = Message{}
			reply("250 OK")
		case "NOOP":
			reply("250 OK")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}

func (s *Server) refused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse > 0 {
		s.refuse--
		return true
	}
	return false
}

// plainUser reads the user of an AUTH PLAIN response, "" if unreadable.
func plainUser(resp string) string {
	b, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		return ""
	}
	parts := strings.Split(string(b), "\x00")
	if len(parts) != 3 {
		return ""
	}
	return parts[1]
}

// address reads the path of "FROM:<a@b> SIZE=1" or "TO:<a@b>".
func address(arg string) string {
	_, path, _ := strings.Cut(arg, ":")
	path, _, _ = strings.Cut(strings.TrimSpace(path), " ")
	return strings.Trim(path, "<>")
}

// readData reads the message up to the lone dot, unstuffing dots.
func readData(r *bufio.Reader) string {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return b.String()
		}
		if line == ".\r\n" || line == ".\n" {
			return b.String()
		}
		b.WriteString(strings.TrimPrefix(line, "."))
	}
}
