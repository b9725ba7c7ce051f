package redisstore

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestDeliveryRefsAgree: the engine's ids become 14-byte refs and back, in
// Go and in a script alike (the create script writes them, drop_oldest and
// the Go readers read them); any other id is its own ref; an index value
// mixing ids of earlier releases and refs, whatever bytes they hold, splits
// back into its deliveries.
func TestDeliveryRefsAgree(t *testing.T) {
	c := scriptsClient(t)
	refs := redis.NewScript(deliveryRefLua + `
local ref = delivery_ref(ARGV[1])
return {ref, delivery_id_of_ref(ref)}`)
	// Earlier releases' ids of 24 hex digits have the form too.
	hourNamed := []string{"whd_0123456789abcdef01234567", "whd_25oRe95db007305adcbf5913", "whd_0000" + strings.Repeat("0", 20), "whd_zzzz20202020202020202020", "whd_ZZ9a" + strings.Repeat("f", 20)}
	others := []string{"whd_0123456789abcdef0123456X", "whd_25oRE95db007305adcbf5913", "whd_25o_e95db007305adcbf5913", "whd_25oRe95db007305adcbf591", "dlv_25oRe95db007305adcbf5913", "x", ""}
	for _, id := range append(slices.Clone(hourNamed), others...) {
		got, err := refs.Run(context.Background(), c, nil, id).StringSlice()
		if err != nil {
			t.Fatal(err)
		}
		ref := deliveryRef(id)
		if got[0] != ref || got[1] != id || deliveryIDOfRef(ref) != id {
			t.Errorf("%q: the script's ref %q and back %q, Go's %q and back %q", id, got[0], got[1], ref, deliveryIDOfRef(ref))
		}
		if wantRef := slices.Contains(hourNamed, id); wantRef != (len(ref) == deliveryRefLen) {
			t.Errorf("%q: ref %q, want a %d-byte ref: %v", id, ref, deliveryRefLen, wantRef)
		}
	}
	// "whd_zzzz2020…"'s ref holds spaces only.
	v := "1796411987288-16 " + hourNamed[1] + " " + deliveryRef(hourNamed[3]) + " " + deliveryRef(hourNamed[2]) + " " + others[0]
	sid, ids := indexedDeliveries(v)
	if want := []string{hourNamed[1], hourNamed[3], hourNamed[2], others[0]}; sid != "1796411987288-16" || !slices.Equal(ids, want) {
		t.Errorf("indexedDeliveries = %q, %q; want 1796411987288-16, %q", sid, ids, want)
	}
	if sid, ids := indexedDeliveries("1796411987288-0"); sid != "1796411987288-0" || len(ids) != 0 {
		t.Errorf("an event without deliveries: %q, %q", sid, ids)
	}
}
