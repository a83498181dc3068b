// Package logsapi serves the subset of the CloudWatch Logs API
// (awsJson1_1, X-Amz-Target: Logs_20140328.<Operation>) that reading
// Stagecoach's logs needs: `aws logs tail --follow`, `aws logs
// filter-log-events`, `aws logs get-log-events`, group and stream
// listings, retention, plus CreateLogStream/PutLogEvents so any client
// can write to the store too.
//
// Errors are AWS's: HTTP 400 with {"__type": "...", "message": "..."}.
package logsapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/awsproto"
	"github.com/stagecoach/stagecoach/internal/telemetry/logstore"
)

// protocol is the Logs API's awsJson1_1 envelope. A body is bounded by
// PutLogEvents batches: at most 1,048,576 bytes of messages, plus JSON
// framing.
var protocol = awsproto.JSON{TargetPrefix: "Logs_20140328.", ContentType: "application/x-amz-json-1.1", MaxBody: 2 << 20}

// maxResponseBytes is the 1 MB page budget of GetLogEvents and
// FilterLogEvents.
const maxResponseBytes = 1 << 20

// Handler serves the Logs API.
type Handler struct {
	Store  *logstore.Store
	Region string
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// New returns a handler over st for region.
func New(st *logstore.Store, region string) *Handler {
	return &Handler{Store: st, Region: region}
}

// apiError is a CloudWatch Logs error.
type apiError struct {
	Type    string
	Message string
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func invalidParameter(format string, args ...any) *apiError {
	return &apiError{"InvalidParameterException", fmt.Sprintf(format, args...)}
}

type operation func(h *Handler, ctx context.Context, body []byte) (any, error)

var operations = map[string]operation{
	"CreateLogGroup":        (*Handler).createLogGroup,
	"DeleteLogGroup":        (*Handler).deleteLogGroup,
	"DescribeLogGroups":     (*Handler).describeLogGroups,
	"DescribeLogStreams":    (*Handler).describeLogStreams,
	"CreateLogStream":       (*Handler).createLogStream,
	"PutLogEvents":          (*Handler).putLogEvents,
	"GetLogEvents":          (*Handler).getLogEvents,
	"FilterLogEvents":       (*Handler).filterLogEvents,
	"PutRetentionPolicy":    (*Handler).putRetentionPolicy,
	"DeleteRetentionPolicy": (*Handler).deleteRetentionPolicy,
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", awsproto.NewRequestID())
	op, ok := protocol.Operation(r)
	fn := operations[op]
	if !ok || fn == nil {
		writeError(w, &apiError{"UnknownOperationException", "Unknown operation " + op})
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, &apiError{"InvalidAction", "Operations must be sent with POST"})
		return
	}
	body, err := protocol.ReadBody(r)
	if errors.Is(err, awsproto.ErrBodyTooLarge) {
		writeError(w, invalidParameter("Request body is larger than %d bytes", protocol.MaxBody))
		return
	}
	if err != nil {
		writeError(w, &apiError{"SerializationException", "cannot read request body"})
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	out, err := fn(h, r.Context(), body)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := protocol.WriteResult(w, out); err != nil {
		writeError(w, err)
	}
}

// writeError answers err. Every error is a 400 but an internal failure,
// whose text is the store's.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	status := http.StatusBadRequest
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, logstore.ErrGroupNotFound), errors.Is(err, logstore.ErrStreamNotFound):
		ae = &apiError{"ResourceNotFoundException", err.Error()}
	case errors.Is(err, logstore.ErrGroupExists), errors.Is(err, logstore.ErrStreamExists):
		ae = &apiError{"ResourceAlreadyExistsException", err.Error()}
	case errors.Is(err, logstore.ErrBadToken):
		ae = invalidParameter("%s", err.Error())
	default:
		ae = &apiError{"ServiceUnavailableException", err.Error()}
		status = http.StatusInternalServerError
	}
	protocol.WriteError(w, awsproto.Error{Status: status, Type: ae.Type, Message: ae.Message})
}

