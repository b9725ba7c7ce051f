package slackfake

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
)

// conversationsList lists the workspace's conversations a page at a time,
// as https://api.slack.com/methods/conversations.list and the OpenAPI spec
// describe it: types defaults to public_channel; limit defaults to 100 and
// "must be an integer no larger than 1000"; the next page is asked for with
// the cursor from response_metadata.next_cursor, which is "" on the last
// page (https://api.slack.com/docs/pagination). A bad value answers
// invalid_types, invalid_limit or invalid_cursor, the errors the method's
// docs list. Private channels are listed only to members, as Slack does.
//
// The cursor is an opaque base64 string like Slack's ("dXNlcjpVMDYxTkZUVDI="
// in the docs); what it encodes here (the next channel's id) is the fake's
// own choice.
func (s *Server) conversationsList(c call) map[string]any {
	types := []string{"public_channel"}
	if t := c.get("types"); t != "" {
		types = strings.Split(t, ",")
	}
	for _, t := range types {
		if typeScope[t] == "" {
			return fail("invalid_types")
		}
	}
	if ans := c.needRead(types...); ans != nil {
		return ans
	}
	limit := 100
	if l := c.get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return fail("invalid_limit")
		}
		limit = n
	}
	list := s.listed(types, c.get("exclude_archived") == "true")
	start := 0
	if cur := c.get("cursor"); cur != "" {
		id, err := base64.StdEncoding.DecodeString(cur)
		start = slices.IndexFunc(list, func(ch Channel) bool { return "channel:"+ch.ID == string(id) })
		if err != nil || start < 0 {
			return fail("invalid_cursor")
		}
	}
	end := min(start+limit, len(list))
	page := []map[string]any{}
	for _, ch := range list[start:end] {
		page = append(page, channelJSON(ch))
	}
	next := ""
	if end < len(list) {
		next = base64.StdEncoding.EncodeToString([]byte("channel:" + list[end].ID))
	}
	return map[string]any{"ok": true, "channels": page, "response_metadata": map[string]any{"next_cursor": next}}
}

// listed is every channel conversations.list would show for these types.
func (s *Server) listed(types []string, excludeArchived bool) []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Channel
	for _, ch := range s.channels {
		switch {
		case !slices.Contains(types, channelType(ch)):
		case excludeArchived && ch.Archived:
		case ch.Private && !ch.IsMember:
		default:
			out = append(out, ch)
		}
	}
	return out
}
