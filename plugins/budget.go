package plugins

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/bellhop/bellhop/plugins/internal/wire"
)

// Budget lends a connector tokens from the hub's rate limiter, the one in
// Redis that every hub shares (the same one RateLimited limits are taken
// from), at the moment the connector is about to make a request.
//
// It is for a limit the hub cannot count per delivery: Google Sheets counts
// write requests, and one append carries the rows of many deliveries, so
// declaring the limit with RateLimited would spend a token per delivery and
// cap a sheet at one row per write. Instead the connector takes one token
// per request it makes, from whichever Deliver call it makes it for.
//
// The host puts a Budget on the context of every Deliver (WithBudget); a
// connector reads it with BudgetFrom. In a plugin process the Budget calls
// back to the hub over go-plugin's broker; it is valid while the Deliver
// call that carried it has not returned, after which Take returns
// ErrBudgetEnded.
type Budget interface {
	// Take takes l.Cost tokens (0: 1) of l, per l.Key, in the connection's
	// account, shared by every hub. It returns 0 when they were taken, else
	// how long until they would be; then nothing was taken, and the caller
	// waits and asks again, or gives up and retries later. It never waits
	// itself. An error means the limiter could not be asked (Redis is
	// down, the lending delivery ended): nothing was taken.
	Take(ctx context.Context, l Limit) (wait time.Duration, err error)
}

// ErrBudgetEnded is Take's error once the Deliver call that lent the
// Budget has returned; another delivery's Budget may still be good.
var ErrBudgetEnded = errors.New("the delivery that lent this rate limit budget has ended")

type budgetKey struct{}

// WithBudget returns ctx carrying b. The hub sets it on every Deliver it
// makes for a connection.
func WithBudget(ctx context.Context, b Budget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b)
}

// BudgetFrom returns the Budget the host set on ctx, or nil: a connector's
// own tests, or a hub built before budgets. A connector without one keeps
// its own limiter, which only counts its own process's share.
func BudgetFrom(ctx context.Context) Budget {
	b, _ := ctx.Value(budgetKey{}).(Budget)
	return b
}

// budgetRef is how a Deliver request names the hub's Budget: the broker
// service to dial and the lease of this call. An older plugin ignores it.
type budgetRef struct {
	Broker uint32 `json:"broker"`
	Lease  uint64 `json:"lease"`
}

type takeRequest struct {
	Lease uint64 `json:"lease"`
	Limit Limit  `json:"limit"`
}

type takeReply struct {
	Wait time.Duration `json:"wait"`
}

// lender is the hub's side: one broker service per plugin process, started
// on the first Deliver that carries a Budget, and a lease per Deliver call
// in flight, so that a plugin can only spend the budget of a call that is
// still running.
type lender struct {
	broker *plugin.GRPCBroker
	once   sync.Once
	id     uint32

	mu     sync.Mutex
	next   uint64
	leases map[uint64]Budget
}

// lend registers b for one call and returns its reference and the function
// that ends the lease.
func (l *lender) lend(b Budget) (*budgetRef, func()) {
	l.once.Do(func() {
		// One listener for the life of the process: AcceptAndServe sends
		// its address down the broker stream at once, and the plugin dials
		// it on the first request that names it (go-plugin drops an
		// address not dialled within 5 s). The grpc client conn the plugin
		// keeps reconnects to that listener; it ends with the broker when
		// the plugin is closed.
		l.id = l.broker.NextId()
		go l.broker.AcceptAndServe(l.id, func(opts []grpc.ServerOption) *grpc.Server {
			s := grpc.NewServer(opts...)
			wire.RegisterBudget(s, l)
			return s
		})
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.leases == nil {
		l.leases = map[uint64]Budget{}
	}
	l.next++
	n := l.next
	l.leases[n] = b
	return &budgetRef{Broker: l.id, Lease: n}, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.leases, n)
	}
}

// Handle implements wire.Handler for the Budget service.
func (l *lender) Handle(ctx context.Context, method string, body []byte) ([]byte, error) {
	if method != wire.MethodTake {
		return nil, status.Errorf(codes.Unimplemented, "unknown budget method %q", method)
	}
	var req takeRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "decode take request: %v", err)
	}
	l.mu.Lock()
	b := l.leases[req.Lease]
	l.mu.Unlock()
	if b == nil {
		return nil, status.Error(codes.NotFound, ErrBudgetEnded.Error())
	}
	wait, err := b.Take(ctx, req.Limit)
	if err != nil {
		return nil, toStatus(err)
	}
	return json.Marshal(takeReply{Wait: wait})
}

// borrower is the plugin's side: one connection per broker service the hub
// named, dialled once.
type borrower struct {
	broker *plugin.GRPCBroker

	mu    sync.Mutex
	conns map[uint32]*dialed
}

type dialed struct {
	once sync.Once
	conn *grpc.ClientConn
	err  error
}

// budget returns the hub's Budget for ref, or nil when the hub's service
// cannot be dialled (the connector then keeps its own limiter).
func (b *borrower) budget(ref *budgetRef) Budget {
	if b == nil || b.broker == nil || ref == nil {
		return nil
	}
	b.mu.Lock()
	if b.conns == nil {
		b.conns = map[uint32]*dialed{}
	}
	d, ok := b.conns[ref.Broker]
	if !ok {
		d = &dialed{}
		b.conns[ref.Broker] = d
	}
	b.mu.Unlock()
	d.once.Do(func() {
		d.conn, d.err = b.broker.Dial(ref.Broker)
		if d.err != nil {
			slog.Warn("cannot reach the hub's rate limit budget; keeping this process's own limiter", "err", d.err)
		}
	})
	if d.err != nil {
		return nil
	}
	return remoteBudget{conn: d.conn, lease: ref.Lease}
}

// remoteBudget is a Budget that asks the hub.
type remoteBudget struct {
	conn  grpc.ClientConnInterface
	lease uint64
}

func (r remoteBudget) Take(ctx context.Context, l Limit) (time.Duration, error) {
	body, err := json.Marshal(takeRequest{Lease: r.lease, Limit: l})
	if err != nil {
		return 0, fmt.Errorf("encode take request: %w", err)
	}
	out, err := wire.InvokeBudget(ctx, r.conn, wire.MethodTake, body)
	if status.Code(err) == codes.NotFound {
		return 0, ErrBudgetEnded
	} else if err != nil {
		return 0, fromStatus("the hub's budget", err)
	}
	var reply takeReply
	if err := json.Unmarshal(out, &reply); err != nil {
		return 0, fmt.Errorf("decode take reply: %w", err)
	}
	return reply.Wait, nil
}
