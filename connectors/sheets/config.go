package sheets

import (
	"encoding/json"
	"strings"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/plugins"
)

const defaultAPIURL = "https://sheets.googleapis.com/"

// Fields is the Sheets connector's configuration form, in order.
func Fields() []plugins.Field {
	return []plugins.Field{
		{Name: "credentials_json", Title: "Service account key (JSON)", Type: "string", Required: true, Secret: true,
			URLMembers: []string{"token_uri", "auth_uri", "auth_provider_x509_cert_url", "client_x509_cert_url"},
			Help:       "In the Google Cloud console, enable the Google Sheets API, create a service account, add a JSON key and paste the file here; then share the spreadsheet with the account's email as Editor."},
		{Name: "spreadsheet_id", Title: "Spreadsheet", Type: "string", Required: true,
			Help: "The spreadsheet's URL or its id (the part after /d/ in the URL)."},
		{Name: "sheet", Title: "Tab", Type: "string", Options: true,
			Help: "The tab to append to; the spreadsheet's first tab if empty."},
		connectors.APIBaseURLField(defaultAPIURL),
	}
}

type config struct {
	credentials   []byte
	clientEmail   string
	privateKey    string
	spreadsheetID string
	sheet         string // empty: the spreadsheet's first tab, looked up

	apiURL string
}

// serviceAccount is the part of a key file the connector reads.
type serviceAccount struct {
	Type         string `json:"type"`
	ClientEmail  string `json:"client_email"`
	PrivateKey   string `json:"private_key"`
	PrivateKeyID string `json:"private_key_id"`
	TokenURI     string `json:"token_uri"`
}

func parseConfig(raw plugins.Config) config {
	c := config{
		credentials:   []byte(connectors.String(raw, "credentials_json")),
		spreadsheetID: spreadsheetID(connectors.String(raw, "spreadsheet_id")),
		sheet:         connectors.String(raw, "sheet"),
		apiURL:        connectors.String(raw, "api_base_url"),
	}
	var sa serviceAccount
	_ = json.Unmarshal(c.credentials, &sa)
	c.clientEmail, c.privateKey = sa.ClientEmail, sa.PrivateKey
	if c.apiURL == "" {
		c.apiURL = defaultAPIURL
	} else if !strings.HasSuffix(c.apiURL, "/") {
		c.apiURL += "/"
	}
	return c
}

// secrets are the values Redact must hide.
func (c config) secrets() []string {
	return []string{string(c.credentials), c.privateKey}
}

// spreadsheetID accepts a pasted URL as well as a bare id.
func spreadsheetID(s string) string {
	if _, rest, ok := strings.Cut(s, "/spreadsheets/d/"); ok {
		id, _, _ := strings.Cut(rest, "/")
		return id
	}
	return s
}

// problems returns the field errors of a configuration: plugins.ValidateFields,
// then a look inside the key file. Messages never quote the key.
func problems(raw plugins.Config) []plugins.FieldError {
	if fes := plugins.ValidateFields(Fields(), raw); len(fes) > 0 {
		return fes
	}
	var sa serviceAccount
	msg := ""
	switch err := json.Unmarshal([]byte(connectors.String(raw, "credentials_json")), &sa); {
	case err != nil:
		msg = "is not JSON: paste the whole key file"
	case sa.Type != "service_account":
		msg = "must be a service account key (type service_account)"
	case sa.ClientEmail == "" || sa.PrivateKey == "":
		msg = "lacks client_email or private_key: paste the whole key file"
	}
	if msg != "" {
		return []plugins.FieldError{{Field: "credentials_json", Message: msg}}
	}
	return nil
}
