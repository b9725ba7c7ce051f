package catalog

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schema is a compiled event-type schema: the full validator, whose errors
// the API shows, and a fast check made from it for the schemas it
// understands.
type schema struct {
	full *jsonschema.Schema
	fast *fastNode // nil if the schema uses a keyword fastNode does not know
}

// fastNode checks a JSON text against one compiled schema (okJSON, in
// fastjson.go) without decoding it and with no error building: the full
// validator cost ~half of a publish's CPU in the HTTP stack (issue 12),
// mostly in bookkeeping for error reports that valid events never need. It
// answers only "valid for sure": when okJSON returns false the value is
// invalid or the check is unsure (a fractional number next to a bound),
// and the caller asks the full validator, which also words the error. So the fast check may be strict
// but never lenient, and nothing it accepts is refused by the full one
// (TestFastPathAgrees checks that on every shipped type and many values).
//
// It knows the keywords the shipped types and typical custom types use
// (draft 2020-12): type, enum and const of strings, booleans and null,
// format, $ref, properties, required, additionalProperties, min/max
// properties, items, min/max items, min/maxLength, pattern, and integer
// minimum/maximum bounds. A schema using any other keyword gets no fast
// node at all.
type fastNode struct {
	accept   bool     // the schema true, or one with no keyword that constrains
	reject   bool     // the schema false
	typeOnly bool     // no keyword but type constrains
	types    typeMask // 0: any type
	enum     []any    // strings, booleans and nil; nil slice: no enum
	format   func(any) error
	ref      *fastNode
	props    map[string]*fastNode
	required []string
	noExtra  bool      // additionalProperties: false
	extra    *fastNode // additionalProperties: a schema
	minProps int
	maxProps int // -1: no bound
	items    *fastNode
	minItems int
	maxItems int // -1: no bound
	minLen   int
	maxLen   int // -1: no bound
	pattern  jsonschema.Regexp
	anyOf    []*fastNode
	allOf    []*fastNode
	bounds   numBounds
}

// typeMask is a set of JSON types.
type typeMask uint8

const (
	tNull typeMask = 1 << iota
	tBoolean
	tInteger
	tNumber
	tString
	tArray
	tObject
)

var jsonTypeMasks = map[string]typeMask{"null": tNull, "boolean": tBoolean, "integer": tInteger,
	"number": tNumber | tInteger, "string": tString, "array": tArray, "object": tObject}

// newFastNode builds the fast check of s, or nil if s uses a keyword it
// does not know. nodes holds the nodes built so far, so that a recursive
// schema (a tree of comments) makes a loop of nodes, not an endless build;
// refs holds the schemas being built that apply to the same value ($ref,
// anyOf, allOf lead to them; a property or an item starts anew): a loop
// among those the full validator reports as an error, and the fast check
// must not follow it forever.
func newFastNode(s *jsonschema.Schema, nodes map[*jsonschema.Schema]*fastNode, refs map[*jsonschema.Schema]bool) *fastNode {
	if n, ok := nodes[s]; ok {
		if refs[s] {
			return nil
		}
		return n
	}
	if !fastKnows(s) {
		return nil
	}
	n := &fastNode{maxProps: -1, maxItems: -1, maxLen: -1}
	nodes[s] = n
	refs[s] = true // until its in-place parts ($ref, anyOf, allOf) are built
	defer delete(refs, s)
	if s.Bool != nil {
		n.accept, n.reject = *s.Bool, !*s.Bool
		return n
	}
	if s.Types != nil {
		for _, t := range s.Types.ToStrings() {
			n.types |= jsonTypeMasks[t]
		}
	}
	values := []any(nil)
	if s.Enum != nil {
		values = s.Enum.Values
	}
	if s.Const != nil {
		values = []any{*s.Const}
	}
	if values != nil {
		n.enum = make([]any, 0, len(values))
		for _, v := range values {
			switch v.(type) {
			case string, bool, nil:
				n.enum = append(n.enum, v)
			default:
				return nil // numbers, arrays, objects: equality the fast check does not do
			}
		}
	}
	if s.Format != nil {
		if s.Format.Name == "regex" {
			return nil // checked with the compiler's regexp engine, not Validate
		}
		n.format = s.Format.Validate
	}
	if s.Ref != nil {
		if n.ref = newFastNode(s.Ref, nodes, refs); n.ref == nil {
			return nil
		}
	}
	if len(s.Properties) > 0 {
		n.props = make(map[string]*fastNode, len(s.Properties))
		for name, p := range s.Properties {
			if n.props[name] = newFastNode(p, nodes, map[*jsonschema.Schema]bool{}); n.props[name] == nil {
				return nil
			}
		}
	}
	n.required = s.Required
	switch extra := s.AdditionalProperties.(type) {
	case nil:
	case bool:
		n.noExtra = !extra
	case *jsonschema.Schema:
		if n.extra = newFastNode(extra, nodes, map[*jsonschema.Schema]bool{}); n.extra == nil {
			return nil
		}
	default:
		return nil
	}
	if s.Items2020 != nil {
		if n.items = newFastNode(s.Items2020, nodes, map[*jsonschema.Schema]bool{}); n.items == nil {
			return nil
		}
	}
	setInt(&n.minProps, s.MinProperties)
	setInt(&n.maxProps, s.MaxProperties)
	setInt(&n.minItems, s.MinItems)
	setInt(&n.maxItems, s.MaxItems)
	setInt(&n.minLen, s.MinLength)
	setInt(&n.maxLen, s.MaxLength)
	n.pattern = s.Pattern
	n.bounds = newNumBounds(s)
	for _, sub := range s.AnyOf {
		if n.anyOf = append(n.anyOf, newFastNode(sub, nodes, refs)); n.anyOf[len(n.anyOf)-1] == nil {
			return nil
		}
	}
	for _, sub := range s.AllOf {
		if n.allOf = append(n.allOf, newFastNode(sub, nodes, refs)); n.allOf[len(n.allOf)-1] == nil {
			return nil
		}
	}
	n.typeOnly = n.enum == nil && n.format == nil && n.ref == nil && n.props == nil && len(n.required) == 0 &&
		!n.noExtra && n.extra == nil && n.items == nil && n.minProps == 0 && n.maxProps < 0 &&
		n.minItems == 0 && n.maxItems < 0 && n.minLen == 0 && n.maxLen < 0 && n.pattern == nil && !n.bounds.any &&
		n.anyOf == nil && n.allOf == nil
	n.accept = n.typeOnly && n.types == 0
	return n
}

