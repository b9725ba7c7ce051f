package bellhop

import (
	"context"
	"iter"
	"net/http"

	"github.com/bellhop/bellhop/sdk/go/api"
)

// The types of deliveries, backfills, connections and scripts, as the API
// defines them.
type (
	// Delivery is one event on its way to one endpoint or connection, with
	// its attempts when read alone.
	Delivery = api.Delivery
	// Attempt is one try of a delivery: the request sent, the answer got.
	Attempt = api.Attempt
	// Backfill is a window of events being delivered again.
	Backfill = api.Backfill
	// Connection delivers events through a connector (Slack, HubSpot, …).
	Connection = api.Connection
	// CreateConnectionRequest is what Connections.Create takes.
	CreateConnectionRequest = api.CreateConnectionRequest
	// UpdateConnectionRequest is what Connections.Update takes: only the
	// fields set (non-nil) change.
	UpdateConnectionRequest = api.UpdateConnectionRequest
	// ListConnectionsParams are the cursors and page size of a list.
	ListConnectionsParams = api.ListConnectionsParams
	// ConnectionTest is the outcome of Connections.Test.
	ConnectionTest = api.ConnectionTest
	// Script is a saved transform script, at its latest version.
	Script = api.Script
	// CreateScriptRequest is what Scripts.Create takes.
	CreateScriptRequest = api.CreateScriptRequest
	// UpdateScriptRequest is what Scripts.Update takes: only the fields set
	// (non-nil) change, and a new source saves a new version.
	UpdateScriptRequest = api.UpdateScriptRequest
	// ListScriptsParams are the cursors and page size of a list.
	ListScriptsParams = api.ListScriptsParams
)

// DeliveriesService reads deliveries.
type DeliveriesService struct {
	api api.ClientInterface
}

// Get returns the delivery id with the timeline of its attempts. Returns an
// *Error with code resource_missing (status 404) when there is none.
func (s *DeliveriesService) Get(ctx context.Context, id string) (*Delivery, error) {
	return decode[Delivery](s.api.GetDelivery(ctx, id))
}

// BackfillsService reads backfills.
type BackfillsService struct {
	api api.ClientInterface
}

// Get returns the backfill id: its status and how many events it queued.
// Returns an *Error with code resource_missing (status 404) when there is
// none.
func (s *BackfillsService) Get(ctx context.Context, id string) (*Backfill, error) {
	return decode[Backfill](s.api.GetBackfill(ctx, id))
}

// ConnectionsService manages connections. The operations on one connection
// return an *Error with code resource_missing (status 404) when the account
// has no connection of that id.
type ConnectionsService struct {
	api api.ClientInterface
}

// Create creates a connection of a connector with its config, which the
// connector checks (an *Error names the bad config field in Param).
func (s *ConnectionsService) Create(ctx context.Context, req CreateConnectionRequest) (*Connection, error) {
	return decode[Connection](s.api.CreateConnection(ctx, nil, req))
}

// List iterates over the account's connections, fetching pages as it goes.
func (s *ConnectionsService) List(ctx context.Context, params *ListConnectionsParams) iter.Seq2[Connection, error] {
	p := ptrOr(params)
	return paginate(&p.StartingAfter, &p.EndingBefore,
		func() (*http.Response, error) { return s.api.ListConnections(ctx, &p) },
		func(c Connection) string { return c.ID })
}

// Get returns the connection id; its secret config values are masked.
func (s *ConnectionsService) Get(ctx context.Context, id string) (*Connection, error) {
	return decode[Connection](s.api.GetConnection(ctx, id))
}

// Update changes the fields req sets and returns the connection.
func (s *ConnectionsService) Update(ctx context.Context, id string, req UpdateConnectionRequest) (*Connection, error) {
	return decode[Connection](s.api.UpdateConnection(ctx, id, nil, req))
}

// Delete deletes the connection.
func (s *ConnectionsService) Delete(ctx context.Context, id string) error {
	_, err := decode[api.Deleted](s.api.DeleteConnection(ctx, id))
	return err
}

// Enable re-enables a disabled connection.
func (s *ConnectionsService) Enable(ctx context.Context, id string) (*Connection, error) {
	return decode[Connection](s.api.EnableConnection(ctx, id, nil))
}

// Disable stops deliveries through the connection; reason is shown beside it.
func (s *ConnectionsService) Disable(ctx context.Context, id, reason string) (*Connection, error) {
	return decode[Connection](s.api.DisableConnection(ctx, id, nil, api.DisableConnectionJSONRequestBody{Reason: reason}))
}

// Test sends a sample event of eventType (the connector's choice when
// empty) through the connection now and reports how it went.
func (s *ConnectionsService) Test(ctx context.Context, id, eventType string) (*ConnectionTest, error) {
	return decode[ConnectionTest](s.api.TestConnection(ctx, id, nil, api.TestConnectionRequest{EventType: eventType}))
}

// ScriptsService manages transform scripts. The operations on one script
// return an *Error with code resource_missing (status 404) when the account
// has no script of that id.
type ScriptsService struct {
	api api.ClientInterface
}

// Create saves a script as its version 1. Returns an *Error with Param
// source when the script does not compile.
func (s *ScriptsService) Create(ctx context.Context, req CreateScriptRequest) (*Script, error) {
	return decode[Script](s.api.CreateScript(ctx, nil, req))
}

// List iterates over the account's scripts, fetching pages as it goes.
func (s *ScriptsService) List(ctx context.Context, params *ListScriptsParams) iter.Seq2[Script, error] {
	p := ptrOr(params)
	return paginate(&p.StartingAfter, &p.EndingBefore,
		func() (*http.Response, error) { return s.api.ListScripts(ctx, &p) },
		func(sc Script) string { return sc.ID })
}

// Get returns the script id at its latest version.
func (s *ScriptsService) Get(ctx context.Context, id string) (*Script, error) {
	return decode[Script](s.api.GetScript(ctx, id))
}

// Update changes the fields req sets; a new source saves a new version.
func (s *ScriptsService) Update(ctx context.Context, id string, req UpdateScriptRequest) (*Script, error) {
	return decode[Script](s.api.UpdateScript(ctx, id, nil, req))
}

// Delete deletes the script.
func (s *ScriptsService) Delete(ctx context.Context, id string) error {
	_, err := decode[api.Deleted](s.api.DeleteScript(ctx, id))
	return err
}
