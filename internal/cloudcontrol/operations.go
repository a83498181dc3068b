package cloudcontrol

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/stagecoach/stagecoach/internal/store"
)

// The operation inputs. Pointers tell an absent member from an empty one,
// as the request validator must.
type (
	createInput struct {
		TypeName      *string
		TypeVersionId *string
		RoleArn       *string
		ClientToken   *string
		DesiredState  *string
	}
	getInput struct {
		TypeName      *string
		TypeVersionId *string
		RoleArn       *string
		Identifier    *string
	}
	updateInput struct {
		TypeName      *string
		TypeVersionId *string
		RoleArn       *string
		ClientToken   *string
		Identifier    *string
		PatchDocument *string
	}
	deleteInput struct {
		TypeName      *string
		TypeVersionId *string
		RoleArn       *string
		ClientToken   *string
		Identifier    *string
	}
	listInput struct {
		TypeName      *string
		TypeVersionId *string
		RoleArn       *string
		NextToken     *string
		MaxResults    *int
		ResourceModel *string
	}
	tokenInput struct {
		RequestToken *string
	}
	listRequestsInput struct {
		MaxResults                  *int
		NextToken                   *string
		ResourceRequestStatusFilter *struct {
			Operations        []string
			OperationStatuses []string
		}
	}
)

type resourceDescription struct {
	Identifier string `json:"Identifier"`
	Properties string `json:"Properties"`
}

// common checks the members every resource operation shares and returns
// the resource type.
func (s *Server) common(c *inputCheck, typeName, typeVersionID, roleArn *string) (resourceType, error) {
	c.typeName(typeName)
	c.typeVersionID(typeVersionID)
	c.roleArn(roleArn)
	if err := c.err(); err != nil {
		return nil, err
	}
	t := s.types[*typeName]
	if t == nil {
		return nil, errTypeNotFound(*typeName)
	}
	return t, nil
}

// identified is common for the operations that name one resource: it
// also parses Identifier (already checked as present) into the type's
// primary identifier values.
func (s *Server) identified(c *inputCheck, typeName, typeVersionID, roleArn, identifier *string) (resourceType, []string, error) {
	t, err := s.common(c, typeName, typeVersionID, roleArn)
	if err != nil {
		return nil, nil, err
	}
	ids, err := parseIdentifier(t.meta(), *identifier)
	if err != nil {
		return nil, nil, err
	}
	return t, ids, nil
}

// progress runs m and answers its ProgressEvent, the output of
// CreateResource, UpdateResource and DeleteResource.
func (s *Server) progress(ctx context.Context, m mutation) (any, error) {
	ev, err := s.execute(ctx, m)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ProgressEvent": ev}, nil
}

func (s *Server) createResource(r *http.Request, body []byte) (any, error) {
	var in createInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	var c inputCheck
	c.token("clientToken", in.ClientToken)
	if c.required("desiredState", in.DesiredState) {
		c.length("desiredState", in.DesiredState, 1, 262144)
	}
	t, err := s.common(&c, in.TypeName, in.TypeVersionId, in.RoleArn)
	if err != nil {
		return nil, err
	}
	doc, err := parseDocument("DesiredState", *in.DesiredState)
	if err != nil {
		return nil, err
	}
	model, err := checkDocument(t, doc, true)
	if err != nil {
		return nil, err
	}
	ids := t.identifierOf(model)
	return s.progress(r.Context(), mutation{
		Operation:   opCreate,
		TypeName:    *in.TypeName,
		Identifier:  joinIdentifier(ids),
		ClientToken: deref(in.ClientToken),
		Fingerprint: fingerprint(opCreate, *in.TypeName, *in.DesiredState),
		Run: func(ctx context.Context) (string, string, error) {
			ids, err := t.create(ctx, model)
			if err != nil {
				return joinIdentifier(ids), "", err
			}
			if err := s.saveOrder(ctx, *in.TypeName, joinIdentifier(ids), doc); err != nil {
				return joinIdentifier(ids), "", err
			}
			return s.readBack(ctx, t, ids)
		},
	})
}

