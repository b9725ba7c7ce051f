package redisstore

import (
	"encoding/hex"
	"strings"
)

// A delivery ref is how a target's log and an event's index name one of
// its deliveries: an id the engine makes (core/delivery, "whd_", the four
// base62 characters of its event's hour, 20 lowercase hex digits) as its
// hour and the 10 bytes of those digits, 14 bytes for 28. Both indexes
// hold one ref a delivery for as long as it is kept: 14 bytes of Redis a
// delivery each (issue 12). Any other id (those of earlier releases) is
// kept as it is; a ref never starts with "whd_", so the two never meet.
const (
	deliveryIDPrefix = "whd_"
	deliveryRefLen   = 4 + deliveryRefHex/2
	deliveryRefHex   = 20
)

// deliveryRef returns id's ref, or id itself if it is not of the engine's
// hour-named form.
func deliveryRef(id string) string {
	if len(id) != len(deliveryIDPrefix)+4+deliveryRefHex || !strings.HasPrefix(id, deliveryIDPrefix) ||
		!isBase62(id[4:8]) || !isLowerHexString(id[8:]) {
		return id
	}
	raw, _ := hex.DecodeString(id[8:]) // lowercase hex digits: no error
	return id[4:8] + string(raw)
}

// deliveryIDOfRef reverses deliveryRef.
func deliveryIDOfRef(ref string) string {
	if len(ref) != deliveryRefLen || strings.HasPrefix(ref, deliveryIDPrefix) {
		return ref
	}
	return deliveryIDPrefix + ref[:4] + hex.EncodeToString([]byte(ref[4:]))
}

func isLowerHexString(s string) bool {
	for i := range len(s) {
		if !isLowerHex(s[i]) {
			return false
		}
	}
	return true
}

// deliveryRefLua defines delivery_ref and delivery_id_of_ref, the same
// functions in a script (TestDeliveryRefsAgree holds them together).
const deliveryRefLua = `
local function delivery_ref(id)
  if #id ~= 28 or string.sub(id, 1, 4) ~= 'whd_' or not string.find(id, '^%w%w%w%w', 5) or string.find(id, '[^0-9a-f]', 9) then
    return id
  end
  return string.sub(id, 5, 8) .. (string.gsub(string.sub(id, 9), '..', function(h) return string.char(tonumber(h, 16)) end))
end
local function delivery_id_of_ref(ref)
  if #ref ~= 14 or string.sub(ref, 1, 4) == 'whd_' then return ref end
  return 'whd_' .. string.sub(ref, 1, 4) .. (string.gsub(string.sub(ref, 5), '.', function(c) return string.format('%02x', string.byte(c)) end))
end
`

// indexedDeliveries splits an event's index value: its stream entry id,
// then its deliveries, oldest first, each after a space, as an id (of an
// earlier release, or not of the hour-named form) or as a ref, which may
// hold any byte and is read by its length.
func indexedDeliveries(v string) (entryID string, ids []string) {
	entryID, rest, _ := strings.Cut(v, " ")
	for rest != "" {
		var item string
		if strings.HasPrefix(rest, deliveryIDPrefix) || len(rest) < deliveryRefLen {
			item, rest, _ = strings.Cut(rest, " ")
		} else {
			item, rest = rest[:deliveryRefLen], strings.TrimPrefix(rest[deliveryRefLen:], " ")
		}
		ids = append(ids, deliveryIDOfRef(item))
	}
	return entryID, ids
}
