package plugins_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"testing"

	"github.com/bellhop/bellhop/plugins"
)

// TestEgressCrossesTheBoundary holds that what the host sets with WithEgress
// is what the connector reads with EgressFrom in the plugin process.
func TestEgressCrossesTheBoundary(t *testing.T) {
	p, _ := open(t, "test")
	tests := []struct {
		name string
		ctx  context.Context
		want plugins.Egress
	}{
		{"none set is test mode", context.Background(), plugins.Egress{}},
		{"live", plugins.WithEgress(context.Background(), plugins.Egress{Livemode: true}), plugins.Egress{Livemode: true}},
		{"live with ranges",
			plugins.WithEgress(context.Background(), plugins.Egress{Livemode: true, AllowedRanges: []netip.Prefix{netip.MustParsePrefix("10.1.2.0/24")}}),
			plugins.Egress{Livemode: true, AllowedRanges: []netip.Prefix{netip.MustParsePrefix("10.1.2.0/24")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := p.Deliver(tt.ctx, nil, json.RawMessage(`{"egress":true}`))
			if err != nil {
				t.Fatal(err)
			}
			var got plugins.Egress
			if err := json.Unmarshal([]byte(r.Summary), &got); err != nil {
				t.Fatalf("summary %q: %v", r.Summary, err)
			}
			if got.Livemode != tt.want.Livemode || len(got.AllowedRanges) != len(tt.want.AllowedRanges) ||
				(len(got.AllowedRanges) > 0 && got.AllowedRanges[0] != tt.want.AllowedRanges[0]) {
				t.Errorf("plugin saw %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestEgressFromInProcess(t *testing.T) {
	if got := plugins.EgressFrom(context.Background()); got.Livemode {
		t.Errorf("EgressFrom(no egress) = %+v, want test mode", got)
	}
	ctx := plugins.WithEgress(context.Background(), plugins.Egress{Livemode: true})
	if got := plugins.EgressFrom(ctx); !got.Livemode {
		t.Errorf("EgressFrom = %+v, want live", got)
	}
}