// readBack reads a resource after a change for the event's ResourceModel.
func (s *Server) readBack(ctx context.Context, t resourceType, ids []string) (string, string, error) {
	doc, err := s.readDocument(ctx, t, ids)
	if err != nil {
		return joinIdentifier(ids), "", err
	}
	return joinIdentifier(ids), documentJSON(doc), nil
}

func (s *Server) getResource(r *http.Request, body []byte) (any, error) {
	var in getInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	var c inputCheck
	c.identifier(in.Identifier)
	t, ids, err := s.identified(&c, in.TypeName, in.TypeVersionId, in.RoleArn, in.Identifier)
	if err != nil {
		return nil, err
	}
	doc, err := s.readDocument(r.Context(), t, ids)
	if err != nil {
		return nil, apiErrorFor(err, *in.TypeName, *in.Identifier)
	}
	return map[string]any{
		"TypeName":            *in.TypeName,
		"ResourceDescription": resourceDescription{Identifier: joinIdentifier(ids), Properties: documentJSON(doc)},
	}, nil
}

func (s *Server) updateResource(r *http.Request, body []byte) (any, error) {
	var in updateInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	var c inputCheck
	c.token("clientToken", in.ClientToken)
	c.identifier(in.Identifier)
	if c.required("patchDocument", in.PatchDocument) {
		c.length("patchDocument", in.PatchDocument, 1, 65536)
	}
	t, ids, err := s.identified(&c, in.TypeName, in.TypeVersionId, in.RoleArn, in.Identifier)
	if err != nil {
		return nil, err
	}
	meta := t.meta()
	ops, err := parsePatchDocument(*in.PatchDocument)
	if err != nil {
		return nil, errValidation("Invalid patch document: %v", err)
	}
	fp := fingerprint(opUpdate, *in.TypeName, *in.Identifier, *in.PatchDocument)
	if ev, ok, err := s.replay(r.Context(), deref(in.ClientToken), fp); ok || err != nil {
		return map[string]any{"ProgressEvent": ev}, err
	}

	// Cloud Control applies the patch to the resource as it is now (its
	// read handler's model), then checks the result against the schema.
	before, err := s.readDocument(r.Context(), t, ids)
	if err != nil {
		return nil, apiErrorFor(err, *in.TypeName, *in.Identifier)
	}
	current := t.newModel()
	if err := decodeModel([]byte(documentJSON(before)), current); err != nil {
		return nil, err
	}
	after, err := applyJSONPatch(before, ops)
	if err != nil {
		return nil, errValidation("Invalid patch document: %v", err)
	}
	// A patch may restate createOnly properties (Alchemy adds the
	// identifier properties to every update); only a real change is
	// refused, with AWS's NotUpdatableException text.
	if changed := changedProperties(meta.CreateOnly, before, after); len(changed) > 0 {
		return nil, errNotUpdatable("Invalid patch update: createOnlyProperties [%s] cannot be updated", joinList(changed))
	}
	if changed := changedProperties(meta.ReadOnly, before, after); len(changed) > 0 {
		return nil, errNotUpdatable("Invalid patch update: readOnlyProperties [%s] cannot be updated", joinList(changed))
	}
	next, err := checkDocument(t, after, false)
	if err != nil {
		return nil, err
	}
	return s.progress(r.Context(), mutation{
		Operation:   opUpdate,
		TypeName:    *in.TypeName,
		Identifier:  joinIdentifier(ids),
		ClientToken: deref(in.ClientToken),
		Fingerprint: fp,
		Run: func(ctx context.Context) (string, string, error) {
			if err := t.update(ctx, ids, current, next); err != nil {
				return "", "", err
			}
			if err := s.saveOrder(ctx, *in.TypeName, joinIdentifier(ids), after); err != nil {
				return "", "", err
			}
			return s.readBack(ctx, t, ids)
		},
	})
}

