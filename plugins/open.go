package plugins

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins/internal/wire"
)

// Plugin is a connector running as a plugin process. It implements Connector
// and OptionLister, so the hub calls it exactly like an in-process connector;
// Close stops the process.
type Plugin struct {
	name   string // the binary's base name, for errors and logs
	client *plugin.Client
	conn   grpc.ClientConnInterface
	cmd    *exec.Cmd
	lender *lender // serves the plugin the Budget of each Deliver
}

var (
	_ Connector    = (*Plugin)(nil)
	_ OptionLister = (*Plugin)(nil)
	_ RateLimited  = (*Plugin)(nil)
)

// OpenOption changes how Open starts a plugin.
type OpenOption func(*openConfig)

type openConfig struct {
	logger       *slog.Logger
	startTimeout time.Duration
}

// WithLogger sends go-plugin's messages and everything the plugin logs or
// prints to l (default slog.Default()).
func WithLogger(l *slog.Logger) OpenOption {
	return func(c *openConfig) { c.logger = l }
}

// WithStartTimeout bounds how long the plugin may take to answer the
// handshake (default 10s), so that a binary that is not a plugin and does not
// exit is refused instead of waited on.
func WithStartTimeout(d time.Duration) OpenOption {
	return func(c *openConfig) { c.startTimeout = d }
}

// Open starts the plugin binary at path and connects to it. The process gets
// a parent-death signal on Linux, so it dies with the hub.
//
// Returns EUNAVAILABLE, naming the file, if path is not a Bellhop connector
// plugin (not executable, not a plugin, another protocol version).
func Open(path string, opts ...OpenOption) (*Plugin, error) {
	cfg := openConfig{logger: slog.Default(), startTimeout: 10 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	name := filepath.Base(path)
	cmd := exec.Command(path)
	cmd.SysProcAttr = procAttr()
	out := &lineLogger{log: func(line string) { cfg.logger.Info(line, "plugin", name, "stream", "stdout") }}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  handshake(),
		Plugins:          plugin.PluginSet{pluginName: &grpcPlugin{}},
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           newHCLog(cfg.logger, ""),
		StartTimeout:     cfg.startTimeout,
		SyncStdout:       out,
		SyncStderr:       out,
	})
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, notAPlugin(path, err)
	}
	raw, err := rpc.Dispense(pluginName)
	if err != nil {
		client.Kill()
		return nil, notAPlugin(path, err)
	}
	cs := raw.(*clientSide)
	return &Plugin{name: name, client: client, conn: cs.conn, cmd: cmd, lender: &lender{broker: cs.broker}}, nil
}

// notAPlugin explains a failed start in one line that names the file.
func notAPlugin(path string, err error) error {
	reason, _, _ := strings.Cut(strings.TrimSpace(err.Error()), "\n")
	return fmt.Errorf("%w: %w", core.Errorf(core.EUNAVAILABLE,
		"%s is not a Bellhop connector plugin: %s", path, reason), err)
}

// Pid is the plugin's process id.
func (p *Plugin) Pid() int {
	if p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Exited reports whether the plugin process has ended (crashed or stopped),
// so a host knows to start a new one.
func (p *Plugin) Exited() bool { return p.client.Exited() }

// Close asks the plugin to shut down, kills it if it has not within two
// seconds, and waits for it. It always returns nil; the error is there for
// io.Closer.
func (p *Plugin) Close() error {
	p.client.Kill()
	return nil
}

// Ping checks that the plugin answers, within ctx's deadline.
func (p *Plugin) Ping(ctx context.Context) error {
	return p.invoke(ctx, wire.MethodPing, request{}, nil)
}

// Describe implements Connector.
func (p *Plugin) Describe(ctx context.Context) (Description, error) {
	var d Description
	err := p.invoke(ctx, wire.MethodDescribe, request{}, &d)
	return d, err
}

// Validate implements Connector.
func (p *Plugin) Validate(ctx context.Context, config Config) ([]FieldError, error) {
	var r validateReply
	err := p.invoke(ctx, wire.MethodValidate, request{Config: config}, &r)
	return r.Errors, err
}

// Check implements Connector.
func (p *Plugin) Check(ctx context.Context, config Config) (CheckResult, error) {
	var r CheckResult
	err := p.invoke(ctx, wire.MethodCheck, request{Config: config}, &r)
	return r, err
}

// Deliver implements Connector. An error means the plugin did not complete
// the delivery (it crashed, hung past ctx's deadline, or failed): retry it.
//
// A Budget on ctx (WithBudget) is lent to the plugin for the length of the
// call: the plugin takes tokens from it through go-plugin's broker, and a
// Take after Deliver has returned gets ErrBudgetEnded.
func (p *Plugin) Deliver(ctx context.Context, config Config, input json.RawMessage) (Result, error) {
	req := request{Config: config, Input: input}
	if b := BudgetFrom(ctx); b != nil {
		ref, end := p.lender.lend(b)
		defer end()
		req.Budget = ref
	}
	var r Result
	err := p.invoke(ctx, wire.MethodDeliver, req, &r)
	return r, err
}

// Options implements OptionLister. Returns an error that IsNotSupported
// recognises when the plugin's connector does not list options.
func (p *Plugin) Options(ctx context.Context, config Config, field string) ([]Option, error) {
	var r optionsReply
	err := p.invoke(ctx, wire.MethodOptions, request{Config: config, Field: field}, &r)
	return r.Options, err
}

// Limits implements RateLimited. Returns an error that IsNotSupported
// recognises when the plugin was built before limits existed.
func (p *Plugin) Limits(ctx context.Context, config Config, input json.RawMessage) ([]Limit, error) {
	var r limitsReply
	err := p.invoke(ctx, wire.MethodLimits, request{Config: config, Input: input}, &r)
	return r.Limits, err
}

func (p *Plugin) invoke(ctx context.Context, method string, req request, reply any) error {
	req.Egress = egressOf(ctx)
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("encode %s request: %w", method, err)
	}
	out, err := wire.Invoke(ctx, p.conn, method, body)
	if err != nil {
		return fromStatus(p.name, err)
	}
	if reply == nil {
		return nil
	}
	if err := json.Unmarshal(out, reply); err != nil {
		return fmt.Errorf("decode %s reply from %s: %w", method, p.name, err)
	}
	return nil
}
