package catalog

import (
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
)

// Custom types round trip through the Redis store, in a live scope.
func TestCustomTypesRedis(t *testing.T) {
	r := redistest.New(t)
	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	testCustomTypes(t, store, core.Scope{AccountID: "acct_catalogtest", Livemode: true})
}