// replay answers a retried request (same client token, same content)
// before doing any work, so a retry of an update that already ran does not
// re-read and re-validate against the changed resource.
func (s *Server) replay(ctx context.Context, clientToken, fp string) (*progressEvent, bool, error) {
	if clientToken == "" {
		return nil, false, nil
	}
	var (
		ev    *progressEvent
		found bool
	)
	err := s.svc.Store.View(ctx, func(tx store.Tx) error {
		b, err := tx.Record(kindClientToken, clientToken)
		if err != nil {
			return nil
		}
		var ct clientTokenRecord
		if err := json.Unmarshal(b, &ct); err != nil {
			return err
		}
		if ct.Fingerprint != fp {
			return errClientTokenConflict(clientToken)
		}
		rec, err := loadRequest(tx, ct.RequestToken)
		if err != nil {
			return err
		}
		ev, found = s.withLiveness(&rec.Event), true
		return nil
	})
	return ev, found, err
}

func joinList(items []string) string {
	out := ""
	for i, s := range items {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

func (s *Server) deleteResource(r *http.Request, body []byte) (any, error) {
	var in deleteInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	var c inputCheck
	c.token("clientToken", in.ClientToken)
	c.identifier(in.Identifier)
	t, ids, err := s.identified(&c, in.TypeName, in.TypeVersionId, in.RoleArn, in.Identifier)
	if err != nil {
		return nil, err
	}
	return s.progress(r.Context(), mutation{
		Operation:   opDelete,
		TypeName:    *in.TypeName,
		Identifier:  joinIdentifier(ids),
		ClientToken: deref(in.ClientToken),
		Fingerprint: fingerprint(opDelete, *in.TypeName, *in.Identifier),
		Run: func(ctx context.Context) (string, string, error) {
			if err := t.delete(ctx, ids); err != nil {
				return "", "", err
			}
			s.forgetOrder(ctx, *in.TypeName, joinIdentifier(ids))
			return "", "", nil
		},
	})
}

// offsetToken parses a NextToken this server issued (an offset).
func offsetToken(tok *string) (int, error) {
	if tok == nil {
		return 0, nil
	}
	n, err := strconv.Atoi(*tok)
	if err != nil || n < 0 {
		return 0, errInvalidRequest("Invalid NextToken: %s", *tok)
	}
	return n, nil
}

func (s *Server) listResources(r *http.Request, body []byte) (any, error) {
	var in listInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	var c inputCheck
	c.length("nextToken", in.NextToken, 1, 2048)
	c.maxResults(in.MaxResults)
	c.length("resourceModel", in.ResourceModel, 1, 262144)
	t, err := s.common(&c, in.TypeName, in.TypeVersionId, in.RoleArn)
	if err != nil {
		return nil, err
	}
	meta := t.meta()
	if meta.NoList {
		return nil, errUnsupportedAction(meta.TypeName, "LIST")
	}
	model := map[string]any{}
	if in.ResourceModel != nil {
		if model, err = parseDocument("ResourceModel", *in.ResourceModel); err != nil {
			return nil, err
		}
	}
	for _, p := range meta.ListRequires {
		if v, ok := model[p].(string); !ok || v == "" {
			// The list handler's own complaint, as AWS relays it.
			return nil, errInvalidRequest("Missing Or Invalid ResourceModel property in %s list handler request input. Required property:  [%s]",
				meta.TypeName, joinList(meta.ListRequires))
		}
	}
	start, err := offsetToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	items, err := t.list(r.Context(), model)
	if err != nil {
		return nil, apiErrorFor(err, meta.TypeName, "")
	}
	limit := 100
	if in.MaxResults != nil {
		limit = *in.MaxResults
	}
	start = min(start, len(items))
	end := min(start+limit, len(items))
	descs := make([]resourceDescription, 0, end-start)
	for _, it := range items[start:end] {
		descs = append(descs, resourceDescription{Identifier: joinIdentifier(it.IDs), Properties: propertiesJSON(it.Model)})
	}
	out := map[string]any{"TypeName": meta.TypeName, "ResourceDescriptions": descs}
	if end < len(items) {
		out["NextToken"] = strconv.Itoa(end)
	}
	return out, nil
}

func (s *Server) getResourceRequestStatus(r *http.Request, body []byte) (any, error) {
	rec, err := s.requestNamedIn(r.Context(), body)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ProgressEvent": s.withLiveness(&rec.Event)}, nil
}

// requestNamedIn decodes and checks the {RequestToken} input of
// GetResourceRequestStatus and CancelResourceRequest and loads the live
// request it names.
func (s *Server) requestNamedIn(ctx context.Context, body []byte) (*requestRecord, error) {
	var in tokenInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	var c inputCheck
	if c.required("requestToken", in.RequestToken) {
		c.token("requestToken", in.RequestToken)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return s.loadLiveRequest(ctx, *in.RequestToken)
}

// loadLiveRequest loads a request that has not expired.
func (s *Server) loadLiveRequest(ctx context.Context, token string) (*requestRecord, error) {
	var rec *requestRecord
	err := s.svc.Store.View(ctx, func(tx store.Tx) error {
		var err error
		rec, err = loadRequest(tx, token)
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.expired(&rec.Event) {
		return nil, errRequestTokenNotFound(token)
	}
	return rec, nil
}

func (s *Server) expired(ev *progressEvent) bool {
	t := time.UnixMilli(int64(ev.EventTime * 1000))
	return s.now().Sub(t) > requestRetention
}

func (s *Server) cancelResourceRequest(r *http.Request, body []byte) (any, error) {
	rec, err := s.requestNamedIn(r.Context(), body)
	if err != nil {
		return nil, err
	}
	// Requests run to completion inside the call that started them, so by
	// the time anyone can cancel one it has finished (or was interrupted by
	// a restart): AWS answers ConcurrentModificationException for requests
	// that are no longer PENDING or IN_PROGRESS.
	ev := s.withLiveness(&rec.Event)
	return nil, ccErr("ConcurrentModificationException", http.StatusInternalServerError,
		"Request with token %s cannot be cancelled because it is already in a final state (%s)", ev.RequestToken, ev.OperationStatus)
}

func (s *Server) listResourceRequests(r *http.Request, body []byte) (any, error) {
	var in listRequestsInput
	if err := decodeInput(body, &in); err != nil {
		return nil, err
	}
	var c inputCheck
	c.maxResults(in.MaxResults)
	c.length("nextToken", in.NextToken, 1, 2048)
	if f := in.ResourceRequestStatusFilter; f != nil {
		for _, o := range f.Operations {
			if !slices.Contains([]string{opCreate, opUpdate, opDelete}, o) {
				c.fail(&o, "resourceRequestStatusFilter.operations", "Member must satisfy enum value set: [CREATE, DELETE, UPDATE]")
			}
		}
		for _, st := range f.OperationStatuses {
			if !slices.Contains([]string{"PENDING", statusInProgress, statusSuccess, statusFailed, "CANCEL_IN_PROGRESS", "CANCEL_COMPLETE"}, st) {
				c.fail(&st, "resourceRequestStatusFilter.operationStatuses",
					"Member must satisfy enum value set: [PENDING, IN_PROGRESS, SUCCESS, FAILED, CANCEL_IN_PROGRESS, CANCEL_COMPLETE]")
			}
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	start, err := offsetToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	var events []*progressEvent
	err = s.svc.Store.View(r.Context(), func(tx store.Tx) error {
		docs, err := tx.Records(kindRequest)
		if err != nil {
			return err
		}
		for _, b := range docs {
			var rec requestRecord
			if err := json.Unmarshal(b, &rec); err != nil {
				return err
			}
			if s.expired(&rec.Event) {
				continue
			}
			ev := s.withLiveness(&rec.Event)
			if f := in.ResourceRequestStatusFilter; f != nil {
				if len(f.Operations) > 0 && !slices.Contains(f.Operations, ev.Operation) {
					continue
				}
				if len(f.OperationStatuses) > 0 && !slices.Contains(f.OperationStatuses, ev.OperationStatus) {
					continue
				}
			}
			events = append(events, ev)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Reverse(events) // newest first
	limit := 100
	if in.MaxResults != nil {
		limit = *in.MaxResults
	}
	start = min(start, len(events))
	end := min(start+limit, len(events))
	out := map[string]any{"ResourceRequestStatusSummaries": nonNil(events[start:end])}
	if end < len(events) {
		out["NextToken"] = strconv.Itoa(end)
	}
	return out, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
