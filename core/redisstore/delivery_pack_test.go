package redisstore

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
)

// TestPackedRecordStaysReadable reads a record packed by the first release
// of each packed version: a change to a dictionary, the tokens form or a
// codec that would leave the records of a running store unreadable fails
// here.
func TestPackedRecordStaysReadable(t *testing.T) {
	for name, golden := range map[string][2]string{
		"v1": {goldenPackedV1, goldenRecord}, "v2": {goldenPackedV2, goldenRecord}, "v3": {goldenPackedV3, goldenRecordV3},
	} {
		text, err := unpackEnded(mustHex(t, golden[0]))
		if err != nil || text != golden[1] {
			t.Errorf("%s: unpack = %q, %v; want the golden record", name, text, err)
		}
	}
	again := packEnded([]byte(goldenRecordV3))
	if again[0] != packedV3 || len(again) >= len(goldenRecordV3)/3 {
		t.Errorf("a plain webhook's record packs to %d bytes of %d, version %d; the dictionary should take two thirds off", len(again), len(goldenRecordV3), again[0])
	}
}

// TestPackEndedRoundTrips packs records the dictionary knows nothing of
// (another alphabet, long bodies, bytes JSON escapes, hex runs and
// signatures at the edges of the tokens form) and reads them back; a
// plain record reads as it is.
func TestPackEndedRoundTrips(t *testing.T) {
	sig := "v1,W0IROW+lyugNax40uiM8HhnFR/p4V4205ReuWDMI76Q="
	for _, rec := range []string{
		goldenRecord, "", "{}", `{"e":"évt_ünïcødé 日本"}` + "\n" + strings.Repeat(`{"b":"x\u0000\"y"}`, 500),
		strings.Repeat("0", 15), strings.Repeat("a", 16), strings.Repeat("f", 17), strings.Repeat("9", 510),
		strings.Repeat("e", 511), strings.Repeat("c", 1021), "ABCDEF0123456789ABCDEF", "0123456789abcdeF0123456789abcdef",
		sig, sig + "=", sig[:len(sig)-1], "x" + sig, sig + " " + sig, "v1," + strings.Repeat("/", 43) + "=",
		"v1,W0IROW+lyugNax40uiM8HhnFR/p4V4205ReuWDMI76R=", // padding bits set: not canonical
		"v1,W0IROW+lyugNax40uiM8\nhnFR/p4V4205ReuWDMI76Q=", "v1,W0IROW+lyugNax40uiM8HhnFR/p4V4205ReuWDMI7\n=",
		"v1,", ",", "v1,v1,v1," + sig[3:],
	} {
		got, err := unpackEnded(string(packEnded([]byte(rec))))
		if err != nil || got != rec {
			t.Errorf("round trip of %.40q: %.40q, %v", rec, got, err)
		}
		if rec != "" && rec[0] == '{' {
			if plain, err := unpackEnded(rec); err != nil || plain != rec {
				t.Errorf("a plain record %.40q read as %.40q, %v", rec, plain, err)
			}
		}
	}
	if _, err := unpackEnded("\x01not zstd"); err == nil {
		t.Error("a damaged v1 record read without an error")
	}
	if _, err := unpackEnded("\x02not s2"); err == nil {
		t.Error("a damaged v2 record read without an error")
	}
}

