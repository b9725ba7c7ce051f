package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/jsonenc"
	"github.com/gin-gonic/gin"
)

// MaxBatchEvents is the most events one POST /v1/events/batch may hold.
const MaxBatchEvents = 500

// publishBatchRequest is the body of POST /v1/events/batch. Its events are
// kept raw and decoded one by one, so that a malformed event fails alone,
// with its index in the param, as it would have failed on POST /v1/events.
type publishBatchRequest struct {
	Events *[]json.RawMessage `json:"events"` // a pointer tells a missing list from an empty one
}

// batchBody is the answer to a batch: one result per event, in the order
// sent, and how many were created, found existing and refused.
type batchBody struct {
	Object   string      `json:"object"` // always "event_batch"
	Data     []batchItem `json:"data"`
	Created  int         `json:"created"`
	Existing int         `json:"existing"`
	Failed   int         `json:"failed"`
}

// batchItem is the result of one event of a batch: the status and the body
// POST /v1/events would have answered for it (the event, or the error).
type batchItem struct {
	Index  int          `json:"index"`
	Status int          `json:"status"`
	Event  *core.Event  `json:"event,omitempty"`
	Error  *errorDetail `json:"error,omitempty"`
}

// handlePublishEvents publishes up to MaxBatchEvents events in one request.
// Each event is checked exactly as POST /v1/events checks one and answered
// on its own: 201 or 200 with the event, or its error with a param such as
// events[3].data.object.guest.email. The request answers 200 whenever the
// batch itself was well formed, however many of its events were refused;
// the accepted ones are durably stored before it answers. When the store
// fails, the whole request fails (503) and nothing is acknowledged.
//
// A batch counts as one request against the key's rate limit and is one
// record in the activity log, as at Stripe: the limit protects the hub from
// request overhead, which a batch exists to spare, and the size of a batch
// is bounded instead (MaxBatchEvents, Config.BatchBodyLimit).
//
// Under an Idempotency-Key the whole request is answered once, and an event
// without an id is named evt_<seed>_<index> after the key's claim, so a
// retry whose first request stored the batch but died before answering finds
// those events (and answers 201 for them, as the first would have) instead
// of publishing them twice.
func (s *Server) handlePublishEvents() gin.HandlerFunc {
	return func(c *gin.Context) {
		select { // wait for a turn: see Config.BatchConcurrency
		case s.batches <- struct{}{}:
			defer func() { <-s.batches }()
		case <-c.Request.Context().Done():
			s.writeError(c, c.Request.Context().Err())
			return
		}
		decoded, fails, err := decodeBatch(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		items := make([]batchItem, len(decoded))
		inputs := make([]core.EventInput, 0, len(decoded))
		at := make([]int, 0, len(decoded)) // at[k] is the index of inputs[k]
		seeded := make([]bool, len(decoded))
		seed := claimSeed(c)
		for i, in := range decoded {
			items[i].Index = i
			if fails[i] != nil {
				s.failItem(c, &items[i], i, fails[i])
				continue
			}
			if in.ID == "" && seed != "" {
				in.ID, seeded[i] = "evt_"+seed+"_"+strconv.Itoa(i), true
			}
			inputs = append(inputs, in)
			at = append(at, i)
		}
		results, err := s.deps.Events.PublishEvents(c, scope(c), inputs)
		if err != nil {
			s.writeError(c, err)
			return
		}
		for k, i := range at {
			r := results[k]
			switch {
			case r.Err != nil:
				s.failItem(c, &items[i], i, r.Err)
			case r.Created || seeded[i]: // a seeded id existing means this very request stored it before
				items[i].Status, items[i].Event = http.StatusCreated, r.Event
			default:
				items[i].Status, items[i].Event = http.StatusOK, r.Event
			}
		}
		savedRef(c, batchRef(items))
		writeJSON(c, http.StatusOK, tally(items).appendJSON(nil))
	}
}

// savedItem is a batch item as its idempotency record keeps it: the event
// by id, an error as it was answered.
type savedItem struct {
	Status int          `json:"s"`
	Event  string       `json:"e,omitempty"`
	Error  *errorDetail `json:"x,omitempty"`
}

// batchRef names a batch's answer for its idempotency record
// (core.SavedResponse.Ref): its events by id, so that a keyed batch of 500
// keeps ~20 KB for 24 hours instead of a second copy of every event.
func batchRef(items []batchItem) string {
	saved := make([]savedItem, len(items))
	for i, it := range items {
		saved[i] = savedItem{Status: it.Status, Error: it.Error}
		if it.Event != nil {
			saved[i].Event = it.Event.ID
		}
	}
	b, _ := json.Marshal(saved) // a slice of plain structs always encodes
	return "batch:" + string(b)
}

// savedBatch renders the answer batchRef named again, each event as it is
// stored, or says why it cannot.
func (s *Server) savedBatch(c *gin.Context, sc core.Scope, ref string) (batchBody, error) {
	var saved []savedItem
	if err := json.Unmarshal([]byte(ref), &saved); err != nil {
		return batchBody{}, fmt.Errorf("decode saved batch: %w", err)
	}
	items := make([]batchItem, len(saved))
	for i, it := range saved {
		items[i] = batchItem{Index: i, Status: it.Status, Error: it.Error}
		if it.Event != "" {
			ev, err := s.savedEvent(c, sc, it.Event)
			if err != nil {
				return batchBody{}, err
			}
			items[i].Event = ev
		}
	}
	return tally(items), nil
}

// decodeBatch reads the events of a batch and checks each as POST
// /v1/events checks its body, returning for event i its input or, in
// fails[i], its error. err refuses the batch as a whole (not JSON, no
// events list, too many).
//
// The body is decoded in one pass when every event is well formed, the
// usual case; only when that fails is it decoded again event by event, so
// that each malformed event is named by its own error while the rest go on.
// Both give the same answer wherever the first succeeds (FuzzDecodeBatch).
func decodeBatch(c *gin.Context) (ins []core.EventInput, fails []error, err error) {
	if ins, fails, err := decodeBatchWhole(c); err == nil {
		return ins, fails, nil
	}
	return decodeBatchEach(c)
}

// decodeBatchWhole decodes all the events in one pass; any error, a
// malformed event's included, means it could not.
func decodeBatchWhole(c *gin.Context) (ins []core.EventInput, fails []error, err error) {
	var whole struct {
		Events *[]*publishEventRequest `json:"events"`
	}
	if err := decodeJSON(c, &whole); err != nil {
		return nil, nil, err
	}
	if err := checkBatchSize(whole.Events); err != nil {
		return nil, nil, err
	}
	reqs := *whole.Events
	ins, fails = make([]core.EventInput, len(reqs)), make([]error, len(reqs))
	for i, req := range reqs {
		if req == nil {
			fails[i] = notAnEvent(json.RawMessage("null"))
			continue
		}
		ins[i], fails[i] = req.input()
	}
	return ins, fails, nil
}

// decodeBatchEach decodes the list, then each event on its own.
func decodeBatchEach(c *gin.Context) (ins []core.EventInput, fails []error, err error) {
	var req publishBatchRequest
	if err := decodeJSON(c, &req); err != nil {
		return nil, nil, err
	}
	if err := checkBatchSize(req.Events); err != nil {
		return nil, nil, err
	}
	raw := *req.Events
	ins, fails = make([]core.EventInput, len(raw)), make([]error, len(raw))
	for i, r := range raw {
		ins[i], fails[i] = decodeBatchEvent(r)
	}
	return ins, fails, nil
}

// checkBatchSize refuses a batch that is missing, empty or too long.
func checkBatchSize[T any](events *[]T) error {
	if events == nil {
		return &core.Error{Code: core.EINVALID, Reason: "parameter_missing", Param: "events",
			Message: "Missing required param: events, a list of 1 to " + strconv.Itoa(MaxBatchEvents) + " events as POST /v1/events takes them."}
	}
	if n := len(*events); n == 0 || n > MaxBatchEvents {
		return core.ParamError("events", "events must hold 1 to %d events; got %d. Split a longer list into several batches.", MaxBatchEvents, n)
	}
	return nil
}

// decodeBatchEvent decodes one event of a batch as POST /v1/events decodes
// its body (unknown fields refused, wrong types named) and checks it with
// the same publishEventRequest.input. Params in its errors are relative to
// the event (data.object); failItem prefixes them.
func decodeBatchEvent(raw json.RawMessage) (core.EventInput, error) {
	if len(raw) == 0 || raw[0] != '{' {
		return core.EventInput{}, notAnEvent(raw)
	}
	var req publishEventRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return core.EventInput{}, decodeError(err, raw, &req)
	}
	return req.input()
}

