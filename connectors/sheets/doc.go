// Package sheets is Bellhop's Google Sheets connector.
package sheets