// decode decodes an operation's input; any failure, a member of the
// wrong type included, is a SerializationException with encoding/json's
// text.
func decode(body []byte, v any) error {
	if err := awsproto.Unmarshal(body, v); err != nil {
		return &apiError{"SerializationException", "Failed to parse request body: " + err.Error()}
	}
	return nil
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// groupNamePattern is logGroupName's constraint in the API model.
var groupNamePattern = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]+$`)

// streamNameOK: 1–512 characters, no ':' or '*'.
func streamNameOK(s string) bool {
	return s != "" && len(s) <= 512 && !strings.ContainsAny(s, ":*")
}

func checkGroupName(field, name string) error {
	if name == "" {
		return invalidParameter("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	if len(name) > 512 || !groupNamePattern.MatchString(name) {
		return invalidParameter("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", name, field)
	}
	return nil
}

// resolveGroup takes logGroupName or logGroupIdentifier (a name or a
// log group ARN).
func resolveGroup(name, identifier string) (string, error) {
	switch {
	case name != "" && identifier != "":
		return "", invalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case identifier != "":
		if rest, ok := strings.CutPrefix(identifier, "arn:"); ok {
			_, g, found := strings.Cut(rest, ":log-group:")
			if !found {
				return "", invalidParameter("Invalid logGroupIdentifier: %s", identifier)
			}
			return strings.TrimSuffix(g, ":*"), nil
		}
		return identifier, nil
	case name != "":
		return name, nil
	}
	return "", invalidParameter("Either logGroupName or logGroupIdentifier must be specified.")
}

func checkLimit(limit *int, max int) error {
	if limit == nil {
		return nil
	}
	if *limit < 1 || *limit > max {
		return invalidParameter("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and %d", *limit, max)
	}
	return nil
}

func limitOr(limit *int, def int) int {
	if limit == nil {
		return def
	}
	return *limit
}

// Tokens are opaque to clients: base64 of the store's position.
func encodeToken(s string) string {
	if s == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func decodeToken(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", invalidParameter("The specified nextToken is invalid.")
	}
	return string(b), nil
}

func (h *Handler) groupARN(name string) string {
	return "arn:aws:logs:" + h.Region + ":" + apigw.AccountID + ":log-group:" + name
}

// --- operations ---

// decodeGroupName decodes and checks the input of the operations whose
// only member is logGroupName.
func decodeGroupName(body []byte) (string, error) {
	var in struct {
		LogGroupName string `json:"logGroupName"`
	}
	if err := decode(body, &in); err != nil {
		return "", err
	}
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return "", err
	}
	return in.LogGroupName, nil
}

func (h *Handler) createLogGroup(ctx context.Context, body []byte) (any, error) {
	group, err := decodeGroupName(body)
	if err != nil {
		return nil, err
	}
	return struct{}{}, h.Store.CreateGroup(ctx, group)
}

func (h *Handler) deleteLogGroup(ctx context.Context, body []byte) (any, error) {
	group, err := decodeGroupName(body)
	if err != nil {
		return nil, err
	}
	return struct{}{}, h.Store.DeleteGroup(ctx, group)
}

type logGroupOut struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   int    `json:"retentionInDays,omitempty"`
	MetricFilterCount int    `json:"metricFilterCount"`
	Arn               string `json:"arn"`
	StoredBytes       int64  `json:"storedBytes"`
	LogGroupClass     string `json:"logGroupClass"`
	LogGroupArn       string `json:"logGroupArn"`
}

func (h *Handler) describeLogGroups(ctx context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupNamePrefix  string   `json:"logGroupNamePrefix"`
		LogGroupNamePattern string   `json:"logGroupNamePattern"`
		LogGroupIdentifiers []string `json:"logGroupIdentifiers"`
		NextToken           string   `json:"nextToken"`
		Limit               *int     `json:"limit"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, invalidParameter("LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.")
	}
	if err := checkLimit(in.Limit, 50); err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	groups, more, err := h.Store.Groups(ctx, logstore.GroupQuery{
		Prefix: in.LogGroupNamePrefix, Pattern: in.LogGroupNamePattern, After: after, Limit: limitOr(in.Limit, 50),
	})
	if err != nil {
		return nil, err
	}
	out := struct {
		LogGroups []logGroupOut `json:"logGroups"`
		NextToken string        `json:"nextToken,omitempty"`
	}{LogGroups: []logGroupOut{}}
	for _, g := range groups {
		if len(in.LogGroupIdentifiers) > 0 && !slices.ContainsFunc(in.LogGroupIdentifiers, func(id string) bool {
			n, _ := resolveGroup("", id)
			return n == g.Name
		}) {
			continue
		}
		arn := h.groupARN(g.Name)
		out.LogGroups = append(out.LogGroups, logGroupOut{
			LogGroupName: g.Name, CreationTime: g.Created, RetentionInDays: g.RetentionDays,
			Arn: arn + ":*", StoredBytes: g.StoredBytes, LogGroupClass: "STANDARD", LogGroupArn: arn,
		})
	}
	if more {
		out.NextToken = encodeToken(groups[len(groups)-1].Name)
	}
	return out, nil
}

