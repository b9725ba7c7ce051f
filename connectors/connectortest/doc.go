// Package connectortest is the test kit every Bellhop connector runs, in the
// way alertmanager's receivers share one retry table and one "no secret in
// errors" test.
//
// A connector's test builds a Kit: the connector (logging into a Logs from
// NewLogs), a working configuration that points at the connector's fake, a
// sample input, and a table of Cases, each a behaviour of the remote API
// (arranged on the fake) and the plugins.Outcome the connector must report
// for it. Kit.Run checks the outcomes, then that no secret value of the
// configuration ever shows up in an error, a Result's Summary or ExternalID,
// a FieldError, or a log line (slog or hclog).
//
//	logs := connectortest.NewLogs()
//	kit := connectortest.Kit{
//		Connector: slack.New(logs.Slog()),
//		Config:    cfg, Input: input, Logs: logs,
//		Cases: []connectortest.Case{
//			{Name: "invalid_auth", Arrange: func() { fake.Fail(...) }, Want: plugins.Failed},
//		},
//	}
//	kit.Run(t)
//
// The fakes share two building blocks, so that "the next request fails this
// way" and "over the limit answers 429" mean the same in each: a
// FailureQueue behind the fake's Fail method, and a RollingWindow for APIs
// that count requests over a sliding window (HubSpot, Google).
//
// A connector's FuzzValidate is one line, FuzzValidate(f, conn, seeds...):
// Validate is fed configurations decoded from arbitrary JSON and must name
// a field for each problem, quote no secret, and accept only what Deliver
// can use. make fuzz-smoke runs it with every other fuzz target.
package connectortest