// fastKnows reports whether s uses only keywords fastNode checks (or
// annotations, which check nothing).
func fastKnows(s *jsonschema.Schema) bool {
	return s.DraftVersion == 2020 && s.RecursiveRef == nil && !s.RecursiveAnchor && s.DynamicRef == nil &&
		s.DynamicAnchor == "" && s.Not == nil && s.OneOf == nil &&
		s.If == nil && s.Then == nil && s.Else == nil && s.PropertyNames == nil && len(s.PatternProperties) == 0 &&
		len(s.Dependencies) == 0 && len(s.DependentRequired) == 0 && len(s.DependentSchemas) == 0 &&
		s.UnevaluatedProperties == nil && s.UniqueItems == false && s.Contains == nil && s.MinContains == nil &&
		s.MaxContains == nil && s.Items == nil && s.AdditionalItems == nil && len(s.PrefixItems) == 0 &&
		s.UnevaluatedItems == nil && s.ContentEncoding == nil && s.ContentMediaType == nil &&
		s.ContentSchema == nil && s.MultipleOf == nil && len(s.Extensions) == 0
}

func setInt(dst *int, src *int) {
	if src != nil {
		*dst = *src
	}
}

// numBounds are a schema's minimum, maximum and their exclusive kinds,
// each also as an inclusive int64 when it is an integer that fits, so
// that the integers events mostly hold are compared without big.Rat.
type numBounds struct {
	any    bool // some bound is set
	rats   [4]*big.Rat
	ints   [4]*int64 // nil where a set bound is no int64
	allInt bool      // every set bound has its int64
}

// The order of numBounds' arrays.
const (
	bMin = iota
	bExclMin
	bMax
	bExclMax
)

func newNumBounds(s *jsonschema.Schema) numBounds {
	b := numBounds{rats: [4]*big.Rat{s.Minimum, s.ExclusiveMinimum, s.Maximum, s.ExclusiveMaximum}, allInt: true}
	for i, r := range b.rats {
		if r == nil {
			continue
		}
		b.any = true
		if !r.IsInt() || !r.Num().IsInt64() || r.Num().Int64() == math.MinInt64 || r.Num().Int64() == math.MaxInt64 {
			b.allInt = false
			continue
		}
		v := r.Num().Int64()
		switch i {
		case bExclMin:
			v++
		case bExclMax:
			v--
		}
		b.ints[i] = &v
	}
	return b
}

// okInt reports whether integer v is within the bounds, which all have
// their int64.
func (b *numBounds) okInt(v int64) bool {
	for i, p := range b.ints {
		if p != nil && (i <= bExclMin && v < *p || i >= bMax && v > *p) {
			return false
		}
	}
	return true
}

// okRat reports whether r is within the bounds.
func (b *numBounds) okRat(r *big.Rat) bool {
	for i, bound := range b.rats {
		if bound == nil {
			continue
		}
		c := r.Cmp(bound)
		if i == bMin && c < 0 || i == bExclMin && c <= 0 || i == bMax && c > 0 || i == bExclMax && c >= 0 {
			return false
		}
	}
	return true
}

// okNumber checks a number against the bounds and tells whether it is an
// integer (1.0 is one, as JSON Schema says). A plain integer is checked
// with int64s; a decimal with big.Rat, as the full validator would; a
// number with an exponent is left to the full validator (ok false), which
// spares the fast check the cost of 1e100000.
func (n *fastNode) okNumber(num json.Number) (t typeMask, ok bool) {
	if i, isInt := plainInt(num); isInt && n.bounds.allInt {
		return tInteger, n.bounds.okInt(i)
	}
	if !n.bounds.any && (n.types == 0 || n.types&tNumber != 0) {
		return tNumber, true // any number will do
	}
	if strings.ContainsAny(string(num), "eE") || len(num) > 40 {
		return 0, false
	}
	r, ok := new(big.Rat).SetString(string(num))
	if !ok || !n.bounds.okRat(r) {
		return 0, false
	}
	if r.IsInt() {
		return tInteger, true
	}
	return tNumber, true
}

func (n *fastNode) inEnum(v any) bool {
	for _, e := range n.enum {
		if e == v { // strings, booleans, nil: comparable
			return true
		}
	}
	return false
}

// plainInt returns num as an int64 if it is written as a plain integer
// (digits, perhaps a minus sign) that fits.
func plainInt(num json.Number) (int64, bool) {
	s := string(num)
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || c == '-' && i == 0) {
			return 0, false
		}
	}
	i, err := strconv.ParseInt(s, 10, 64)
	return i, err == nil
}
