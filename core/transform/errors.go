package transform

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bellhop/bellhop/core"
	"github.com/dop251/goja"
)

// maxHeaders bounds how many headers a script may add to a request.
const maxHeaders = 32

// maxErrorText bounds the bytes of a thrown value's text kept in the error.
const maxErrorText = 1 << 10

// errPanic marks a panic that was neither a thrown value nor an interrupt:
// a bug in goja or in the engine, which a script should never reach.
var errPanic = errors.New("the script engine failed")

// guard runs fn, which may call the script's code (its transform, and then
// getters, Proxy traps, toJSON, toString and valueOf while the engine reads
// what it returned or threw), so that nothing escapes as a panic: a thrown
// value comes back as a *goja.Exception, an interrupt or a stack overflow as
// its goja error, any other panic as errPanic. The last three leave the
// runtime spoiled: it is not used again.
func (v *vm) guard(fn func() error) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		v.spoiled = true
		switch x := r.(type) {
		case *goja.InterruptedError:
			err = x
		case *goja.StackOverflowError:
			err = x
		default:
			err = fmt.Errorf("%w: %v", errPanic, r)
		}
	}()
	if exc := v.rt.Try(func() { err = fn() }); exc != nil {
		return exc
	}
	return err
}

// explain turns a thrown value into the run's script error. It reads the
// value's name and message, which may be getters of the script's own, so it
// runs inside guard with the run's limits still in force.
func (v *vm) explain(p *Program, err error) error {
	var exc *goja.Exception
	if !errors.As(err, &exc) {
		return err
	}
	var text string
	if again := v.rt.Try(func() { text = exceptionText(exc.Value()) }); again != nil {
		text = "uncaught exception (reading its message threw again)"
	}
	if len(text) > maxErrorText { // a thrown 4 MB string is not kept in every attempt log
		text = strings.ToValidUTF8(text[:maxErrorText], "") + "…"
	}
	return runFailure(core.TransformScriptError, "%s: %s", where(p, exc.Stack()), text)
}

// runFailure is the EINVALID error of a failed run, its kind as the Reason.
func runFailure(kind, format string, args ...any) error {
	e := core.Errorf(core.EINVALID, format, args...)
	e.Reason = kind
	return e
}

// runError turns what a run returned into the error the caller sees. reason
// is why the run was interrupted, if it was.
func (e *Engine) runError(p *Program, err error, reason error) error {
	var interrupted *goja.InterruptedError
	var overflow *goja.StackOverflowError
	var exc *goja.Exception
	switch {
	case errors.As(err, &interrupted):
		stack := interrupted.Stack()
		switch reason {
		case errTimeout:
			return runFailure(core.TransformTimeout, "%s: the transform ran over its time limit of %s", where(p, stack), e.opts.Timeout)
		case errMemory, errMemoryShared:
			return runFailure(core.TransformMemoryLimit, "%s: the transform allocated over its memory budget of %d MiB", where(p, stack), e.opts.MemoryBudget>>20)
		case nil:
			return runFailure(core.TransformScriptError, "%s: the transform was interrupted", where(p, stack))
		}
		return fmt.Errorf("run transform: %w", reason) // the caller's context ended
	case core.ErrorCode(err) == core.EINVALID:
		return err
	case errors.As(err, &overflow):
		return runFailure(core.TransformScriptError, "%s: RangeError: maximum call stack size (%d) exceeded", where(p, overflow.Stack()), e.opts.MaxStackDepth)
	case errors.As(err, &exc): // explain always turns these into script errors
		return runFailure(core.TransformScriptError, "%s: uncaught exception", where(p, exc.Stack()))
	case errors.Is(err, errPanic):
		return runFailure(core.TransformScriptError, "%s: %v", p.name, err)
	}
	return runFailure(core.TransformScriptError, "%s: %s", p.name, err.Error())
}

// where names the innermost frame of the script's own code, as
// "name:line:column", in the author's line numbers.
func where(p *Program, stack []goja.StackFrame) string {
	for _, fr := range stack {
		pos := fr.Position()
		if fr.SrcName() == p.name && pos.Line > 0 {
			return fmt.Sprintf("%s:%d:%d", p.name, max(pos.Line-lineOffset, 1), pos.Column)
		}
	}
	return p.name
}

// exceptionText is "Name: message" for a thrown Error and the value itself for
// anything else thrown.
func exceptionText(v goja.Value) string {
	if v == nil {
		return "unknown error"
	}
	if obj, ok := v.(*goja.Object); ok {
		name, msg := obj.Get("name"), obj.Get("message")
		if name != nil && msg != nil && !goja.IsUndefined(msg) {
			return name.String() + ": " + msg.String()
		}
	}
	return "uncaught " + v.String()
}

// readHeaders collects context.headers, refusing names and values that would
// break or smuggle an HTTP request.
func readHeaders(p *Program, v goja.Value) (map[string]string, error) {
	obj, ok := v.(*goja.Object)
	if !ok || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, nil
	}
	keys := obj.Keys()
	if len(keys) == 0 {
		return nil, nil
	}
	if len(keys) > maxHeaders {
		return nil, scriptError("%s: context.headers has %d entries, over the limit of %d", p.name, len(keys), maxHeaders)
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		got := obj.Get(k)
		if got == nil { // a getter deleted it since Keys
			continue
		}
		val := got.String()
		if !validHeaderName(k) || strings.ContainsAny(val, "\r\n\x00") {
			return nil, scriptError("%s: context.headers[%q] is not a valid HTTP header", p.name, k)
		}
		out[k] = val
	}
	return out, nil
}

func validHeaderName(k string) bool {
	if k == "" || len(k) > 256 {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", c)) {
			return false
		}
	}
	return true
}
