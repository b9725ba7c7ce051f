package transform

import (
	"reflect"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/token"
)

// Evaluating a script's top level on every run is what keeps runs isolated,
// and it is a third of a typical run's cost. reusableTopLevel decides, from
// the source alone, whether a runtime may evaluate the top level once and
// call the same transform function on every later run. It may when nothing
// the top level creates can carry state from one run to the next:
//
//   - the top level only declares: functions, and let/const/var bindings
//     whose initializers are literals (numbers, strings, flat arrays and
//     objects of them), function or arrow expressions, or names;
//   - no code anywhere assigns to, increments or deletes through a name the
//     top level declares (shadowed names count too: the check is by name);
//   - a top-level array or object is only read: indexed, iterated, spread,
//     or the receiver of a method that does not mutate (join, indexOf…);
//   - no `eval` or `arguments`, which could reach the top-level scope
//     without naming it.
//
// The values are then deep-frozen after the first evaluation (see vm.reuse),
// so even a mutation the rules missed throws instead of leaking. Any other
// script (a top-level counter, a cache, a regexp, a call) keeps the fresh
// scope per run: it is correct, only slower.
func reusableTopLevel(prg *ast.Program) (names []string, ok bool) {
	kinds := map[string]bindingKind{}
	for _, st := range prg.Body {
		if !declareTopLevel(st, kinds) {
			return nil, false
		}
	}
	r := &refCheck{kinds: kinds, ok: true}
	walkAST(reflect.ValueOf(prg), nil, r.visit)
	if !r.ok {
		return nil, false
	}
	for name := range kinds {
		names = append(names, name)
	}
	return names, true
}

// bindingKind is what a top-level binding holds, which decides how the rest
// of the script may use it.
type bindingKind int

const (
	kindPrimitive bindingKind = iota + 1 // used freely
	kindFunction                         // a function or a frozen global: used freely
	kindContainer                        // a flat array or object literal: only read
)

// declareTopLevel records the bindings one top-level statement declares and
// says whether the statement is one a reusable top level may hold.
func declareTopLevel(st ast.Statement, kinds map[string]bindingKind) bool {
	switch s := st.(type) {
	case *ast.EmptyStatement:
		return true
	case *ast.ExpressionStatement: // a directive such as "use strict"
		_, isStr := s.Expression.(*ast.StringLiteral)
		return isStr
	case *ast.FunctionDeclaration:
		if s.Function.Name == nil {
			return false
		}
		kinds[s.Function.Name.Name.String()] = kindFunction
		return true
	case *ast.LexicalDeclaration:
		return declareBindings(s.List, kinds)
	case *ast.VariableStatement:
		return declareBindings(s.List, kinds)
	}
	return false
}

func declareBindings(list []*ast.Binding, kinds map[string]bindingKind) bool {
	for _, b := range list {
		id, isIdent := b.Target.(*ast.Identifier)
		if !isIdent {
			return false // destructuring at top level: keep it simple
		}
		kind := kindPrimitive
		if b.Initializer != nil {
			if kind = initializerKind(b.Initializer, kinds); kind == 0 {
				return false
			}
		}
		kinds[id.Name.String()] = kind
	}
	return true
}

// initializerKind classifies a top-level initializer that runs no code of
// its own, or returns 0 for one that might (a call, a regexp, a class...).
func initializerKind(e ast.Expression, kinds map[string]bindingKind) bindingKind {
	switch x := e.(type) {
	case *ast.StringLiteral, *ast.NumberLiteral, *ast.BooleanLiteral, *ast.NullLiteral:
		return kindPrimitive
	case *ast.TemplateLiteral:
		if x.Tag == nil && len(x.Expressions) == 0 {
			return kindPrimitive
		}
	case *ast.UnaryExpression:
		if x.Operator == token.MINUS || x.Operator == token.PLUS || x.Operator == token.NOT {
			if initializerKind(x.Operand, kinds) == kindPrimitive {
				return kindPrimitive
			}
		}
	case *ast.BinaryExpression:
		if initializerKind(x.Left, kinds) == kindPrimitive && initializerKind(x.Right, kinds) == kindPrimitive {
			return kindPrimitive
		}
	case *ast.FunctionLiteral, *ast.ArrowFunctionLiteral:
		return kindFunction
	case *ast.Identifier:
		if k, ok := kinds[x.Name.String()]; ok {
			return k
		}
		if name := x.Name.String(); name != "eval" && name != "arguments" {
			return kindFunction // a global, frozen by lockdown, or a hoisted function
		}
	case *ast.ArrayLiteral:
		for _, v := range x.Value {
			if v != nil && initializerKind(v, kinds) != kindPrimitive {
				return 0
			}
		}
		return kindContainer
	case *ast.ObjectLiteral:
		for _, p := range x.Value {
			kp, ok := p.(*ast.PropertyKeyed)
			if !ok || kp.Computed || kp.Kind != ast.PropertyKindValue || initializerKind(kp.Value, kinds) != kindPrimitive {
				return 0
			}
		}
		return kindContainer
	}
	return 0
}

