package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// decodeJSON reads the request body into dst, a pointer to a struct with json
// tags. It rejects unknown fields, wrong types, malformed JSON, trailing data
// and an empty body with an EINVALID error naming the param at fault, and a
// body over the limit with ETOOLARGE.
func decodeJSON(c *gin.Context, dst any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return core.ParamError("", "The request body is empty; send a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, body, dst)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return core.ParamError("", "The request body has data after its JSON object.")
	}
	return nil
}

// decodeError turns an encoding/json error, met decoding body into dst, into
// an EINVALID error that names the param and says what was wrong in words.
func decodeError(err error, body []byte, dst any) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return core.ParamError("", "The request body is not valid JSON (at byte %d): %s.", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return core.ParamError("", "The request body is not valid JSON: it ends too early.")
	case errors.As(err, &typ):
		param := typ.Field
		if param == "" {
			return core.ParamError("", "The request body must be a JSON object, not %s.", typ.Value)
		}
		param = spelledAsSent(body, param)
		return core.ParamError(param, "Invalid type for %s: expected %s, got %s.", param, jsonTypeName(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json quotes the name Go-style (strconv.Quote): unquote it,
		// or a name with a control character is named by its escape.
		quoted := strings.TrimPrefix(err.Error(), "json: unknown field ")
		name, uerr := strconv.Unquote(quoted)
		if uerr != nil {
			name = strings.Trim(quoted, `"`)
		}
		if path, ok := unknownPath(body, reflect.TypeOf(dst), name); ok {
			name = path
		}
		return core.ParamError(name, "Received unknown parameter: %s.", name)
	}
	return core.ParamError("", "The request body could not be decoded: %s.", strings.TrimPrefix(err.Error(), "json: "))
}

// spelledAsSent spells field, the dotted path of json tags that encoding/json
// names in a type error, the way body spells its keys: encoding/json matches
// keys case-insensitively, and a caller who sent "Type" looks for "Type", not
// "type". It returns field as it is when body does not lead to it.
func spelledAsSent(body []byte, field string) string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return field
	}
	if steps, ok := sentPath(v, strings.Split(field, ".")); ok {
		return strings.Join(steps, ".")
	}
	return field
}

// sentPath follows steps down v, matching each to a key as encoding/json
// does (the exact key first, then any that differs only in case) and passing
// through arrays, whose elements a type error's path does not name. It
// returns the keys as v spells them.
func sentPath(v any, steps []string) ([]string, bool) {
	if len(steps) == 0 {
		return nil, true
	}
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if path, ok := sentPath(e, steps); ok {
				return path, true
			}
		}
	case map[string]any:
		var folded []string
		for k := range v {
			if k != steps[0] && strings.EqualFold(k, steps[0]) {
				folded = append(folded, k)
			}
		}
		sort.Strings(folded)
		keys := folded
		if _, ok := v[steps[0]]; ok {
			keys = append([]string{steps[0]}, folded...)
		}
		for _, k := range keys {
			if rest, ok := sentPath(v[k], steps[1:]); ok {
				return append([]string{k}, rest...), true
			}
		}
	}
	return nil, false
}

// unknownPath finds where in body the unknown field name sits, as a dotted
// path (data.objekt), since encoding/json names only the key itself and a
// caller told "objekt" looks for it at the top level. It reports false when
// it cannot tell, and the bare name stands.
func unknownPath(body []byte, t reflect.Type, name string) (string, bool) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return "", false
	}
	return unknownIn(v, t, name, "")
}

// unknownIn looks for name among the keys of v that type t has no field for.
func unknownIn(v any, t reflect.Type, name, prefix string) (string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			f, known := jsonField(t, k)
			if !known && k == name {
				return prefix + k, true
			}
			if known {
				if path, ok := unknownIn(m[k], f.Type, name, prefix+k+"."); ok {
					return path, true
				}
			}
		}
	case reflect.Slice, reflect.Array:
		if a, ok := v.([]any); ok {
			for _, e := range a {
				if path, ok := unknownIn(e, t.Elem(), name, prefix); ok {
					return path, true
				}
			}
		}
	}
	return "", false
}

// jsonField returns the field of struct t that encoding/json decodes key
// into: by its json tag or name, then case-insensitively, as it does.
func jsonField(t reflect.Type, key string) (reflect.StructField, bool) {
	var fold *reflect.StructField
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		} else if tag == "" {
			tag = f.Name
		}
		if tag == key {
			return f, true
		}
		if fold == nil && strings.EqualFold(tag, key) {
			fold = &f
		}
	}
	if fold != nil {
		return *fold, true
	}
	return reflect.StructField{}, false
}

