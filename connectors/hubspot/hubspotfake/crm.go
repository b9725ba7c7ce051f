package hubspotfake

import (
	"encoding/json"
	"net/http"
	"net/mail"
	"sort"
	"strings"
	"time"
)

// knownProperties are the contact properties of a fresh portal that the
// connector's default script sets; anything else is PROPERTY_DOESNT_EXIST.
var knownProperties = map[string]bool{
	"email": true, "firstname": true, "lastname": true, "phone": true, "company": true,
	"city": true, "country": true, "address": true, "zip": true, "lifecyclestage": true,
	"hs_language": true, "jobtitle": true, "website": true, "state": true,
}

type upsertInput struct {
	IDProperty string            `json:"idProperty"`
	ID         string            `json:"id"`
	Properties map[string]string `json:"properties"`
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
	if msg := propertyProblem(body.Inputs); msg != "" {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", msg)
		return
	}
	started := time.Now().UTC().Format(time.RFC3339Nano)
	var results, errs []map[string]any
	for _, in := range body.Inputs {
		if _, err := mail.ParseAddress(in.ID); err != nil || in.IDProperty != "email" {
			errs = append(errs, map[string]any{
				"status": "error", "category": "VALIDATION_ERROR",
				"message": "Property values were not valid: [{\"isValid\":false,\"message\":\"" + in.ID + " is not a valid email address\",\"error\":\"INVALID_EMAIL\",\"name\":\"email\"}]",
				"context": map[string]any{"ids": []string{in.ID}},
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

// propertyProblem fails a whole batch that names an unknown property, as
// HubSpot does.
func propertyProblem(inputs []upsertInput) string {
	var unknown []string
	for _, in := range inputs {
		for p := range in.Properties {
			if !knownProperties[p] {
				unknown = append(unknown, p)
			}
		}
	}
	if len(unknown) == 0 {
		return ""
	}
	sort.Strings(unknown)
	return "Property values were not valid: [{\"isValid\":false,\"message\":\"Property \\\"" + unknown[0] + "\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\"" + unknown[0] + "\"}]"
}

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
	return map[string]any{
		"id": c.ID, "properties": props, "createdAt": now, "updatedAt": now,
		"archived": false, "new": !existed,
	}
}

type noteInput struct {
	Properties   map[string]string `json:"properties"`
	Associations []struct {
		To struct {
			ID string `json:"id"`
		} `json:"to"`
		Types []struct {
			Category string `json:"associationCategory"`
			TypeID   int    `json:"associationTypeId"`
		} `json:"types"`
	} `json:"associations"`
}

func (s *Server) createNote(w http.ResponseWriter, r *http.Request) {
	var in noteInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON")
		return
	}
	if in.Properties["hs_timestamp"] == "" {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Property values were not valid: hs_timestamp is required")
		return
	}
	note := Note{Body: in.Properties["hs_note_body"], Timestamp: in.Properties["hs_timestamp"]}
	for _, a := range in.Associations {
		if len(a.Types) != 1 || a.Types[0].Category != "HUBSPOT_DEFINED" || a.Types[0].TypeID != 202 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "invalid association type: a note to a contact is HUBSPOT_DEFINED 202")
			return
		}
		if !s.hasContactID(a.To.ID) {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "One or more associations are invalid: no contact "+a.To.ID)
			return
		}
		note.ContactIDs = append(note.ContactIDs, a.To.ID)
	}
	s.mu.Lock()
	note.ID = s.nextID()
	s.notes = append(s.notes, note)
	s.mu.Unlock()
	now := time.Now().UTC().Format(time.RFC3339Nano)
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": note.ID, "properties": in.Properties, "createdAt": now, "updatedAt": now, "archived": false,
	})
}

func (s *Server) hasContactID(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.contacts {
		if c.ID == id {
			return true
		}
	}
	return false
}

func (s *Server) accountDetails(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"portalId": 62515, "accountType": "STANDARD", "timeZone": "Europe/Paris",
		"companyCurrency": "EUR", "additionalCurrencies": []string{}, "utcOffset": "+01:00",
		"utcOffsetMilliseconds": 3600000, "uiDomain": "app.hubspot.com",
		"dataHostingLocation": strings.ToLower("EU1"),
	})
}
