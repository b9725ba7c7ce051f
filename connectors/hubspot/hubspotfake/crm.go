package hubspotfake

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

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
