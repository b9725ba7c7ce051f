package redisstore

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// matchSubscribersScript returns the records of every id in either of two
// sets (an event type's subscribers and the "*" ones), each read as
// record_prefix .. id: the same scope, so the same slot.
var matchSubscribersScript = redis.NewScript(`
local out = {}
for _, id in ipairs(redis.call('SUNION', KEYS[1], KEYS[2])) do
  out[#out + 1] = redis.call('GET', ARGV[1] .. id)
end
return out
`)

// matchSubscribers reads the records of the subscribers of an event type
// in one script through the hot client: the dispatcher asks for every read
// of events, so at a low rate, when each read holds one event, a SUNION and
// then an MGET, two round trips on the plain client, were a sizeable share
// of the hub's idle cost. A record gone since its id was listed is false,
// which decoding skips as MGET's nil.
func (s *Store) matchSubscribers(ctx context.Context, typeSet, anySet, recordPrefix string) ([]any, error) {
	vals, err := matchSubscribersScript.Run(ctx, s.hot, []string{typeSet, anySet}, recordPrefix).Slice()
	if err != nil {
		return nil, err
	}
	return vals, nil
}
