package backplane

import (
	"context"
	"errors"
	"maps"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// Tag limits (control-plane.md §3.7): at most 50 tags per resource, keys
// 1–128 characters not starting with "aws:", values up to 256 characters,
// from AWS's tag character set.
const (
	maxTags        = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// tagChars is AWS's general tag character set: letters, spaces, digits and
// _ . : / = + - @.
var tagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// Tag messages are not recorded from AWS (U); they name the offending key
// the way API Gateway's own validation messages do.
const (
	msgTooManyTags    = "Too many tags: a resource can have at most 50 tags"
	msgTagARNInvalid  = "Invalid ARN specified in the request: %s"
	msgTagKeysMissing = "tagKeys must be specified"
)

// checkTags validates a tag map (after any merge): each tag first, so a
// bad key is named even on a full resource, then the count.
func checkTags(tags map[string]string) error {
	for k, v := range tags {
		switch {
		case k == "" || utf8.RuneCountInString(k) > maxTagKeyLen:
			return apigw.BadRequest("Invalid tag key '%s': tag keys must be 1 to 128 characters long", k)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return apigw.BadRequest("Invalid tag key '%s': tag keys must not start with 'aws:'", k)
		case !tagChars.MatchString(k):
			return apigw.BadRequest("Invalid tag key '%s': tag keys may contain only letters, numbers, spaces and _ . : / = + - @", k)
		case utf8.RuneCountInString(v) > maxTagValueLen:
			return apigw.BadRequest("Invalid tag value for key '%s': tag values must be at most 256 characters long", k)
		case !tagChars.MatchString(v):
			return apigw.BadRequest("Invalid tag value for key '%s': tag values may contain only letters, numbers, spaces and _ . : / = + - @", k)
		}
	}
	if len(tags) > maxTags {
		return apigw.BadRequest(msgTooManyTags)
	}
	return nil
}

// taggable names what a tag ARN points at: a REST API, or one of its
// stages when stage is non-empty.
type taggable struct {
	apiID, stage string
}

// parseTagARN reads arn:aws:apigateway:{region}::/restapis/{id}[/stages/{name}].
// The region is not compared with the gateway's: a self-hosted gateway
// serves one region whatever the client was configured with, and
// rejecting a client's region here would break tagging from SDKs set to
// another one (product choice).
func parseTagARN(arn string) (taggable, error) {
	bad := apigw.BadRequest(msgTagARNInvalid, arn)
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return taggable{}, bad
	}
	// partition:service:region:account:resource
	parts := strings.SplitN(rest, ":", 5)
	if len(parts) != 5 || !strings.HasPrefix(parts[0], "aws") || parts[1] != "apigateway" {
		return taggable{}, bad
	}
	segs := strings.Split(strings.TrimPrefix(parts[4], "/"), "/")
	switch {
	case len(segs) == 2 && segs[0] == "restapis" && segs[1] != "":
		return taggable{apiID: segs[1]}, nil
	case len(segs) == 4 && segs[0] == "restapis" && segs[1] != "" && segs[2] == "stages" && segs[3] != "":
		return taggable{apiID: segs[1], stage: segs[3]}, nil
	}
	return taggable{}, bad
}

// withTags runs fn on the tag map of the resource arn names and, when
// write is set, stores the result. Unknown APIs get AWS's API
// NotFoundException; unknown stages "Invalid Stage identifier specified"
// (control-plane.md §3.7 suggestion, U).
func (s *Service) withTags(ctx context.Context, arn string, write bool, fn func(map[string]string) (map[string]string, error)) error {
	target, err := parseTagARN(arn)
	if err != nil {
		return err
	}
	run := s.view
	if write {
		run = s.update
	}
	return run(ctx, func(tx store.Tx) error {
		api, err := loadAPI(tx, target.apiID)
		if err != nil {
			return err
		}
		if target.stage == "" {
			tags, err := fn(maps.Clone(api.Tags))
			if err != nil || !write {
				return err
			}
			api.Tags = nonEmpty(tags)
			return tx.PutRestAPI(api)
		}
		st, err := tx.Stage(target.apiID, target.stage)
		if errors.Is(err, store.ErrNotFound) {
			return apigw.NotFound(apigw.MsgInvalidStage)
		}
		if err != nil {
			return err
		}
		tags, err := fn(maps.Clone(st.Tags))
		if err != nil || !write {
			return err
		}
		st.Tags = nonEmpty(tags)
		normalizeStage(st)
		return tx.PutStage(target.apiID, st)
	})
}

// TagResource merges tags into the resource named by arn (a stage or a
// REST API): new keys are added, existing keys overwritten.
func (s *Service) TagResource(ctx context.Context, arn string, tags map[string]string) error {
	return s.withTags(ctx, arn, true, func(cur map[string]string) (map[string]string, error) {
		if cur == nil {
			cur = map[string]string{}
		}
		maps.Copy(cur, tags)
		return cur, checkTags(cur)
	})
}

// UntagResource deletes the listed keys; keys that are not set are
// ignored (U).
func (s *Service) UntagResource(ctx context.Context, arn string, keys []string) error {
	if len(keys) == 0 {
		if _, err := parseTagARN(arn); err != nil {
			return err
		}
		return apigw.BadRequest(msgTagKeysMissing)
	}
	return s.withTags(ctx, arn, true, func(cur map[string]string) (map[string]string, error) {
		for _, k := range keys {
			delete(cur, k)
		}
		return cur, nil
	})
}

// GetTags returns the resource's tags, an empty map when it has none.
func (s *Service) GetTags(ctx context.Context, arn string) (map[string]string, error) {
	out := map[string]string{}
	err := s.withTags(ctx, arn, false, func(cur map[string]string) (map[string]string, error) {
		maps.Copy(out, cur)
		return cur, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
