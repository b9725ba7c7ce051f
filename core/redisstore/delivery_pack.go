package redisstore

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// An ended record is stored packed: a version byte, then the record in a
// compressed form. A plain webhook's record shrinks from ~555 bytes to
// ~255, and an ended delivery is the largest part of the Redis a delivery
// costs (issue 12); only the store ever reads a record back. A record
// that starts with '{' is the plain text, as every release before packing
// wrote it (and the finish script still does when the packed record's
// attempts cannot be had).
//
//   - packedV3 (written now): as packedV2, with endedDictV3, the same
//     records as attempts are stored since (attempt_format.go): signatures
//     masked, the signature's second and the answer's Date as references
//     to the attempt's time. A plain webhook's record ~206 → ~155 bytes,
//     which Redis keeps in 160 bytes where it took 224.
//   - packedV2 (read only): the record's tokens form (record_tokens.go)
//     compressed with S2 and endedDictV2, a dictionary of what such records
//     hold: 4–9% fewer bytes than v1, 5 µs a record on a 2-core box
//     (6.5% of the hub's CPU under load; S2 clears a 64 KB table a call).
//   - packedV1 (read only): the record compressed with zstd and
//     endedDictV1: 20 µs a record and 11% of the hub's CPU under load
//     (zstd's dictionary encoder copies a 256 KB table a call). Records of
//     this version are read as long as they are kept.
//
// A dictionary must never change: the records written with it are read
// with it (TestPackedRecordStaysReadable holds a packed record of each
// version). A better dictionary is a new version byte beside these.
const packedV1 = 0x01

var endedDictV1 = []byte(`{"e":"evt_","y":"reservation.created","k":"connection","t":"con_","s":"failed","r":"Response status 500","n":8,"c":500,"ca":1796213098031,"u":1796213098061}
{"v":2,"i":"req_","n":1,"u":"https://hooks.slack.com/","q":":0$j\n:1Bellhop/1.0\n","s":429,"h":":0application/json; charset=utf-8\n:80\n:9Thu, Fri, Sat, Sun, Mon, Tue, 01 Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov 2026 00:00:00 GMT\n","b":"{\"ok\":false,\"error\":\"\"}","l":12.5,"e":"timeout","o":"failed","g":["console.log"],"sc":"scr_","sv":1,"x":"","r":1796213098061,"c":1796213098061}
{"e":"evt_","y":"guest.checked_in","k":"webhook_endpoint","t":"whe_","s":"succeeded","p":true,"b":"bf_","l":true,"n":1,"c":200,"ca":1796213098031,"u":1796213098061}
{"v":2,"i":"req_","n":1,"u":"https://","q":":6$e\n:7$r\n:5t=1796213098,v1=\n:0$j\n:1Bellhop/dev\n:2$e\n:4v1,=\n:31796213098\n","s":200,"h":":80\n:9Wed, 02 Dec 2026 12:04:58 GMT\n","l":1.571,"o":"succeeded","c":1796213098061}`)

// The packedV1 decoder is made on the first record of that version a hub
// reads: a store written only by this release never needs its tables.
var endedDecoderV1 = sync.OnceValue(func() *zstd.Decoder {
	d, err := zstd.NewReader(nil, zstd.WithDecoderDictRaw(1, endedDictV1), zstd.WithDecoderMaxMemory(maxRecord))
	if err != nil {
		panic(fmt.Sprintf("redisstore: ended-record codec: %v", err)) // fixed options: cannot fail
	}
	return d
})

// maxRecord bounds what unpacking a record may allocate, whatever its
// length prefix claims: eight attempts with their capped bodies and
// headers are far below it.
const maxRecord = 1 << 22

const packedV2 = 0x02

// endedDictV2 is S2's dictionary for packedV2, the tokens form of the text
// below: records of every kind, the rarer first, since S2 codes nearer
// matches in fewer bytes. Its ids are zeros and its values typical, not
// any deployment's own.
var endedDictV2 = func() *s2.Dict {
	return s2.MakeDict(compactTokens(nil, []byte(endedDictV2Text)), []byte(`{"e":"evt_`))
}()

