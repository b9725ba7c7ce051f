package catalog

import "strings"

// TypeName turns an event type into the name generated code gives it:
// "housekeeping.status_changed" becomes "HousekeepingStatusChanged". The
// script typings, the OpenAPI document and the SDKs all use it, so that a
// type reads the same in each.
func TypeName(eventType string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(eventType, func(r rune) bool { return r == '.' || r == '_' || r == '-' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
