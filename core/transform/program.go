package transform

import (
	"errors"
	"slices"
	"strings"

	"github.com/bellhop/bellhop/core"
	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// Program is a script compiled once, for one version of its source. It holds
// no runtime state, so one Program runs on any number of runtimes at once.
type Program struct {
	name  string
	prg   *goja.Program
	reuse bool // the top level may be evaluated once per runtime (see reusableTopLevel)
}

// Name returns the file name the script's errors refer to.
func (p *Program) Name() string { return p.name }

// ReusesTopLevel says whether runtimes evaluate the script's top level once
// and call the same (deep-frozen) transform on every run, rather than
// evaluating the top level anew for each run. Scripts whose top level could
// carry state between runs (a top-level counter or cache) are run the slow,
// fresh way; this lets tests and `scripts test` say which a script gets.
func (p *Program) ReusesTopLevel() bool { return p.reuse }

// The user's source is wrapped in a function so that each run evaluates its
// top-level code in a fresh function scope: a `let counter` or a cache built
// by one run is never seen by the next. The prefix ends with a newline so
// that script positions are the wrapper's, one line down.
//
// A script whose top level cannot hold state (reusableTopLevel) gets a
// suffix that also returns its top-level bindings, so that a runtime can
// evaluate it once, deep-freeze what it declared and keep the function.
const (
	wrapPrefix  = "(function(){\n"
	wrapSuffix  = "\n;return typeof transform === \"function\" ? transform : undefined;})"
	transformOf = "typeof transform === \"function\" ? transform : undefined"
	lineOffset  = 1
)

// wrap returns the source as the function each runtime evaluates.
func wrap(source string, reuse bool, names []string) string {
	if !reuse {
		return wrapPrefix + source + wrapSuffix
	}
	return wrapPrefix + source + "\n;return [" + transformOf + ", [" + strings.Join(names, ", ") + "]];})"
}

// Compile checks and compiles a script's source. name is used in error
// positions ("order-filter.js:3:9"). Returns EINVALID with param "source" and
// the line and column for a syntax error.
func Compile(name, source string) (*Program, error) {
	// Parse the source alone first: positions are then the author's own, and
	// a top-level return (legal only inside our wrapper) is still refused.
	own, err := parser.ParseFile(nil, name, source, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, syntaxError(err)
	}
	names, reuse := reusableTopLevel(own)
	slices.Sort(names)
	ast, err := parser.ParseFile(nil, name, wrap(source, reuse, names), 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, syntaxError(err)
	}
	prg, err := goja.CompileAST(ast, true)
	if err != nil {
		return nil, syntaxError(err)
	}
	return &Program{name: name, prg: prg, reuse: reuse}, nil
}

// syntaxError turns a parser or compiler error into an EINVALID error naming
// the first problem's line and column.
func syntaxError(err error) error {
	var list parser.ErrorList
	var one *parser.Error
	var cerr *goja.CompilerSyntaxError
	switch {
	case errors.As(err, &list) && len(list) > 0:
		one = list[0]
		return core.ParamError("source", "%s:%d:%d: SyntaxError: %s", one.Position.Filename, one.Position.Line, one.Position.Column, one.Message)
	case errors.As(err, &one):
		return core.ParamError("source", "%s:%d:%d: SyntaxError: %s", one.Position.Filename, one.Position.Line, one.Position.Column, one.Message)
	case errors.As(err, &cerr) && cerr.File != nil:
		pos := cerr.File.Position(cerr.Offset)
		return core.ParamError("source", "%s:%d:%d: SyntaxError: %s", pos.Filename, pos.Line-lineOffset, pos.Column, cerr.Message)
	}
	return core.ParamError("source", "%s", err.Error())
}