// isReadMethod says whether a method of arrays, strings and objects leaves
// its receiver unchanged.
func isReadMethod(name string) bool {
	switch name {
	case "at", "concat", "entries", "every", "filter", "find", "findIndex", "findLast",
		"findLastIndex", "flat", "flatMap", "forEach", "hasOwnProperty", "includes", "indexOf",
		"join", "keys", "lastIndexOf", "map", "reduce", "reduceRight", "slice", "some",
		"toString", "values":
		return true
	}
	return false
}

// refCheck walks the whole script and clears ok at the first use that could
// change a top-level binding or what it holds.
type refCheck struct {
	kinds map[string]bindingKind
	ok    bool
}

func (r *refCheck) visit(n ast.Node, parents []ast.Node) {
	if !r.ok {
		return
	}
	switch x := n.(type) {
	case *ast.AssignExpression:
		r.refuseNamesIn(x.Left)
	case *ast.UnaryExpression:
		if x.Operator == token.INCREMENT || x.Operator == token.DECREMENT || x.Operator == token.DELETE {
			r.refuseNamesIn(x.Operand)
		}
	case *ast.ForIntoExpression:
		r.refuseNamesIn(x.Expression)
	case *ast.PropertyShort: // {NAME} reads NAME by a value Identifier the walk does not see
		if r.kinds[x.Name.Name.String()] == kindContainer {
			r.ok = false
		}
	case *ast.Identifier:
		r.identifier(x, parents)
	}
}

// refuseNamesIn clears ok if target mentions any top-level name.
func (r *refCheck) refuseNamesIn(target ast.Expression) {
	walkAST(reflect.ValueOf(target), nil, func(n ast.Node, _ []ast.Node) {
		switch x := n.(type) {
		case *ast.Identifier:
			if _, top := r.kinds[x.Name.String()]; top {
				r.ok = false
			}
		case *ast.PropertyShort:
			if _, top := r.kinds[x.Name.Name.String()]; top {
				r.ok = false
			}
		}
	})
}

func (r *refCheck) identifier(id *ast.Identifier, parents []ast.Node) {
	name := id.Name.String()
	if name == "eval" || name == "arguments" {
		r.ok = false
		return
	}
	if r.kinds[name] != kindContainer || len(parents) == 0 {
		return
	}
	switch p := parents[len(parents)-1].(type) {
	case *ast.Binding:
		if p.Target == ast.BindingTarget(id) {
			return // a declaration (shadowing or the binding itself), not a use
		}
	case *ast.ForOfStatement, *ast.ForInStatement, *ast.SpreadElement:
		return // iterated or copied
	case *ast.DotExpression:
		if p.Left == ast.Expression(id) && r.memberRead(p, p.Identifier.Name.String(), parents[:len(parents)-1]) {
			return
		}
	case *ast.BracketExpression:
		if p.Left == ast.Expression(id) && r.memberRead(p, "", parents[:len(parents)-1]) {
			return
		}
	}
	r.ok = false
}

// memberRead says whether NAME.prop or NAME[k] is a plain read: not a call
// of a mutating method (writes are refused by the assignment check).
func (r *refCheck) memberRead(member ast.Expression, prop string, parents []ast.Node) bool {
	if len(parents) == 0 {
		return true
	}
	if call, isCall := parents[len(parents)-1].(*ast.CallExpression); isCall && call.Callee == member {
		return isReadMethod(prop)
	}
	return true
}

// walkAST calls visit on every node under v, depth first, with the chain of
// nodes above it. goja's ast package has no walker of its own; reflection
// keeps this one complete as node types change.
func walkAST(v reflect.Value, parents []ast.Node, visit func(ast.Node, []ast.Node)) {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			walkAST(v.Elem(), parents, visit)
		}
	case reflect.Pointer:
		if v.IsNil() || v.Type() == reflect.TypeFor[*file.File]() {
			return
		}
		if v.Type().Implements(reflect.TypeFor[ast.Node]()) && v.CanInterface() {
			n := v.Interface().(ast.Node)
			visit(n, parents)
			parents = append(parents, n)
		}
		walkAST(v.Elem(), parents, visit)
	case reflect.Struct:
		for i := range v.NumField() {
			walkAST(v.Field(i), parents, visit)
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkAST(v.Index(i), parents, visit)
		}
	}
}
