package backplane

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// ImportAPIKeysResult is ImportApiKeys' output.
type ImportAPIKeysResult struct {
	IDs      []string `json:"ids"`
	Warnings []string `json:"warnings,omitempty"`
}

// maxImportedNameLen is the API key file format's bound on Name.
const maxImportedNameLen = 1024

// ImportAPIKeys imports keys from AWS's API key file format (CSV): a
// header naming the columns in any order and case, Name and Key required,
// Description, Enabled (default true) and UsagePlanIds optional, other
// columns ignored. A key whose value already exists is overwritten by the
// row, as the format's documentation says. A bad row is a warning: it is
// skipped, or, with failOnWarnings, the whole import is refused. All of it
// is one transaction. Warning texts are ours (U).
func (s *Service) ImportAPIKeys(ctx context.Context, format string, body []byte, failOnWarnings bool) (*ImportAPIKeysResult, error) {
	if format != "csv" {
		return nil, apigw.BadRequest("Invalid format specified: '%s'. Must be one of: [csv]", format)
	}
	rows, err := parseKeyFile(string(body))
	if err != nil {
		return nil, err
	}
	header := map[string]int{}
	for i, h := range rows[0] {
		header[strings.ToLower(strings.TrimSpace(h))] = i
	}
	nameCol, okName := header["name"]
	keyCol, okKey := header["key"]
	if !okName || !okKey {
		return nil, apigw.BadRequest("Invalid API key file: the header must name the columns Name and Key")
	}
	col := func(row []string, name string) (string, bool) {
		i, ok := header[name]
		if !ok || i >= len(row) {
			return "", false
		}
		return row[i], true
	}
	out := &ImportAPIKeysResult{IDs: []string{}}
	err = s.update(ctx, func(tx store.Tx) error {
		for n, row := range rows[1:] {
			line := n + 2
			warn := func(format string, args ...any) error {
				w := fmt.Sprintf("Line %d: ", line) + fmt.Sprintf(format, args...)
				if failOnWarnings {
					return apigw.BadRequest("%s", w)
				}
				out.Warnings = append(out.Warnings, w)
				return nil
			}
			if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
				continue // blank line
			}
			name, value := cell(row, nameCol), cell(row, keyCol)
			if err := apigw.ValidateAPIKeyValue(value); err != nil {
				if err := warn("%s", err.(*apigw.Error).Message); err != nil {
					return err
				}
				continue
			}
			if utf8.RuneCountInString(name) > maxImportedNameLen {
				if err := warn("API Key name exceeds maximum size of 1024 characters"); err != nil {
					return err
				}
				continue
			}
			enabled := true
			if v, ok := col(row, "enabled"); ok && strings.TrimSpace(v) != "" {
				b, err := strconv.ParseBool(strings.TrimSpace(v))
				if err != nil {
					if err := warn("Invalid value for Enabled: %s", v); err != nil {
						return err
					}
					continue
				}
				enabled = b
			}
			desc, _ := col(row, "description")
			k, err := tx.APIKeyByValue(value)
			switch {
			case errors.Is(err, store.ErrNotFound):
				now := s.now()
				k = &apigw.APIKey{ID: apigw.NewID(), Value: value, CreatedDate: now, StageKeys: []string{}}
			case err != nil:
				return err
			}
			k.Name, k.Description, k.Enabled, k.LastUpdatedDate = name, desc, enabled, s.now()
			if err := tx.PutAPIKey(k); err != nil {
				return err
			}
			plans, _ := col(row, "usageplanids")
			for _, pid := range strings.Split(plans, ",") {
				if pid = strings.TrimSpace(pid); pid == "" {
					continue
				}
				if err := addKeyToPlan(tx, pid, k.ID); err != nil {
					var de *apigw.Error
					if !errors.As(err, &de) {
						return err
					}
					if err := warn("%s", de.Message); err != nil {
						return err
					}
				}
			}
			out.IDs = append(out.IDs, k.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func cell(row []string, i int) string {
	if i < len(row) {
		return strings.TrimSpace(row[i])
	}
	return ""
}

// parseKeyFile splits the file into rows of fields. It is CSV with one
// extension encoding/csv lacks: a field may be enclosed in single quotes
// as well as double quotes ("the UsagePlanIds value is a comma-separated
// string ... enclosed with a pair of double or single quotes"). A doubled
// quote inside a quoted field stands for one.
func parseKeyFile(text string) ([][]string, error) {
	text = strings.TrimPrefix(text, "\ufeff")
	var rows [][]string
	for n, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if n > 0 && strings.TrimSpace(line) == "" {
			continue
		}
		var row []string
		for i := 0; ; {
			var field strings.Builder
			if i < len(line) && (line[i] == '"' || line[i] == '\'') {
				q := line[i]
				i++
				for {
					if i >= len(line) {
						return nil, apigw.BadRequest("Invalid API key file: unterminated quote on line %d", n+1)
					}
					if line[i] == q {
						if i+1 < len(line) && line[i+1] == q {
							field.WriteByte(q)
							i += 2
							continue
						}
						i++
						break
					}
					field.WriteByte(line[i])
					i++
				}
				j := strings.IndexByte(line[i:], ',')
				if j < 0 {
					j = len(line) - i
				}
				field.WriteString(line[i : i+j]) // text after the closing quote
				i += j
			} else {
				j := strings.IndexByte(line[i:], ',')
				if j < 0 {
					j = len(line) - i
				}
				field.WriteString(line[i : i+j])
				i += j
			}
			row = append(row, field.String())
			if i >= len(line) {
				break
			}
			i++ // the comma
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 || (len(rows) == 1 && len(rows[0]) == 1 && strings.TrimSpace(rows[0][0]) == "") {
		return nil, apigw.BadRequest("Invalid API key file: it is empty")
	}
	return rows, nil
}
