package redisstore

import (
	"encoding/hex"
	"strings"
	"testing"
)

// TestPackedRecordStaysReadable reads a record packed by the first release
// that packed records: a change to endedDictV1 or the codec that would
// leave the records of a running store unreadable fails here.
func TestPackedRecordStaysReadable(t *testing.T) {
	packed, err := hex.DecodeString(goldenPackedV1)
	if err != nil {
		t.Fatal(err)
	}
	text, err := unpackEnded(string(packed))
	if err != nil || text != goldenRecord {
		t.Fatalf("unpack = %q, %v; want the golden record", text, err)
	}
	if again := packEnded([]byte(goldenRecord)); len(again) >= len(goldenRecord)/2 {
		t.Errorf("a plain webhook's record packs to %d bytes of %d; the dictionary should halve it", len(again), len(goldenRecord))
	}
}

// TestPackEndedRoundTrips packs records the dictionary knows nothing of
// (another alphabet, long bodies, bytes JSON escapes) and reads them back;
// a plain record reads as it is.
func TestPackEndedRoundTrips(t *testing.T) {
	for _, rec := range []string{goldenRecord, "", "{}", `{"e":"évt_ünïcødé 日本"}` + "\n" + strings.Repeat(`{"b":"x\u0000\"y"}`, 500)} {
		got, err := unpackEnded(string(packEnded([]byte(rec))))
		if err != nil || got != rec {
			t.Errorf("round trip of %.40q: %.40q, %v", rec, got, err)
		}
		if plain, err := unpackEnded(rec); err != nil || plain != rec {
			t.Errorf("a plain record %.40q read as %.40q, %v", rec, plain, err)
		}
	}
	if _, err := unpackEnded("\x01not zstd"); err == nil {
		t.Error("a damaged packed record read without an error")
	}
}

const goldenRecord = `{"e":"evt_MQK92ZMl52sQSRPkyne9UPsC","y":"bench.event","k":"webhook_endpoint","t":"whe_ad21a397ac1e9afce6513945","s":"succeeded","n":1,"c":200,"ca":1796213098031,"u":1796213098061}
{"v":2,"i":"req_f8094e5542037f3cd96b2833","n":1,"u":"http://127.0.0.1:34041/ep/0","q":":6$e\n:7$r\n:5t=1796213098,v1=578e48c1af2a00d606523bac33ae23af22acb377858a4e20924ea85579426392\n:0$j\n:1Bellhop/dev\n:2$e\n:4v1,W0IROW+lyugNax40uiM8HhnFR/p4V4205ReuWDMI76Q=\n:31796213098\n","s":200,"h":":80\n:9Wed, 02 Dec 2026 12:04:58 GMT\n","l":1.571,"o":"succeeded","c":1796213098061}`

// goldenPackedV1 is packEnded(goldenRecord) as the first packing release
// wrote it.
const goldenPackedV1 = "0128b52ffd61012a01950600528d2a21306ddc43b6c3a7b4c84ca389f6dbeca37a88d38e34d95d1191958752505050c101cb620945a0899e61cc55d8466206a00541531a22dc083760881e0c80e680496093ad2bb71973f3df6ccc5f6fdc1853c779e673cd7755e78e262f5c0fa2e773e5da7e638ca9f1492dae260a410411962aa544b5a5b3fa71fa98622ef36f637bbcad8ad7bbe7fdca396b75958f3f400ff1c8c241ef04381409fdd0c341c1202c8e6486b2905db028010b008b2d445a0001e2c484f769bcee3cba5c69513b44c50e806ac3d85c3701dd8c88db5a03"
