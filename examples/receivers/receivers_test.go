package receivers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core/outbound"
	"github.com/bellhop/bellhop/core/signature"
)

// The published verifiers must stay byte for byte as the reference
// documentation prints them: these are their SHA-256 sums.
var published = map[string]string{
	"node/verify.ts":   "40c447a1e5a18ac43bede018a00859f72291f808ee4b7e2758afc997c9310913",
	"python/verify.py": "2dec6dbc0324a7536fdcc7ca861ab1934050cf00fa0860fd6294c863b42e2e47",
}

func TestPublishedVerifiersUnchanged(t *testing.T) {
	for path, want := range published {
		t.Run(path, func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			if got := hex.EncodeToString(sum[:]); got != want {
				t.Errorf("%s sha256 = %s, want %s: the file must match the reference documentation exactly", path, got, want)
			}
		})
	}
}

func TestGoReceiver(t *testing.T) {
	goBin := needTool(t, "go")
	bin := filepath.Join(t.TempDir(), "receiver")
	runOrFail(t, t.Context(), ".", goBin, "build", "-o", bin, "./go")
	testReceiver(t, true, func(t *testing.T, env ...string) *process {
		return start(t, exec.Command(bin), append(env, "ADDR=127.0.0.1:0")...)
	})
}

func TestNodeReceiver(t *testing.T) {
	testReceiver(t, false, nodeReceiver(t))
}

func TestPythonReceiver(t *testing.T) {
	testReceiver(t, false, pythonReceiver(t))
}

// testReceiver sends real signed deliveries, under both brand prefixes, to a
// receiver started by run. readsEverySignature is false for the published
// verifiers, which check only the last v1= of a rotation header.
func testReceiver(t *testing.T, readsEverySignature bool, run func(t *testing.T, env ...string) *process) {
	for _, prefix := range []string{"SwiftGuest", "Bellhop"} {
		t.Run(prefix, func(t *testing.T) {
			secret, other := signature.NewSecret(), signature.NewSecret()
			signer := signature.Signer{Prefix: prefix}
			p := run(t, "WEBHOOK_SECRET="+secret, "SIGNATURE_HEADER="+signer.SignatureHeader())
			client := outbound.New(outbound.Options{Timeout: 10 * time.Second})
			for _, d := range deliveries(secret, other, readsEverySignature) {
				t.Run(d.name, func(t *testing.T) {
					id := d.eventID
					if id == "" {
						id = fmt.Sprintf("evt_%s_%s", prefix, d.name)
					}
					body := fmt.Appendf(nil, `{"id":%q,"type":"reservation.created","data":{"object":{"guests":2}}}`, id)
					h := signer.Headers(d.secrets, id, time.Now().Add(d.age), body)
					if d.header != nil {
						h.Set(signer.SignatureHeader(), *d.header)
					}
					sent := body
					if d.tamper {
						sent = bytes.Replace(body, []byte(`"guests":2`), []byte(`"guests":3`), 1)
					}
					resp := client.Post(t.Context(), p.url, h, sent)
					if resp.Err != nil || resp.Status != d.wantStatus {
						t.Fatalf("POST = %d %q %v, want %d", resp.Status, resp.Body, resp.Err, d.wantStatus)
					}
					if d.wantRecord == "" {
						return
					}
					ctx, cancel := context.WithTimeout(t.Context(), startWait)
					defer cancel()
					if !p.waitFor(ctx, d.wantRecord, id) {
						t.Errorf("the receiver did not print {%q: %q}", d.wantRecord, id)
					}
				})
			}
			for _, d := range deliveries(secret, other, readsEverySignature) {
				if d.wantStatus != http.StatusOK && p.has("received", fmt.Sprintf("evt_%s_%s", prefix, d.name)) {
					t.Errorf("rejected delivery %q was recorded as received", d.name)
				}
			}
		})
	}
}

// delivery is one request sent to a receiver and what it must answer.
type delivery struct {
	name       string
	eventID    string        // default: unique per case
	secrets    []string      // what the hub signs with
	age        time.Duration // how far back the signature's timestamp is
	header     *string       // replaces the signature header when set
	tamper     bool          // alter the body after signing
	wantStatus int
	wantRecord string // "received" or "duplicate": the line the receiver prints
}

func deliveries(secret, other string, readsEverySignature bool) []delivery {
	empty, garbage := "", "t=1,v1=abc"
	rotatedFirst := delivery{name: "rotation_endpoint_secret_first", secrets: []string{secret, other}, wantStatus: http.StatusUnauthorized}
	if readsEverySignature {
		rotatedFirst.wantStatus, rotatedFirst.wantRecord = http.StatusOK, "received"
	}
	return []delivery{
		{name: "genuine", eventID: "evt_once", secrets: []string{secret}, wantStatus: http.StatusOK, wantRecord: "received"},
		{name: "duplicate", eventID: "evt_once", secrets: []string{secret}, wantStatus: http.StatusOK, wantRecord: "duplicate"},
		{name: "rotation_endpoint_secret_last", secrets: []string{other, secret}, wantStatus: http.StatusOK, wantRecord: "received"},
		rotatedFirst,
		{name: "tampered_body", secrets: []string{secret}, tamper: true, wantStatus: http.StatusUnauthorized},
		{name: "wrong_secret", secrets: []string{other}, wantStatus: http.StatusUnauthorized},
		{name: "stale_timestamp", secrets: []string{secret}, age: -10 * time.Minute, wantStatus: http.StatusUnauthorized},
		{name: "no_signature", secrets: []string{secret}, header: &empty, wantStatus: http.StatusUnauthorized},
		{name: "garbage_signature", secrets: []string{secret}, header: &garbage, wantStatus: http.StatusUnauthorized},
	}
}
