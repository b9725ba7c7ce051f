package hubspotfake

import (
	"encoding/json"
	"net/http"
	"net/mail"
	"sort"
	"strconv"
	"time"
)

// The batch upsert follows two references, checked on 2026-12-01:
//
//   - the spec: HubSpot/HubSpot-public-api-spec-collection,
//     PublicApiSpecs/CRM/Contacts/Rollouts/424/v3/contacts.json, operation
//     POST /crm/v3/objects/contacts/batch/upsert: inputs of
//     SimplePublicObjectBatchInputUpsert (id, idProperty, objectWriteTraceId,
//     properties required), 200 BatchResponseSimplePublicUpsertObject, 207
//     BatchResponseSimplePublicUpsertObjectWithErrors, any other status the
//     Error schema;
//   - the guide: https://developers.hubspot.com/docs/api-reference/error-handling,
//     "Multi-status errors": a batch answers 207 with partial failures only
//     when each input carries a unique objectWriteTraceId, and each error
//     names its input in context.objectWriteTraceId.

// knownProperties are the contact properties of a fresh portal that the
// connector's default script sets; anything else is PROPERTY_DOESNT_EXIST.
var knownProperties = map[string]bool{
	"email": true, "firstname": true, "lastname": true, "phone": true, "company": true,
	"city": true, "country": true, "address": true, "zip": true, "lifecyclestage": true,
	"hs_language": true, "jobtitle": true, "website": true, "state": true,
}

type upsertInput struct {
	IDProperty         string            `json:"idProperty"`
	ID                 string            `json:"id"`
	ObjectWriteTraceID string            `json:"objectWriteTraceId"`
	Properties         map[string]string `json:"properties"`
}

// problem is why one input cannot be saved, in HubSpot's words: message is
// what the guide's example shows for a bad property ("Property values were
// not valid: [...]"), code its error (INVALID_EMAIL, PROPERTY_DOESNT_EXIST)
// and property the property at fault.
type problem struct {
	message, code, property string
}

func (s *Server) upsert(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Inputs []upsertInput `json:"inputs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Inputs) == 0 {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON on line 1, column 1: inputs are required")
		return
	}
	if len(body.Inputs) > 100 {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Batch input limit of 100 exceeded")
		return
	}
	problems, bad := make([]*problem, len(body.Inputs)), false
	for i, in := range body.Inputs {
		// properties is required in the spec; HubSpot's exact words for a
		// missing one are not documented, so the message is the fake's own.
		if in.Properties == nil {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: inputs["+strconv.Itoa(i)+"].properties is required")
			return
		}
		if problems[i] = inputProblem(in); problems[i] != nil {
			bad = true
		}
	}
	if bad && !s.multiStatus(body.Inputs) {
		writeBatchRefused(w, problems)
		return
	}
	s.answerUpsert(w, body.Inputs, problems)
}

// multiStatus says whether HubSpot would answer a batch with a bad input
// with 207: the guide enables it when each input carries an
// objectWriteTraceId, unique in the batch. What HubSpot does when only some
// inputs carry one, or two share one, is not documented; the fake treats
// both as not enabled. NoMultiStatus turns it off altogether.
func (s *Server) multiStatus(inputs []upsertInput) bool {
	if s.NoMultiStatus {
		return false
	}
	seen := map[string]bool{}
	for _, in := range inputs {
		if in.ObjectWriteTraceID == "" || seen[in.ObjectWriteTraceID] {
			return false
		}
		seen[in.ObjectWriteTraceID] = true
	}
	return true
}

// answerUpsert saves the good inputs and answers 200, or 207 naming each
// bad input by its objectWriteTraceId as the guide's example does. A 207
// whose every input failed (no results) is the fake's assumption: neither
// the guide nor the spec shows that case.
func (s *Server) answerUpsert(w http.ResponseWriter, inputs []upsertInput, problems []*problem) {
	started := time.Now().UTC().Format(time.RFC3339Nano)
	results, errs := []map[string]any{}, []map[string]any{}
	for i, in := range inputs {
		if p := problems[i]; p != nil {
			errs = append(errs, map[string]any{
				"status": "error", "category": "VALIDATION_ERROR", "message": p.message,
				"context": map[string][]string{"objectWriteTraceId": {in.ObjectWriteTraceID}},
			})
			continue
		}
		results = append(results, s.store(in))
	}
	ans := map[string]any{
		"status": "COMPLETE", "results": results, "startedAt": started,
		"completedAt": time.Now().UTC().Format(time.RFC3339Nano),
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusMultiStatus
		ans["errors"], ans["numErrors"] = errs, len(errs)
	}
	writeJSON(w, status, ans)
}

// writeBatchRefused answers a batch with a bad input and no multi-status
// with 400 and saves nothing, in the guide's error shape. Which input was
// at fault is not said: the guide's example error names a property
// (errors[].context.propertyName), never an input, so the fake names none.
func writeBatchRefused(w http.ResponseWriter, problems []*problem) {
	var details []map[string]any
	first := ""
	for _, p := range problems {
		if p == nil {
			continue
		}
		if first == "" {
			first = p.message
		}
		details = append(details, map[string]any{
			"message": p.message, "code": p.code,
			"context": map[string][]string{"propertyName": {p.property}},
		})
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"status": "error", "message": first, "correlationId": correlationID(),
		"category": "VALIDATION_ERROR", "errors": details,
	})
}

// inputProblem is what HubSpot would refuse in one input: an id that is not
// an email (the connector upserts by email), or a property the portal does
// not have (the guide's example: PROPERTY_DOESNT_EXIST). Refusing any
// idProperty but email is the fake's own simplification: a real portal
// accepts any property with unique values, which the fake has none of.
func inputProblem(in upsertInput) *problem {
	if _, err := mail.ParseAddress(in.ID); err != nil || in.IDProperty != "email" {
		return &problem{
			message:  "Property values were not valid: [{\"isValid\":false,\"message\":\"" + in.ID + " is not a valid email address\",\"error\":\"INVALID_EMAIL\",\"name\":\"email\"}]",
			code:     "INVALID_EMAIL",
			property: "email",
		}
	}
	var unknown []string
	for p := range in.Properties {
		if !knownProperties[p] {
			unknown = append(unknown, p)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return &problem{
		message:  "Property values were not valid: [{\"isValid\":false,\"message\":\"Property \\\"" + unknown[0] + "\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\"" + unknown[0] + "\"}]",
		code:     "PROPERTY_DOESNT_EXIST",
		property: unknown[0],
	}
}

// store upserts one contact by email and returns its result, with the
// input's objectWriteTraceId echoed (SimplePublicUpsertObject has the field
// in the spec).
func (s *Server) store(in upsertInput) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now().UTC().Format(time.RFC3339Nano)
	c, existed := s.contacts[in.ID]
	if !existed {
		c = &Contact{ID: s.nextID(), Properties: map[string]string{"email": in.ID}}
		s.contacts[in.ID] = c
	}
	for k, v := range in.Properties {
		c.Properties[k] = v
	}
	props := map[string]string{}
	for k, v := range c.Properties {
		props[k] = v
	}
	ans := map[string]any{
		"id": c.ID, "properties": props, "createdAt": now, "updatedAt": now,
		"archived": false, "new": !existed,
	}
	if in.ObjectWriteTraceID != "" {
		ans["objectWriteTraceId"] = in.ObjectWriteTraceID
	}
	return ans
}