// notAnEvent is the error of an event of a batch that is not a JSON object.
func notAnEvent(raw json.RawMessage) error {
	return core.ParamError("", "Each of events must be an event object, as the body of POST /v1/events, not %s.", jsonKind(raw))
}

// failItem records err as the result of event i, with its param moved under
// events[i] (events[2].data.object.guest.email).
func (s *Server) failItem(c *gin.Context, item *batchItem, i int, err error) {
	var e *core.Error
	if errors.As(err, &e) {
		moved := *e
		moved.Param = "events[" + strconv.Itoa(i) + "]"
		if e.Param != "" {
			moved.Param += "." + e.Param
		}
		err = &moved
	}
	d, status := s.errorDetail(c, err)
	d.RequestID = requestID(c)
	item.Status, item.Error = status, &d
}

// tally wraps the items in the answer and counts them by outcome.
func tally(items []batchItem) batchBody {
	b := batchBody{Object: "event_batch", Data: items}
	for _, it := range items {
		switch it.Status {
		case http.StatusCreated:
			b.Created++
		case http.StatusOK:
			b.Existing++
		default:
			b.Failed++
		}
	}
	return b
}

// appendJSON appends b as json.Marshal(b) writes it, each event through
// core.Event.AppendJSON, which spares encoding/json's second scan of
// every data.object (a tenth of a batch's CPU). TestBatchBodyAppendJSON
// holds it to json.Marshal.
func (b batchBody) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"object":`...)
	dst = jsonenc.AppendString(dst, b.Object)
	dst = append(dst, `,"data":[`...)
	for i, it := range b.Data {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"index":`...)
		dst = strconv.AppendInt(dst, int64(it.Index), 10)
		dst = append(dst, `,"status":`...)
		dst = strconv.AppendInt(dst, int64(it.Status), 10)
		if it.Event != nil {
			dst = it.Event.AppendJSON(append(dst, `,"event":`...))
		}
		if it.Error != nil {
			e, _ := json.Marshal(it.Error) // a struct of strings always encodes
			dst = append(append(dst, `,"error":`...), e...)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `],"created":`...)
	dst = strconv.AppendInt(dst, int64(b.Created), 10)
	dst = append(dst, `,"existing":`...)
	dst = strconv.AppendInt(dst, int64(b.Existing), 10)
	dst = append(dst, `,"failed":`...)
	dst = strconv.AppendInt(dst, int64(b.Failed), 10)
	return append(dst, '}')
}

// jsonKind names the kind of a JSON value that is not an object, by its
// first byte, for an error message that must not echo the value itself.
func jsonKind(raw json.RawMessage) string {
	switch {
	case len(raw) == 0, raw[0] == 'n':
		return "null"
	case raw[0] == '"':
		return "a string"
	case raw[0] == '[':
		return "an array"
	case raw[0] == 't', raw[0] == 'f':
		return "a boolean"
	}
	return "a number"
}