func (h *Handler) describeLogStreams(ctx context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName        string `json:"logGroupName"`
		LogGroupIdentifier  string `json:"logGroupIdentifier"`
		LogStreamNamePrefix string `json:"logStreamNamePrefix"`
		OrderBy             string `json:"orderBy"`
		Descending          bool   `json:"descending"`
		NextToken           string `json:"nextToken"`
		Limit               *int   `json:"limit"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	group, err := resolveGroup(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	switch in.OrderBy {
	case "", logstore.OrderByName:
	case logstore.OrderByLastEventTime:
		if in.LogStreamNamePrefix != "" {
			return nil, invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return nil, invalidParameter("1 validation error detected: Value '%s' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]", in.OrderBy)
	}
	if err := checkLimit(in.Limit, 50); err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	streams, next, err := h.Store.Streams(ctx, logstore.StreamQuery{
		Group: group, Prefix: in.LogStreamNamePrefix, OrderBy: in.OrderBy, Descending: in.Descending,
		After: after, Limit: limitOr(in.Limit, 50),
	})
	if err != nil {
		return nil, err
	}
	type streamOut struct {
		LogStreamName       string `json:"logStreamName"`
		CreationTime        int64  `json:"creationTime"`
		FirstEventTimestamp int64  `json:"firstEventTimestamp,omitempty"`
		LastEventTimestamp  int64  `json:"lastEventTimestamp,omitempty"`
		LastIngestionTime   int64  `json:"lastIngestionTime,omitempty"`
		UploadSequenceToken string `json:"uploadSequenceToken"`
		Arn                 string `json:"arn"`
		StoredBytes         int64  `json:"storedBytes"` // deprecated by AWS: always 0
	}
	out := struct {
		LogStreams []streamOut `json:"logStreams"`
		NextToken  string      `json:"nextToken,omitempty"`
	}{LogStreams: []streamOut{}, NextToken: encodeToken(next)}
	for _, s := range streams {
		out.LogStreams = append(out.LogStreams, streamOut{
			LogStreamName: s.Name, CreationTime: s.Created, FirstEventTimestamp: s.FirstEvent,
			LastEventTimestamp: s.LastEvent, LastIngestionTime: s.LastIngestion,
			UploadSequenceToken: "1", Arn: h.groupARN(group) + ":log-stream:" + s.Name,
		})
	}
	return out, nil
}

func (h *Handler) createLogStream(ctx context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName  string `json:"logGroupName"`
		LogStreamName string `json:"logStreamName"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if !streamNameOK(in.LogStreamName) {
		return nil, invalidParameter("1 validation error detected: Value '%s' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*", in.LogStreamName)
	}
	return struct{}{}, h.Store.CreateStream(ctx, in.LogGroupName, in.LogStreamName)
}

// PutLogEvents acceptance window (CloudWatch Logs quotas): events older
// than 14 days or more than 2 hours in the future are rejected.
const (
	maxEventAge    = 14 * 24 * time.Hour
	maxEventFuture = 2 * time.Hour
	maxBatchEvents = 10000
)

