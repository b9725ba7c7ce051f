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

// runError turns what a run returned into the error the caller sees. reason
// is why the run was interrupted, if it was.
func (e *Engine) runError(p *Program, err error, reason error) error {
	var interrupted *goja.InterruptedError
	var overflow *goja.StackOverflowError
	var exc *goja.Exception
	switch {
	case core.ErrorCode(err) == core.EINVALID:
		return err
	case errors.As(err, &interrupted):
		switch reason {
		case errTimeout:
			return scriptError("%s: the transform ran over its time limit of %s", where(p, interrupted.Stack()), e.opts.Timeout)
		case errMemory:
			return scriptError("%s: the transform allocated over its memory budget of %d MiB", where(p, interrupted.Stack()), e.opts.MemoryBudget>>20)
		case nil:
			return scriptError("%s: the transform was interrupted", where(p, interrupted.Stack()))
		}
		return fmt.Errorf("run transform: %w", reason) // the caller's context ended
	case errors.As(err, &overflow):
		return scriptError("%s: RangeError: maximum call stack size (%d) exceeded", where(p, overflow.Stack()), e.opts.MaxStackDepth)
	case errors.As(err, &exc):
		return scriptError("%s: %s", where(p, exc.Stack()), exceptionText(exc.Value()))
	}
	return scriptError("%s: %s", p.name, err.Error())
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
		val := obj.Get(k).String()
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