// jsonTypeName names a Go kind the way a JSON author thinks of it.
func jsonTypeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "a boolean"
	case kind == "slice", kind == "array":
		return "an array"
	}
	return "an object"
}

// readBody returns the request body, read once and cached on the context so
// that the idempotency fingerprint and the handler see the same bytes.
// Returns ETOOLARGE past the body limit.
func readBody(c *gin.Context) ([]byte, error) {
	if b, ok := c.Get(ctxBody); ok {
		return b.([]byte), nil
	}
	if c.Request.Body == nil {
		c.Set(ctxBody, []byte(nil))
		return nil, nil
	}
	b, err := io.ReadAll(c.Request.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, tooLargeError(tooLarge.Limit)
	} else if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	c.Set(ctxBody, b)
	return b, nil
}

// tooLargeError is the ETOOLARGE error for a body over limit bytes.
func tooLargeError(limit int64) error {
	return core.Errorf(core.ETOOLARGE, "The request body is larger than the limit of %d bytes.", limit)
}

// queryParam is the query's value of param, and whether it was given one:
// an empty value (`limit=`) is read as absent, as clients generated from
// the OpenAPI document send the optional params they were not given.
func queryParam(c *gin.Context, param string) (string, bool) {
	v := c.Query(param)
	return v, v != ""
}

// parsePage reads limit, starting_after and ending_before from the query.
// Returns EINVALID naming the param for a limit outside 1–100 or both
// cursors at once.
func parsePage(c *gin.Context) (core.Page, error) {
	p := core.Page{Limit: core.DefaultPageLimit, StartingAfter: c.Query("starting_after"), EndingBefore: c.Query("ending_before")}
	if v, ok := queryParam(c, "limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > core.MaxPageLimit {
			return p, core.ParamError("limit", "Invalid limit: must be an integer from 1 to %d, got '%s'.", core.MaxPageLimit, v)
		}
		p.Limit = n
	}
	if p.StartingAfter != "" && p.EndingBefore != "" {
		return p, core.ParamError("ending_before", "Use starting_after or ending_before, not both.")
	}
	return p, nil
}

// minUnix and maxUnix clamp a time param given in unix seconds to the
// years an RFC 3339 time can have.
const (
	minUnix = -62135596800 // 0001-01-01T00:00:00Z
	maxUnix = 253402300799 // 9999-12-31T23:59:59Z
)

// parseTimeParam reads an optional time from the query as RFC 3339 or unix
// seconds (clamped to years 0001 to 9999), nil when absent or empty.
// Returns EINVALID naming param for any other value.
func parseTimeParam(c *gin.Context, param string) (*time.Time, error) {
	v, ok := queryParam(c, param)
	if !ok {
		return nil, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		// A bound past the years RFC 3339 can write (0001 to 9999) means
		// "no bound" and is clamped: near the int64 limits time.Unix wraps
		// around, so created[lte]=9223372036854775807 read as a time
		// before created[gte], and UnixMilli overflows long before that.
		t := time.Unix(min(max(n, minUnix), maxUnix), 0).UTC()
		return &t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, core.ParamError(param, "Invalid %s: expected an RFC 3339 time or unix seconds, got '%s'.", param, v)
	}
	t = t.UTC()
	return &t, nil
}

// listBody is the JSON of every list response.
type listBody[T any] struct {
	Object  string `json:"object"` // always "list"
	Data    []T    `json:"data"`
	HasMore bool   `json:"has_more"`
	URL     string `json:"url"`
}

// writeList answers with one page of a list. url is the list's path, without
// the query.
func writeList[T any](c *gin.Context, url string, l core.List[T]) {
	if l.Data == nil {
		l.Data = []T{}
	}
	c.JSON(http.StatusOK, listBody[T]{Object: "list", Data: l.Data, HasMore: l.HasMore, URL: url})
}

// parseCreatedRange reads created[gte] and created[lte], the time window of
// a list of what (events, deliveries), and refuses a window that is empty
// by construction.
func parseCreatedRange(c *gin.Context, what string) (gte, lte *time.Time, err error) {
	if gte, err = parseTimeParam(c, "created[gte]"); err != nil {
		return nil, nil, err
	}
	if lte, err = parseTimeParam(c, "created[lte]"); err != nil {
		return nil, nil, err
	}
	if gte != nil && lte != nil && lte.Before(*gte) {
		return nil, nil, core.ParamError("created[lte]", "created[lte] is before created[gte]; no %s can match.", what)
	}
	return gte, lte, nil
}
