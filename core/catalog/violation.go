package catalog

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/bellhop/bellhop/core"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// problem is one thing wrong with a value: where, and what, in words.
type problem struct {
	param   string // e.g. data.object.guest.email
	message string // e.g. must be an email address
}

// violation turns a schema validation failure of instance into the EINVALID
// error callers see: Param is the path of the first bad field under root
// (data.object.guest.email) and the message names it, says what is wrong and
// how many other problems there are. Problems are sorted by path so the
// "first" is the same on every run.
func violation(err error, root string, instance any) error {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("validate %s: %w", root, err)
	}
	var probs []problem
	collect(ve, root, instance, &probs)
	if len(probs) == 0 {
		probs = append(probs, problem{root, "does not match the schema"})
	}
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].param < probs[j].param })
	first := probs[0]
	msg := first.param + ": " + first.message
	switch n := len(probs) - 1; {
	case n == 1:
		msg += " (and 1 more problem)"
	case n > 1:
		msg += fmt.Sprintf(" (and %d more problems)", n)
	}
	return core.ParamError(first.param, "%s", msg)
}

// collect appends the leaf problems of e. For anyOf and oneOf it follows only
// the alternative that got furthest into the value, so a wrong amount in a
// nullable money field reads "amount: must be an integer", not also "must be
// null".
func collect(e *jsonschema.ValidationError, root string, instance any, probs *[]problem) {
	if len(e.Causes) == 0 {
		leaf(e, root, instance, probs)
		return
	}
	switch e.ErrorKind.(type) {
	case *kind.AnyOf, *kind.OneOf:
		collect(deepest(e.Causes), root, instance, probs)
		return
	}
	for _, c := range e.Causes {
		collect(c, root, instance, probs)
	}
}

// deepest returns the cause whose errors lie deepest in the value.
func deepest(causes []*jsonschema.ValidationError) *jsonschema.ValidationError {
	best, bestDepth := causes[0], -1
	for _, c := range causes {
		if d := depth(c); d > bestDepth {
			best, bestDepth = c, d
		}
	}
	return best
}

func depth(e *jsonschema.ValidationError) int {
	d := len(e.InstanceLocation)
	if _, ok := e.ErrorKind.(*kind.Required); ok {
		d++ // a missing field is one level below the object that lacks it
	}
	for _, c := range e.Causes {
		d = max(d, depth(c))
	}
	return d
}

// leaf appends the problems of an error without causes.
func leaf(e *jsonschema.ValidationError, root string, instance any, probs *[]problem) {
	at := paramPath(root, instance, e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			*probs = append(*probs, problem{at + keyStep(m), "is required"})
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			*probs = append(*probs, problem{at + keyStep(p), "is not an allowed field"})
		}
	default:
		*probs = append(*probs, problem{at, describe(e.ErrorKind)})
	}
}

// paramPath renders an instance location as a request param: object keys
// joined by dots, array indices in brackets (data.object.rates[0].date). It
// walks the value to tell an index from a key that happens to be a number.
func paramPath(root string, instance any, loc []string) string {
	var b strings.Builder
	b.WriteString(root)
	v := instance
	for _, tok := range loc {
		switch cur := v.(type) {
		case []any:
			b.WriteString("[" + tok + "]")
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(cur) {
				v = cur[i]
			} else {
				v = nil
			}
		case map[string]any:
			b.WriteString(keyStep(tok))
			v = cur[tok]
		default:
			b.WriteString(keyStep(tok))
			v = nil
		}
	}
	return b.String()
}

// keyStep renders one object key of a path: .key, or ["key"] (quoted as in
// Go and JSON) for a key that is empty or holds '.', '[', ']' or '"', which
// would otherwise read as more than one step and send the publisher looking
// for a field that is not there.
func keyStep(key string) string {
	if key == "" || strings.ContainsAny(key, ".[]\"") {
		return "[" + strconv.Quote(key) + "]"
	}
	return "." + key
}

var printer = message.NewPrinter(language.English)

// describe says in words what a failed keyword wants. Keywords without a
// sentence of their own fall back to the library's wording.
func describe(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return "must be " + typeNames(k.Want) + " (got " + k.Got + ")"
	case *kind.Format:
		return formatWant(k.Want)
	case *kind.Enum:
		return "must be one of " + joinValues(k.Want)
	case *kind.Const:
		return "must be " + jsonValue(k.Want)
	case *kind.Pattern:
		return "has the wrong form (must match " + k.Want + ")"
	case *kind.MinLength:
		return fmt.Sprintf("must be at least %d characters long", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %d characters long", k.Want)
	case *kind.Minimum:
		return "must be at least " + k.Want.RatString()
	case *kind.Maximum:
		return "must be at most " + k.Want.RatString()
	case *kind.ExclusiveMinimum:
		return "must be greater than " + k.Want.RatString()
	case *kind.ExclusiveMaximum:
		return "must be less than " + k.Want.RatString()
	case *kind.MinItems:
		return fmt.Sprintf("must have at least %d items", k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("must have at most %d items", k.Want)
	case *kind.FalseSchema:
		return "is not allowed"
	}
	return k.LocalizedString(printer)
}

func typeNames(want []string) string {
	names := make([]string, len(want))
	for i, w := range want {
		switch w {
		case "integer", "object", "array":
			names[i] = "an " + w
		case "boolean":
			names[i] = "true or false"
		case "null":
			names[i] = "null"
		default:
			names[i] = "a " + w
		}
	}
	return strings.Join(names, " or ")
}

func formatWant(format string) string {
	switch format {
	case "email":
		return "must be an email address"
	case "date":
		return "must be a date like 2026-05-10"
	case "date-time":
		return "must be a date and time like 2026-04-13T14:22:31Z"
	case "uri":
		return "must be an absolute URL"
	}
	return "must be a valid " + format
}

func joinValues(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = jsonValue(v)
	}
	return strings.Join(parts, ", ")
}

func jsonValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(v)
	}
	return fmt.Sprint(v)
}
