package plugins

import (
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

// Serve runs c as a plugin and returns when the hub stops it. It is the whole
// body of a connector binary's main:
//
//	func main() { plugins.Serve(myconnector.New()) }
//
// Serve routes log/slog's default logger to the hub, which writes the lines
// into its own log under the plugin's name: a connector logs with
// slog.InfoContext and friends and never sees the transport. Once Serve has
// started, anything printed on stdout or stderr is forwarded to the hub's log
// too and cannot disturb the handshake; print nothing before calling Serve.
//
// Serve exits the process when the hub that started it goes away, so that a
// plugin never outlives its hub (the hub also asks Linux to kill it).
func Serve(c Connector) {
	stderr := os.Stderr // go-plugin swaps os.Stderr for a pipe; logs go to the real one
	slog.SetDefault(slog.New(newPluginLogHandler(stderr)))
	go exitWithParent(os.Getppid(), time.Second)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: handshake(),
		Plugins:         plugin.PluginSet{pluginName: &grpcPlugin{impl: c}},
		GRPCServer:      plugin.DefaultGRPCServer,
		Logger: hclog.New(&hclog.LoggerOptions{
			Output: stderr, JSONFormat: true, Level: hclog.Info,
		}),
	})
}

// exitWithParent ends the process once its parent has changed, which is how
// a Unix process learns that the hub died. It backs up Linux's parent-death
// signal, which other systems lack.
func exitWithParent(ppid int, every time.Duration) {
	if ppid <= 1 {
		return
	}
	for range time.Tick(every) {
		if os.Getppid() != ppid {
			os.Exit(3)
		}
	}
}

// newPluginLogHandler writes slog records as the JSON lines go-plugin's host
// side parses (@level, @message), so they arrive in the hub's log with their
// level and attributes.
func newPluginLogHandler(w *os.File) slog.Handler {
	return slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 {
				return a
			}
			switch a.Key {
			case slog.TimeKey:
				return slog.String("@timestamp", a.Value.Time().Format("2006-01-02T15:04:05.000000Z07:00"))
			case slog.LevelKey:
				return slog.String("@level", strings.ToLower(a.Value.String()))
			case slog.MessageKey:
				return slog.String("@message", a.Value.String())
			}
			return a
		},
	})
}