func (h *Handler) putLogEvents(ctx context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName  string `json:"logGroupName"`
		LogStreamName string `json:"logStreamName"`
		LogEvents     []struct {
			Timestamp *int64  `json:"timestamp"`
			Message   *string `json:"message"`
		} `json:"logEvents"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if len(in.LogEvents) == 0 || len(in.LogEvents) > maxBatchEvents {
		return nil, invalidParameter("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length between 1 and %d", maxBatchEvents)
	}
	now := h.now()
	oldest, newest := now.Add(-maxEventAge).UnixMilli(), now.Add(maxEventFuture).UnixMilli()
	var rejected struct {
		TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
		TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	}
	events := make([]logstore.Event, 0, len(in.LogEvents))
	var prev int64
	for i, e := range in.LogEvents {
		if e.Timestamp == nil || e.Message == nil {
			field := "message"
			if e.Timestamp == nil {
				field = "timestamp"
			}
			return nil, invalidParameter("1 validation error detected: Value null at 'logEvents.%d.member.%s' failed to satisfy constraint: Member must not be null", i+1, field)
		}
		ts := *e.Timestamp
		if i > 0 && ts < prev {
			return nil, invalidParameter("Log events in a single PutLogEvents request must be in chronological order.")
		}
		prev = ts
		switch {
		case ts < oldest:
			rejected.TooOldLogEventEndIndex = &i
		case ts > newest:
			if rejected.TooNewLogEventStartIndex == nil {
				idx := i
				rejected.TooNewLogEventStartIndex = &idx
			}
		default:
			events = append(events, logstore.Event{Time: ts, Message: logstore.CleanMessage(*e.Message)})
		}
	}
	if err := h.Store.Put(ctx, in.LogGroupName, in.LogStreamName, events); err != nil {
		return nil, err
	}
	out := map[string]any{"nextSequenceToken": strconv.FormatInt(now.UnixNano(), 10)}
	if rejected.TooNewLogEventStartIndex != nil || rejected.TooOldLogEventEndIndex != nil {
		out["rejectedLogEventsInfo"] = rejected
	}
	return out, nil
}

func (h *Handler) getLogEvents(ctx context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName       string `json:"logGroupName"`
		LogGroupIdentifier string `json:"logGroupIdentifier"`
		LogStreamName      string `json:"logStreamName"`
		StartTime          int64  `json:"startTime"`
		EndTime            int64  `json:"endTime"`
		StartFromHead      bool   `json:"startFromHead"`
		NextToken          string `json:"nextToken"`
		Limit              *int   `json:"limit"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	group, err := resolveGroup(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if in.LogStreamName == "" {
		return nil, invalidParameter("1 validation error detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null")
	}
	if err := checkLimit(in.Limit, 10000); err != nil {
		return nil, err
	}
	token, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	res, err := h.Store.Get(ctx, logstore.GetQuery{
		Group: group, Stream: in.LogStreamName, Start: in.StartTime, End: in.EndTime,
		StartFromHead: in.StartFromHead, Token: token, Limit: limitOr(in.Limit, 10000), MaxBytes: maxResponseBytes,
	})
	if err != nil {
		return nil, err
	}
	type eventOut struct {
		Timestamp     int64  `json:"timestamp"`
		Message       string `json:"message"`
		IngestionTime int64  `json:"ingestionTime"`
	}
	out := struct {
		Events            []eventOut `json:"events"`
		NextForwardToken  string     `json:"nextForwardToken"`
		NextBackwardToken string     `json:"nextBackwardToken"`
	}{Events: make([]eventOut, 0, len(res.Events)),
		NextForwardToken: encodeToken(res.ForwardToken), NextBackwardToken: encodeToken(res.BackToken)}
	for _, e := range res.Events {
		out.Events = append(out.Events, eventOut{e.Time, e.Message, e.Ingestion})
	}
	return out, nil
}

func (h *Handler) filterLogEvents(ctx context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName        string   `json:"logGroupName"`
		LogGroupIdentifier  string   `json:"logGroupIdentifier"`
		LogStreamNames      []string `json:"logStreamNames"`
		LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
		StartTime           int64    `json:"startTime"`
		EndTime             int64    `json:"endTime"`
		FilterPattern       string   `json:"filterPattern"`
		NextToken           string   `json:"nextToken"`
		Limit               *int     `json:"limit"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	group, err := resolveGroup(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return nil, invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	if err := checkLimit(in.Limit, 10000); err != nil {
		return nil, err
	}
	pattern, err := logstore.CompilePattern(in.FilterPattern)
	if err != nil {
		return nil, invalidParameter("Invalid filter pattern: %s", err.Error())
	}
	token, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	res, err := h.Store.Filter(ctx, logstore.FilterQuery{
		Group: group, Streams: in.LogStreamNames, StreamPrefix: in.LogStreamNamePrefix,
		Start: in.StartTime, End: in.EndTime, Pattern: pattern, Token: token,
		Limit: limitOr(in.Limit, 10000), MaxBytes: maxResponseBytes,
	})
	if err != nil {
		return nil, err
	}
	type eventOut struct {
		LogStreamName string `json:"logStreamName"`
		Timestamp     int64  `json:"timestamp"`
		Message       string `json:"message"`
		IngestionTime int64  `json:"ingestionTime"`
		EventID       string `json:"eventId"`
	}
	out := struct {
		Events             []eventOut `json:"events"`
		SearchedLogStreams []struct{} `json:"searchedLogStreams"`
		NextToken          string     `json:"nextToken,omitempty"`
	}{Events: make([]eventOut, 0, len(res.Events)), SearchedLogStreams: []struct{}{}, NextToken: encodeToken(res.Next)}
	for _, e := range res.Events {
		out.Events = append(out.Events, eventOut{e.Stream, e.Time, e.Message, e.Ingestion, logstore.EventID(e.ID, e.Line)})
	}
	return out, nil
}

func (h *Handler) putRetentionPolicy(ctx context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName    string `json:"logGroupName"`
		RetentionInDays *int   `json:"retentionInDays"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if in.RetentionInDays == nil || !slices.Contains(logstore.RetentionDays, *in.RetentionInDays) {
		v := "null"
		if in.RetentionInDays != nil {
			v = "'" + strconv.Itoa(*in.RetentionInDays) + "'"
		}
		days := make([]string, len(logstore.RetentionDays))
		for i, d := range logstore.RetentionDays {
			days[i] = strconv.Itoa(d)
		}
		return nil, invalidParameter("1 validation error detected: Value %s at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [%s]", v, strings.Join(days, ", "))
	}
	return struct{}{}, h.Store.PutRetention(ctx, in.LogGroupName, *in.RetentionInDays)
}

func (h *Handler) deleteRetentionPolicy(ctx context.Context, body []byte) (any, error) {
	group, err := decodeGroupName(body)
	if err != nil {
		return nil, err
	}
	return struct{}{}, h.Store.DeleteRetention(ctx, group)
}
