package hubspot

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/plugins"
)

// deliver upserts the contacts, then writes the note once on those saved.
// The note waits until every upsert request is done, the split of a refused
// batch included, so no path writes it twice within a delivery.
func (c *Connector) deliver(ctx context.Context, cfg config, msg input) plugins.Result {
	var s saved
	if len(msg.Contacts) > 0 {
		var res *plugins.Result
		if s, res = c.upsert(ctx, cfg, msg.Contacts); res != nil {
			return *res
		}
		if s.retry {
			return connectors.RetryLater(0, s.summary)
		}
	}
	ids := prefixed("contact/", s.ids)
	if msg.Note != nil && *msg.Note != "" && (len(s.ids) > 0 || len(msg.Contacts) == 0) {
		noteID, res := c.createNote(ctx, cfg, *msg.Note, s.ids)
		if res != nil {
			res.Summary = joinSummary(s.summary, res.Summary)
			return *res
		}
		ids = append(ids, "note/"+noteID)
		s.summary = joinSummary(s.summary, "note "+noteID+" added")
	}
	if len(s.failed) > 0 {
		r := connectors.Fail(joinSummary(s.summary, "failed for good: "+strings.Join(s.failed, "; ")))
		r.ExternalID = strings.Join(ids, ",")
		return r
	}
	if len(ids) == 0 {
		return connectors.Delivered("", "nothing to send: no contacts and no note")
	}
	return connectors.Delivered(strings.Join(ids, ","), s.summary)
}

// createNote adds the note to the contacts' timelines and returns its id.
func (c *Connector) createNote(ctx context.Context, cfg config, body string, contactIDs []string) (string, *plugins.Result) {
	type typ struct {
		Category string `json:"associationCategory"`
		TypeID   int    `json:"associationTypeId"`
	}
	type assoc struct {
		To    map[string]string `json:"to"`
		Types []typ             `json:"types"`
	}
	req := map[string]any{
		"properties": map[string]string{
			"hs_note_body": body,
			"hs_timestamp": c.now().UTC().Format(time.RFC3339Nano),
		},
	}
	// associations is required by the spec's SimplePublicObjectInputForCreate,
	// so a note on no contact sends an empty list rather than none.
	assocs := []assoc{}
	for _, id := range contactIDs {
		assocs = append(assocs, assoc{To: map[string]string{"id": id}, Types: []typ{{"HUBSPOT_DEFINED", 202}}})
	}
	req["associations"] = assocs
	a, held := c.call(ctx, cfg, http.MethodPost, "/crm/v3/objects/notes", req)
	if held != nil {
		return "", held
	}
	if a.status != http.StatusCreated && a.status != http.StatusOK {
		r := failure(a, "the note")
		return "", &r
	}
	var ans struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(a.body, &ans); err != nil || ans.ID == "" {
		r := connectors.RetryLater(0, "HubSpot's note answer has no id")
		return "", &r
	}
	return ans.ID, nil
}

func prefixed(p string, ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, p+id)
	}
	return out
}

func joinSummary(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func itoa(i int) string { return strconv.Itoa(i) }
