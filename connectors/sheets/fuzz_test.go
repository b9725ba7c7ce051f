package sheets_test

import (
	"testing"

	"github.com/bellhop/bellhop/connectors/connectortest"
	"github.com/bellhop/bellhop/connectors/sheets"
	"github.com/bellhop/bellhop/plugins"
)

// FuzzValidate runs the kit's config fuzzing on Google Sheets' Validate,
// which also looks inside the pasted service-account key.
func FuzzValidate(f *testing.F) {
	key := `{"type":"service_account","client_email":"bot@p.iam.gserviceaccount.com","private_key":"-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n"}`
	connectortest.FuzzValidate(f, sheets.New(nil),
		plugins.Config{"credentials_json": key, "spreadsheet_id": "1AbC", "sheet": "Bookings"},
		plugins.Config{"credentials_json": key, "spreadsheet_id": "https://docs.google.com/spreadsheets/d/1AbC/edit"},
		plugins.Config{"credentials_json": `{"type":"user"}`, "spreadsheet_id": "1AbC"},
		plugins.Config{"credentials_json": `{"type":"service_account"}`, "spreadsheet_id": "1AbC"},
		plugins.Config{"credentials_json": "not json", "spreadsheet_id": " "},
	)
}
