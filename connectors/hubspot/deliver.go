package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/plugins"
)

// upsertAnswer is the body of a batch upsert's 200 or 207.
type upsertAnswer struct {
	Results []struct {
		ID         string            `json:"id"`
		Properties map[string]string `json:"properties"`
		New        bool              `json:"new"`
	} `json:"results"`
	Errors []struct {
		Category string              `json:"category"`
		Message  string              `json:"message"`
		Context  map[string][]string `json:"context"`
	} `json:"errors"`
}

// saved is what the upsert achieved.
type saved struct {
	ids     []string // contact ids HubSpot saved
	failed  []string // "email: why" for records that failed for good
	retry   bool     // a record error may go away on its own
	summary string
}

func (c *Connector) deliver(ctx context.Context, cfg config, msg input) plugins.Result {
	var s saved
	if len(msg.Contacts) > 0 {
		var res *plugins.Result
		if s, res = c.upsert(ctx, cfg, msg); res != nil {
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

// upsert writes the contacts in one batch. A non-nil Result ends the
// delivery (the whole batch was refused or never answered).
func (c *Connector) upsert(ctx context.Context, cfg config, msg input) (saved, *plugins.Result) {
	type in struct {
		IDProperty string            `json:"idProperty"`
		ID         string            `json:"id"`
		Properties map[string]string `json:"properties"`
	}
	body := struct {
		Inputs []in `json:"inputs"`
	}{}
	for _, ct := range msg.Contacts {
		body.Inputs = append(body.Inputs, in{IDProperty: "email", ID: ct.Email, Properties: ct.Properties})
	}
	a, held := c.call(ctx, cfg, http.MethodPost, "/crm/v3/objects/contacts/batch/upsert", body)
	if held != nil {
		return saved{}, held
	}
	if a.status != http.StatusOK && a.status != http.StatusCreated && a.status != http.StatusMultiStatus {
		r := failure(a, "the contact upsert")
		return saved{}, &r
	}
	var ans upsertAnswer
	if err := json.Unmarshal(a.body, &ans); err != nil {
		r := connectors.RetryLater(0, "HubSpot's upsert answer is not JSON: "+err.Error())
		return saved{}, &r
	}
	return readUpsert(ans, len(msg.Contacts)), nil
}

// readUpsert reads a 200 or 207 record by record.
func readUpsert(ans upsertAnswer, sent int) saved {
	var s saved
	for _, r := range ans.Results {
		s.ids = append(s.ids, r.ID)
	}
	for _, e := range ans.Errors {
		who := strings.Join(e.Context["ids"], ", ")
		if who == "" {
			who = "a contact"
		}
		if e.Category == "RATE_LIMITS" || e.Category == "INTERNAL_ERROR" {
			s.retry = true
		}
		s.failed = append(s.failed, who+": "+e.Category+" "+truncate(e.Message, 200))
	}
	s.summary = fmt.Sprintf("%d of %d contacts saved", len(s.ids), sent)
	if s.retry {
		s.summary += "; HubSpot asked to retry the others: " + strings.Join(s.failed, "; ")
	}
	return s
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
	var assocs []assoc
	for _, id := range contactIDs {
		assocs = append(assocs, assoc{To: map[string]string{"id": id}, Types: []typ{{"HUBSPOT_DEFINED", 202}}})
	}
	if len(assocs) > 0 {
		req["associations"] = assocs
	}
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
