// Command receiver is a webhook receiver for Bellhop deliveries, on net/http
// and signature.Verify. Copy it as the start of your own.
//
// It checks the signature of the raw body, ignores an event id it has already
// seen (Bellhop delivers at least once, so a retry may repeat an event you
// took), and prints one JSON line per request.
//
//	WEBHOOK_SECRET=whsec_… SIGNATURE_HEADER=Bellhop-Signature ADDR=127.0.0.1:3000 go run ./examples/receivers/go
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run serves the receiver until ctx ends.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	secret := getenv("WEBHOOK_SECRET")
	if secret == "" {
		return errors.New("WEBHOOK_SECRET is required (the endpoint's whsec_… secret)")
	}
	header := getenv("SIGNATURE_HEADER")
	if header == "" {
		header = "Bellhop-Signature"
	}
	addr := getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:3000"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: newReceiver(secret, header, stdout)}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	fmt.Fprintf(stdout, "listening on http://%s\n", l.Addr())
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
