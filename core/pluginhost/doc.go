// Package pluginhost runs Bellhop's connector plugins for the hub.
//
// A Manager watches one directory (BELLHOP_PLUGIN_DIR, default bin/plugins;
// see DirFromEnv) for binaries named bellhop-connector-<name>:
//
//	m := pluginhost.New(pluginhost.Config{Dir: pluginhost.DirFromEnv(getenv), Logger: log})
//	defer m.Close()
//	go m.Supervise(ctx, 10*time.Second) // optional: repair crashes before they are needed
//	infos := m.List(ctx)                 // GET /v1/connectors
//	c, err := m.Connector(ctx, "slack")  // a plugins.Connector
//	res, err := c.Deliver(ctx, config, input)
//
// A plugin starts on first use and describes itself; a binary that is not a
// Bellhop connector, or whose name does not match its description, is
// refused with an error naming the file and listed with StateError. The
// directory is read again on each List and on an unknown name, so a plugin
// built into it while the hub runs shows up without a restart, and a rebuilt
// one is restarted.
//
// Calls through a Connector carry their context's values across: the
// plugins.Egress and, for Deliver, the plugins.Budget the delivery engine
// lends, which the plugin calls back to over go-plugin's broker while the
// Deliver runs. Calls are bounded by Config.CallTimeout. A call to a
// plugin that crashed, hung or is restarting returns an EUNAVAILABLE error:
// the delivery engine retries it, and the next call runs on a fresh process.
// A plugin that crashes again at once is restarted after a doubling backoff.
//
// No plugin outlives the hub. Close stops them all; if the hub dies without
// closing, even by kill -9, Linux kills each plugin through the parent-death
// signal that plugins.Open sets (SysProcAttr.Pdeathsig = SIGKILL), and on any
// system the plugin's own parent watch (in plugins.Serve) exits it within a
// second. The parent-death signal fires when the OS thread that started the
// plugin exits, so never call Connector or List from a goroutine that holds
// runtime.LockOSThread.
package pluginhost