// TestPackersKeepCallersApart packs different records from many
// goroutines at once: each caller gets its own record back, whichever
// packer encoded it.
func TestPackersKeepCallersApart(t *testing.T) {
	const callers = 64
	var wg sync.WaitGroup
	errs := make(chan string, callers)
	for i := range callers {
		wg.Go(func() {
			rec := strings.Replace(goldenRecord, `"n":1`, fmt.Sprintf(`"n":%d`, i+1), 1) + strings.Repeat("x", i)
			for range 20 {
				if text, err := unpackEnded(string(packEnded([]byte(rec)))); err != nil || text != rec {
					errs <- fmt.Sprintf("caller %d got %q, %v", i, text, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestPackerPanicReachesItsCaller: an encoder that panics on a packer
// panics on the caller's goroutine instead (where the delivery engine
// recovers it), and the packers go on packing.
func TestPackerPanicReachesItsCaller(t *testing.T) {
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want the encoder's panic", r)
			}
		}()
		packers().run(func() []byte { panic("boom") })
	}()
	if text, err := unpackEnded(string(packEnded([]byte(goldenRecord)))); err != nil || text != goldenRecord {
		t.Errorf("after a panic the packers give %q, %v", text, err)
	}
}

// TestTokensTakeTheirBytes checks the tokens form on the values it is for:
// an id's hex and both signatures of a webhook attempt take the bytes they
// encode; a marker byte in the text is escaped, never lost.
func TestTokensTakeTheirBytes(t *testing.T) {
	const (
		id        = "ad21a397ac1e9afce6513945"
		hexSig    = "578e48c1af2a00d606523bac33ae23af22acb377858a4e20924ea85579426392"
		base64Sig = "W0IROW+lyugNax40uiM8HhnFR/p4V4205ReuWDMI76Q="
	)
	idBytes, _ := hex.DecodeString(id)
	hexBytes, _ := hex.DecodeString(hexSig)
	sigBytes, _ := base64.StdEncoding.DecodeString(base64Sig)
	text := "whe_" + id + " t=1796213098,v1=" + hexSig + " v1," + base64Sig
	want := "whe_\x02\x0c" + string(idBytes) + " t=1796213098,v1=\x02\x20" + string(hexBytes) + " v1,\x03" + string(sigBytes)
	if tokens := compactTokens(nil, []byte(text)); string(tokens) != want {
		t.Errorf("compactTokens = %q; want %q", tokens, want)
	}
	for text, want := range map[string]string{"a\x02b": "a\x04\x02b", "\x03": "\x04\x03", "\x04,\x04": "\x04\x04,\x04\x04", "\x05_": "\x04\x05_"} {
		if tokens := compactTokens(nil, []byte(text)); string(tokens) != want {
			t.Errorf("compactTokens(%q) = %q; want the marker escaped, %q", text, tokens, want)
		}
	}
	for _, damaged := range []string{"\x02", "\x02\x05ab", "\x03" + strings.Repeat("a", 31), "\x04",
		"\x05" + strings.Repeat("\x00", 17), "\x05" + strings.Repeat("\xff", 18)} { // short; over 62^8 a group
		if _, err := expandTokens(nil, []byte(damaged)); err == nil {
			t.Errorf("expandTokens(%q) read damaged tokens without an error", damaged)
		}
	}
}

// TestBase62IDsTakeTheirBytes checks the token of an event id: 24 base62
// characters after "_" take 18 bytes, each 8 the big-endian number they
// spell (math/big reads them, with its own alphabet's case order); an id
// in lowercase hex stays for the hex token, a shorter run stays text.
func TestBase62IDsTakeTheirBytes(t *testing.T) {
	const id = "MQK92ZMl52sQSRPkyne9UPsC"
	want := "evt_\x05"
	for g := 0; g < len(id); g += 8 {
		n, ok := new(big.Int).SetString(swapCase(id[g:g+8]), 62)
		if !ok {
			t.Fatalf("math/big cannot read %q", id[g:g+8])
		}
		want += string(n.FillBytes(make([]byte, 6)))
	}
	want += `"`
	if tokens := compactTokens(nil, []byte("evt_"+id+`"`)); string(tokens) != want {
		t.Errorf("compactTokens = %q; want %q", tokens, want)
	}
	for _, text := range []string{"evt_" + id[:23] + `"`, "whe_ad21a397ac1e9afce6513945"} {
		if tokens := compactTokens(nil, []byte(text)); bytes.IndexByte(tokens, tokenBase62) >= 0 {
			t.Errorf("compactTokens(%q) = %q; want no base62 token", text, tokens)
		}
	}
	for _, text := range []string{"evt_00000000000000000000000g", "_zzzzzzzzzzzzzzzzzzzzzzzz", "_" + id + id} {
		tokens := compactTokens(nil, []byte(text))
		if got, err := expandTokens(nil, tokens); err != nil || string(got) != text {
			t.Errorf("%q: round trip gave %q, %v", text, got, err)
		}
	}
}

// swapCase swaps the letters' case: core's base62 puts A–Z before a–z,
// math/big the other way round.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		case 'A' <= r && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
}

// FuzzPackEnded packs any text and reads it back, byte for byte.
func FuzzPackEnded(f *testing.F) {
	f.Add(goldenRecord)
	f.Add("v1,W0IROW+lyugNax40uiM8HhnFR/p4V4205ReuWDMI76Q= 0123456789abcdef0123")
	f.Fuzz(func(t *testing.T, rec string) {
		got, err := unpackEnded(string(packEnded([]byte(rec))))
		if err != nil || got != rec {
			t.Fatalf("round trip of %q: %q, %v", rec, got, err)
		}
	})
}

const goldenRecord = `{"e":"evt_MQK92ZMl52sQSRPkyne9UPsC","y":"bench.event","k":"webhook_endpoint","t":"whe_ad21a397ac1e9afce6513945","s":"succeeded","n":1,"c":200,"ca":1796213098031,"u":1796213098061}
{"v":2,"i":"req_f8094e5542037f3cd96b2833","n":1,"u":"http://127.0.0.1:34041/ep/0","q":":6$e\n:7$r\n:5t=1796213098,v1=578e48c1af2a00d606523bac33ae23af22acb377858a4e20924ea85579426392\n:0$j\n:1Bellhop/dev\n:2$e\n:4v1,W0IROW+lyugNax40uiM8HhnFR/p4V4205ReuWDMI76Q=\n:31796213098\n","s":200,"h":":80\n:9Wed, 02 Dec 2026 12:04:58 GMT\n","l":1.571,"o":"succeeded","c":1796213098061}`

// goldenPackedV1 is packEnded(goldenRecord) as the first packing release
// wrote it.
const goldenPackedV1 = "0128b52ffd61012a01950600528d2a21306ddc43b6c3a7b4c84ca389f6dbeca37a88d38e34d95d1191958752505050c101cb620945a0899e61cc55d8466206a00541531a22dc083760881e0c80e680496093ad2bb71973f3df6ccc5f6fdc1853c779e673cd7755e78e262f5c0fa2e773e5da7e638ca9f1492dae260a410411962aa544b5a5b3fa71fa98622ef36f637bbcad8ad7bbe7fdca396b75958f3f400ff1c8c241ef04381409fdd0c341c1202c8e6486b2905db028010b008b2d445a0001e2c484f769bcee3cba5c69513b44c50e806ac3d85c3701dd8c88db5a03"

// goldenPackedV2 is packEnded(goldenRecord) as the first release of
// packedV2 wrote it.
const goldenPackedV2 = "02e80339c98c0547d2d182da8f1029c2119fa8c2bcf82eef64222c2279223a2262656e63682e6576656e1e930d72d4012cad21a397ac1e9afce65139451500502cf8094e5542037f3cd96b2833150009583a2f2f3132372e302e302e313a33343034312f65702f309ae7017c578e48c1af2a00d606523bac33ae23af22acb377858a4e20924ea8557942639215000a42a2057c5b4211396fa5cae80d6b1e34ba233c1e19c547fa78578db4e517ae583308efa4150010cee7010c2e35373121e8150010183039383036317d"

// goldenRecordV3 is goldenRecord as attempts are stored since packedV3:
// signatures masked, times as references (attempt_format.go).
const goldenRecordV3 = `{"e":"evt_MQK92ZMl52sQSRPkyne9UPsC","y":"bench.event","k":"webhook_endpoint","t":"whe_ad21a397ac1e9afce6513945","s":"succeeded","n":1,"c":200,"ca":1796213098031,"u":1796213098061}
{"v":2,"i":"req_f8094e5542037f3cd96b2833","n":1,"u":"http://127.0.0.1:34041/ep/0","q":":6$e\n:7$r\n:5$s0,v1=••••••••\n:0$j\n:1Bellhop/dev\n:2$e\n:4v1,••••••••\n:3$t0\n","s":200,"h":":80\n:9$d0\n","l":1.571,"o":"succeeded","c":1796213098061}`

// goldenPackedV3 is packEnded(goldenRecordV3) as the first release of
// packedV3 wrote it.
const goldenPackedV3 = "03ab03398c8c0547d2d182da8f1029c2119fa8c2bcf82eef64222c2279223a2262656e63682e6576656e1ec20c7297012cad21a397ac1e9afce65139451500502cf8094e5542037f3cd96b2833150009583a2f2f3132372e302e302e313a33343034312f65702f3031aa150036e2eb0466aa010c2e35373121ab150010183039383036317d"

// BenchmarkPackEnded packs and reads back a plain webhook's record, the
// work FinishAttempt and a delivery's read add (BENCHMARKS.md, issue 12).
func BenchmarkPackEnded(b *testing.B) {
	record := []byte(goldenRecordV3)
	b.Run("pack", func(b *testing.B) {
		for b.Loop() {
			packEnded(record)
		}
		b.ReportMetric(float64(len(packEnded(record))), "bytes")
	})
	for name, packed := range map[string]string{"unpack v1": mustHex(b, goldenPackedV1), "unpack v2": mustHex(b, goldenPackedV2), "unpack v3": string(packEnded(record))} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := unpackEnded(packed); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func mustHex(tb testing.TB, s string) string {
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