const endedDictV2Text = `{"v":2,"i":"req_000000000000000000000000","n":3,"u":"connector://hubspot","s":429,"b":"{\"status\":\"error\",\"message\":\"You have reached your secondly limit.\",\"category\":\"RATE_LIMITS\"}","l":95.2,"e":"connector: the plugin exited","o":"retry","g":["console.log: "],"sc":"scr_000000000000000000000000","sv":2,"r":1796213158061,"c":1796213098061}
{"v":2,"i":"req_000000000000000000000000","n":1,"u":"connector://google_sheets","s":200,"b":"appended 1 row","x":"Sheet1!A2:F2","l":210.7,"o":"succeeded","sc":"sheets/default.js","c":1796213098061}
{"v":2,"i":"req_000000000000000000000000","n":1,"u":"connector://slack","s":200,"b":"posted to #front-desk","x":"1796213098.000100","l":120.3,"o":"succeeded","sc":"slack/default.js","c":1796213098061}
{"e":"evt_","y":"reservation.checked_out","k":"connection","t":"con_000000000000000000000000","s":"failed","r":"connector: ","p":true,"b":"bf_000000000000000000000000","l":true,"n":8,"c":503,"ca":1796213098031,"u":1796213098061}
{"e":"evt_","y":"guest.checked_in","y":"guest.created","y":"guest.updated","y":"payment.failed","y":"payment.received","y":"payment.refunded","y":"payment.succeeded","y":"rsvp.submitted","y":"rsvp.updated","y":"event.published","y":"event.closed","y":"housekeeping.status_changed","y":"inventory.updated","y":"rate.updated","y":"reservation.cancelled","y":"reservation.checked_in","y":"reservation.updated"}
{"v":2,"i":"req_000000000000000000000000","n":2,"u":"https://","q":"","e":"request timed out","e":"connection failed: dial tcp 203.0.113.7:443: connect: connection refused","o":"retry","r":1796213098061,"c":1796213098061}
{"e":"evt_","y":"reservation.created","k":"webhook_endpoint","t":"whe_000000000000000000000000","s":"failed","r":"receiver answered 404: client errors are not retried","n":1,"c":404,"ca":1796213098031,"u":1796213098061}
{"v":2,"i":"req_000000000000000000000000","n":4,"u":"https://","s":502,"h":":0text/html\n:8150\nServer: nginx\nConnection: keep-alive\n:9Thu, 01 Jan 2026 00:00:00 GMT\n","b":"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n","l":30.5,"o":"retry","r":1796213098061,"c":1796213098061}
{"e":"evt_","y":"reservation.created","k":"webhook_endpoint","t":"whe_000000000000000000000000","s":"pending","r":"receiver answered 500","n":2,"c":500,"ca":1796213098031,"u":1796213098061}
{"v":2,"i":"req_000000000000000000000000","n":1,"u":"https://","s":200,"h":":0text/plain; charset=utf-8\n:0application/json\nVary: Accept-Encoding\nX-Powered-By: Express\nStrict-Transport-Security: max-age=31536000; includeSubDomains\nServer: cloudflare\nCf-Ray: 0000000000000000-FRA\nX-Request-Id: \n:9Mon, Tue, Fri, Sat, Sun, 01 Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov 2026 00:00:00 GMT\n","b":"{\"received\":true}","l":48.25,"o":"succeeded","c":1796213098061}
{"e":"evt_","y":"guest.checked_in","k":"webhook_endpoint","t":"whe_000000000000000000000000","s":"succeeded","n":1,"c":204,"ca":1796213098031,"u":1796213098061}
{"v":2,"i":"req_000000000000000000000000","n":1,"u":"https://","q":":6$e\n:7$r\n:5t=1796213098,v1=0000000000000000000000000000000000000000000000000000000000000000\n:0$j\n:1Bellhop/dev\n:2$e\n:4v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n:31796213098\n","s":204,"h":":9Tue, 01 Dec 2026 09:31:17 GMT\n","l":3.25,"o":"succeeded","c":1796213098061}
{"e":"evt_","y":"reservation.created","k":"webhook_endpoint","t":"whe_000000000000000000000000","s":"succeeded","n":1,"c":200,"ca":1796213098031,"u":1796213098061}
{"v":2,"i":"req_000000000000000000000000","n":1,"u":"https://","q":":6$e\n:7$r\n:5t=1796213098,v1=0000000000000000000000000000000000000000000000000000000000000000\n:0$j\n:1Bellhop/1.0\n:2$e\n:4v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n:31796213098\n","s":200,"h":":0application/json; charset=utf-8\n:82\n:9Wed, 02 Dec 2026 12:04:58 GMT\n","b":"ok","l":12.5,"o":"succeeded","c":1796213098061}
{"e":"evt_","y":"reservation.updated","k":"webhook_endpoint","t":"whe_000000000000000000000000","s":"succeeded","n":1,"c":200,"ca":1796213098031,"u":1796213098061}
{"v":2,"i":"req_000000000000000000000000","n":1,"u":"https://","q":":6$e\n:7$r\n:5t=1796213098,v1=0000000000000000000000000000000000000000000000000000000000000000\n:0$j\n:1Bellhop/1.0\n:2$e\n:4v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n:31796213098\n","s":200,"h":":80\n:9Wed, 02 Dec 2026 12:04:58 GMT\n","l":12.5,"o":"succeeded","c":1796213098061}`

