package ingest

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
)

// accountPattern is the form an account id must have to become part of a
// Redis key (it sits inside a {hash tag}, so no braces or colons).
var accountPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// streamEvent is the JSON of an ingest entry's event field.
type streamEvent struct {
	ID         string  `json:"id"`
	Type       string  `json:"type"`
	PropertyID string  `json:"property_id"`
	CreatedAt  *string `json:"created_at"`
	Data       *struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

// decodeEntry reads the scope and the event input of an ingest entry.
// Returns EINVALID naming the field at fault (account, livemode, event, or
// created_at inside event).
func decodeEntry(fields map[string]any) (core.Scope, core.EventInput, error) {
	var scope core.Scope
	var in core.EventInput
	account, _ := fields["account"].(string)
	if !accountPattern.MatchString(account) {
		return scope, in, core.ParamError("account", "account: must be an account id (1 to 64 of A-Z, a-z, 0-9, _ and -).")
	}
	switch fields["livemode"] {
	case "true":
		scope.Livemode = true
	case "false":
	default:
		return scope, in, core.ParamError("livemode", "livemode: must be \"true\" or \"false\".")
	}
	scope.AccountID = account

	raw, _ := fields["event"].(string)
	if strings.TrimSpace(raw) == "" {
		return scope, in, core.ParamError("event", "event is required: the JSON of {type, property_id, data: {object}}.")
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	var se streamEvent
	if err := dec.Decode(&se); err != nil {
		return scope, in, core.ParamError("event", "event: not the JSON of {id?, type, property_id, created_at?, data: {object}}: %s", err)
	}
	if dec.More() {
		return scope, in, core.ParamError("event", "event: must hold one JSON object.")
	}
	in = core.EventInput{ID: se.ID, Type: se.Type, PropertyID: se.PropertyID}
	if se.Data != nil {
		in.Object = bytes.TrimSpace(se.Data.Object)
	}
	if se.CreatedAt != nil {
		t, err := time.Parse(time.RFC3339, *se.CreatedAt)
		if err != nil {
			return scope, in, core.ParamError("created_at", "created_at: must be an RFC 3339 time like 2026-04-13T14:22:31Z.")
		}
		in.CreatedAt = &t
	}
	return scope, in, nil
}

// deadFields are the fields of a dead-letter entry: the original ones, then
// why it was refused. Ours are written last, so they win a name clash.
func deadFields(id string, fields map[string]any, err error, now time.Time) map[string]any {
	out := make(map[string]any, len(fields)+5)
	for k, v := range fields {
		out[k] = v
	}
	var param string
	if e := asError(err); e != nil {
		param = e.Param
	}
	out["error_code"] = core.ErrorCode(err)
	out["error_message"] = core.ErrorMessage(err)
	out["error_param"] = param
	out["source_id"] = id
	out["failed_at"] = now.UTC().Format(time.RFC3339)
	return out
}
