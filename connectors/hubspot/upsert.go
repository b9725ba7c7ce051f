package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/plugins"
)

const upsertPath = "/crm/v3/objects/contacts/batch/upsert"

// upsertInput is one input of a batch upsert (the spec's
// SimplePublicObjectBatchInputUpsert). ObjectWriteTraceID is what turns on
// HubSpot's multi-status answer: without it, one bad record fails the
// whole batch with 400.
type upsertInput struct {
	IDProperty         string            `json:"idProperty"`
	ID                 string            `json:"id"`
	ObjectWriteTraceID string            `json:"objectWriteTraceId"`
	Properties         map[string]string `json:"properties"`
}

// upsertAnswer is the body of a batch upsert's 200 or 207.
type upsertAnswer struct {
	Results []struct {
		ID string `json:"id"`
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

// upsert writes the contacts in one batch, each input traced by its index
// so that HubSpot answers a bad record with 207 and saves the others. Should
// HubSpot still refuse a batch of several whole with 400, the contacts are
// sent again one by one, so the good ones are saved and only the bad ones
// fail: one request per contact (at most 100), never a second split. A
// non-nil Result ends the delivery (refused for another reason,
// or not answered); the upsert being idempotent, a retry repeats it safely.
func (c *Connector) upsert(ctx context.Context, cfg config, contacts []contact) (saved, *plugins.Result) {
	a, held := c.upsertBatch(ctx, cfg, contacts)
	if held != nil {
		return saved{}, held
	}
	if a.status == http.StatusBadRequest && len(contacts) > 1 {
		return c.upsertOneByOne(ctx, cfg, contacts)
	}
	s, res := readUpsert(a, contacts)
	if res != nil {
		return saved{}, res
	}
	s.summary = summarize(s, len(contacts))
	return s, nil
}

// upsertOneByOne sends each contact in a batch of its own. A 400 fails that
// contact alone; any other refusal ends the delivery as it would a batch.
func (c *Connector) upsertOneByOne(ctx context.Context, cfg config, contacts []contact) (saved, *plugins.Result) {
	var s saved
	for i := range contacts {
		one := contacts[i : i+1]
		a, held := c.upsertBatch(ctx, cfg, one)
		if held != nil {
			return saved{}, held
		}
		if a.status == http.StatusBadRequest {
			s.failed = append(s.failed, one[0].Email+": "+errorText(a))
			continue
		}
		part, res := readUpsert(a, one)
		if res != nil {
			return saved{}, res
		}
		s.ids = append(s.ids, part.ids...)
		s.failed = append(s.failed, part.failed...)
		s.retry = s.retry || part.retry
	}
	s.summary = summarize(s, len(contacts)) + " (sent one by one: HubSpot refused the batch whole)"
	return s, nil
}

// upsertBatch sends contacts as one batch upsert by email, the i-th input
// traced as "i". A contact without properties sends {}: the spec requires
// the field.
func (c *Connector) upsertBatch(ctx context.Context, cfg config, contacts []contact) (answer, *plugins.Result) {
	inputs := make([]upsertInput, len(contacts))
	for i, ct := range contacts {
		props := ct.Properties
		if props == nil {
			props = map[string]string{}
		}
		inputs[i] = upsertInput{IDProperty: "email", ID: ct.Email, ObjectWriteTraceID: strconv.Itoa(i), Properties: props}
	}
	return c.call(ctx, cfg, http.MethodPost, upsertPath, map[string]any{"inputs": inputs})
}

// readUpsert reads a 200 or 207 record by record, naming a failed record by
// the contact its objectWriteTraceId points at; any other status is the
// Result that ends the delivery.
func readUpsert(a answer, sent []contact) (saved, *plugins.Result) {
	if a.status != http.StatusOK && a.status != http.StatusCreated && a.status != http.StatusMultiStatus {
		r := failure(a, "the contact upsert")
		return saved{}, &r
	}
	var ans upsertAnswer
	if err := json.Unmarshal(a.body, &ans); err != nil {
		r := connectors.RetryLater(0, "HubSpot's upsert answer is not JSON: "+err.Error())
		return saved{}, &r
	}
	var s saved
	for _, r := range ans.Results {
		s.ids = append(s.ids, r.ID)
	}
	for _, e := range ans.Errors {
		if e.Category == "RATE_LIMITS" || e.Category == "INTERNAL_ERROR" {
			s.retry = true
		}
		s.failed = append(s.failed, who(e.Context, sent)+": "+e.Category+" "+truncate(e.Message, 200))
	}
	return s, nil
}

// who names the contacts an error's context points at: by
// objectWriteTraceId (our index), else by the ids HubSpot quotes.
func who(ctx map[string][]string, sent []contact) string {
	var names []string
	for _, t := range ctx["objectWriteTraceId"] {
		if i, err := strconv.Atoi(t); err == nil && i >= 0 && i < len(sent) {
			names = append(names, sent[i].Email)
		}
	}
	if len(names) == 0 {
		names = ctx["ids"]
	}
	if len(names) == 0 {
		return "a contact"
	}
	return strings.Join(names, ", ")
}

// summarize says how many contacts were saved and, when a record error may
// go away on its own, which ones HubSpot asked to retry.
func summarize(s saved, sent int) string {
	out := fmt.Sprintf("%d of %d contacts saved", len(s.ids), sent)
	if s.retry {
		out += "; HubSpot asked to retry the others: " + strings.Join(s.failed, "; ")
	}
	return out
}

// errorText is a refused answer's category and message, for a record that
// failed alone.
func errorText(a answer) string {
	var e apiError
	_ = json.Unmarshal(a.body, &e)
	if text := strings.TrimSpace(e.Category + " " + truncate(e.Message, 200)); text != "" {
		return text
	}
	return "HTTP " + strconv.Itoa(a.status)
}