const packedV3 = 0x03

// endedDictV3 is S2's dictionary for packedV3: endedDictV2Text with its
// webhook attempts written as attempt_format.go has written them since
// packedV3 (a fixed rewrite of a fixed text, so it never changes either).
// Without masked signatures and time references in its text, a record of
// today matched little of the dictionary's request headers.
var endedDictV3 = func() *s2.Dict {
	return s2.MakeDict(compactTokens(nil, []byte(endedDictV3Text())), []byte(`{"e":"evt_`))
}()

// endedDictV3Text spells the mask out rather than naming core.SecretMask:
// were the mask ever to change, this text must not.
func endedDictV3Text() string {
	const mask = "••••••••"
	return strings.NewReplacer(
		"t=1796213098,v1="+strings.Repeat("0", 64), refSigned+"0,v1="+mask,
		"v1,"+strings.Repeat("A", 43)+"=", "v1,"+mask,
		":31796213098", ":3"+refUnix+"0",
		":9Tue, 01 Dec 2026 09:31:17 GMT", ":9"+refDate+"0",
		":9Wed, 02 Dec 2026 12:04:58 GMT", ":9"+refDate+"0",
		":9Thu, 01 Jan 2026 00:00:00 GMT", ":9"+refDate+"1",
	).Replace(endedDictV2Text)
}

// packEnded returns record packed.
func packEnded(record []byte) []byte {
	tokens := compactTokens(make([]byte, 0, len(record)), record)
	packed := make([]byte, 1, 1+s2.MaxEncodedLen(len(tokens)))
	packed[0] = packedV3
	encoded := packers().run(func() []byte { return endedDictV3.Encode(packed[1:cap(packed)], tokens) })
	return packed[:1+len(encoded)]
}

// packer runs S2's dictionary encoder on a few goroutines that live as
// long as the process. The encoder keeps a 64 KB table on its stack; run
// on the goroutine of a delivery, which starts with a few KB and ends with
// its attempt, it grew and copied that stack for every ended record and
// zeroed a table no cache had seen: packing was 7.8% of the hub's samples
// under load, and the stack growth it caused part of another 4.4%; on
// packers, whose stacks grow once and stay grown and warm, 1.4%
// (BENCHMARKS.md, issue 12, ninth session). The hand-off costs two
// goroutine switches.
type packer struct{ jobs chan packJob }

type packJob struct {
	encode func() []byte
	done   chan packResult
}

// packResult is a packer's answer: the encoding, or what the encoder
// panicked with, which run panics with again on the caller's goroutine,
// where the delivery engine recovers it as it did before the packers.
type packResult struct {
	out   []byte
	panic any
}

// packers starts one packer per CPU the first time a record is packed.
var packers = sync.OnceValue(func() *packer {
	p := &packer{jobs: make(chan packJob)}
	for range runtime.GOMAXPROCS(0) {
		go func() {
			for j := range p.jobs {
				j.done <- recovering(j.encode)
			}
		}()
	}
	return p
})

// recovering runs encode and returns its encoding or its panic, so that a
// packer outlives a record it could not encode.
func recovering(encode func() []byte) (r packResult) {
	defer func() { r.panic = recover() }()
	return packResult{out: encode()}
}

// run returns encode(), run on a packer.
func (p *packer) run(encode func() []byte) []byte {
	done := make(chan packResult, 1)
	p.jobs <- packJob{encode, done}
	r := <-done
	if r.panic != nil {
		panic(r.panic)
	}
	return r.out
}

// unpackEnded returns the text of a stored ended record, packed or not.
func unpackEnded(raw string) (string, error) {
	if raw == "" {
		return raw, nil
	}
	var text []byte
	var err error
	switch raw[0] {
	case packedV3:
		text, err = unpackS2(endedDictV3, []byte(raw[1:]))
	case packedV2:
		text, err = unpackS2(endedDictV2, []byte(raw[1:]))
	case packedV1:
		text, err = endedDecoderV1().DecodeAll([]byte(raw[1:]), nil)
	default:
		return raw, nil
	}
	if err != nil {
		return "", fmt.Errorf("unpack ended delivery: %w", err)
	}
	return string(text), nil
}

// unpackS2 reads a packedV2 or packedV3 record, after its version byte,
// with its version's dictionary.
func unpackS2(dict *s2.Dict, packed []byte) ([]byte, error) {
	n, err := s2.DecodedLen(packed)
	if err != nil {
		return nil, err
	} else if n > maxRecord {
		return nil, fmt.Errorf("a record of %d bytes is over %d", n, maxRecord)
	}
	tokens, err := dict.Decode(make([]byte, n), packed)
	if err != nil {
		return nil, err
	}
	return expandTokens(make([]byte, 0, 2*len(tokens)), tokens)
}
