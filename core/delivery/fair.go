package delivery

import (
	"sync"
	"time"
)

// fairShare shares one hub's workers among the accounts it serves. Targets
// belong to accounts, and an account chooses its targets and their caps: left
// alone, an account with enough slow or hanging targets would hold every
// worker and every entry in hand, and the other accounts' deliveries would
// wait for its timeouts. So each account gets, in this process:
//
//   - a budget of requests in flight over all its endpoints and connections
//     (Options.AccountConcurrency), with a line like a target's: past it an
//     attempt waits up to DeferDelay, then is deferred back to Redis, never
//     failed for it;
//   - at most holdCap entries in hand, half the hub's (as for a target's
//     line), so that its waiting entries cannot fill the hub's hand:
//     while an account is at holdCap its stream is not read, and its
//     entries stay in Redis until it has room again.
//
// Counting is in memory, one mutex per step, so the hot path gains no Redis
// round trip. Several hubs each apply the budget on their own.
type fairShare struct {
	budget  int           // requests in flight per account
	holdCap int           // entries in hand per account
	sending *inflight     // requests in flight per account, and its line
	room    chan struct{} // signalled when an account at holdCap has room again

	mu     sync.Mutex
	inHand map[string]int // entries in hand per account
}

func newFairShare(budget, holdCap int) *fairShare {
	return &fairShare{budget: budget, holdCap: holdCap, sending: newInflight(), room: make(chan struct{}, 1), inHand: map[string]int{}}
}

// acquire takes one of account's requests in flight, waiting up to wait in
// its line when it is at its budget, and reports whether it got one. The
// line holds at most holdCap: no more of the account's entries are in hand.
func (f *fairShare) acquire(account string, wait time.Duration) bool {
	return f.sending.acquire(account, f.budget, f.holdCap, wait)
}

// release frees one of account's requests in flight.
func (f *fairShare) release(account string) { f.sending.release(account) }

// targetLimit bounds a target's cap at run time to half its account's
// budget, so that one hanging target of an account leaves the other half to
// the account's other targets, as a hanging target leaves the rest of the
// hub to everyone else.
func (f *fairShare) targetLimit(limit int) int {
	return min(limit, max(1, f.budget/2))
}

// hold counts an entry of account's read from its stream; drop counts it
// done. Every hold is followed by one drop.
func (f *fairShare) hold(account string) {
	f.mu.Lock()
	f.inHand[account]++
	f.mu.Unlock()
}

func (f *fairShare) drop(account string) {
	f.mu.Lock()
	n := f.inHand[account]
	if n <= 1 {
		delete(f.inHand, account) // the map holds only accounts with entries in hand
	} else {
		f.inHand[account] = n - 1
	}
	f.mu.Unlock()
	if n == f.holdCap {
		select { // a read waiting for room goes on; one signal is enough
		case f.room <- struct{}{}:
		default:
		}
	}
}

// full reports whether account holds its share of the entries in hand, so
// that its stream should not be read now.
func (f *fairShare) full(account string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inHand[account] >= f.holdCap
}
