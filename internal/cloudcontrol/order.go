package cloudcontrol

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/stagecoach/stagecoach/internal/store"
)

// Clients compute an UpdateResource PatchDocument from their own copy of
// the desired state, so array operations name positions in the order the
// client wrote the array ("replace /Tags/1/Value"), while the read handler
// builds arrays from maps in sorted order. To make those positions mean
// the same element, the order of each keyed array is remembered from the
// last document the client sent and the read model is arranged in it.
const kindOrder = "cloudcontrol-order"

// orderedArrays names the top-level arrays whose elements have a key, and
// how to get it.
var orderedArrays = map[string]func(v any) string{
	"Tags": func(v any) string { return fieldString(v, "Key") },
	"MethodSettings": func(v any) string {
		return plainResourcePath(fieldString(v, "ResourcePath")) + " " + fieldString(v, "HttpMethod")
	},
	"MethodResponses":  func(v any) string { return fieldString(v, "StatusCode") },
	"BinaryMediaTypes": func(v any) string { s, _ := v.(string); return s },
}

func fieldString(v any, name string) string {
	m, _ := v.(map[string]any)
	s, _ := m[name].(string)
	return s
}

// arrayOrder records the key order of doc's keyed arrays.
func arrayOrder(doc map[string]any) map[string][]string {
	out := map[string][]string{}
	for prop, key := range orderedArrays {
		arr, ok := doc[prop].([]any)
		if !ok {
			continue
		}
		keys := make([]string, len(arr))
		for i, v := range arr {
			keys[i] = key(v)
		}
		out[prop] = keys
	}
	return out
}

// arrange sorts doc's keyed arrays into the remembered order; elements the
// client never sent keep their place after the known ones.
func arrange(doc map[string]any, order map[string][]string) {
	for prop, keys := range order {
		arr, ok := doc[prop].([]any)
		if !ok {
			continue
		}
		key := orderedArrays[prop]
		rank := func(v any) int {
			if i := slices.Index(keys, key(v)); i >= 0 {
				return i
			}
			return len(keys)
		}
		slices.SortStableFunc(arr, func(a, b any) int { return rank(a) - rank(b) })
	}
}

func orderKey(typeName, identifier string) string { return typeName + "|" + identifier }

// loadOrder returns the remembered array order of a resource, if any.
func (s *Server) loadOrder(ctx context.Context, typeName, identifier string) map[string][]string {
	var order map[string][]string
	s.svc.Store.View(ctx, func(tx store.Tx) error {
		b, err := tx.Record(kindOrder, orderKey(typeName, identifier))
		if err == nil {
			json.Unmarshal(b, &order)
		}
		return nil
	})
	return order
}

// saveOrder remembers the array order of the document a client sent.
func (s *Server) saveOrder(ctx context.Context, typeName, identifier string, doc map[string]any) error {
	b, _ := json.Marshal(arrayOrder(doc))
	return s.svc.Store.Update(ctx, func(tx store.Tx) error {
		return tx.PutRecord(kindOrder, orderKey(typeName, identifier), b)
	})
}

func (s *Server) forgetOrder(ctx context.Context, typeName, identifier string) {
	s.svc.Store.Update(ctx, func(tx store.Tx) error {
		tx.DeleteRecord(kindOrder, orderKey(typeName, identifier))
		return nil
	})
}

// readDocument reads a resource as a JSON document arranged in the
// client's array order.
func (s *Server) readDocument(ctx context.Context, t resourceType, ids []string) (map[string]any, error) {
	m, err := t.read(ctx, ids)
	if err != nil {
		return nil, err
	}
	doc := toDocument(m)
	if order := s.loadOrder(ctx, t.meta().TypeName, joinIdentifier(ids)); order != nil {
		arrange(doc, order)
	}
	return doc, nil
}

func documentJSON(doc map[string]any) string {
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Sprint(doc)
	}
	return string(b)
}
