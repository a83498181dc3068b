package store

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// KindDomainName is the Record kind custom domain names are kept under,
// one document per domain with its base path mappings (DomainEntry). A
// write of this kind is announced as Change.Domains: the data plane routes
// by these documents.
const KindDomainName = "apigateway.domainname"

// DomainEntry is a custom domain name with its base path mappings, stored
// together so a mapping change is one document write.
type DomainEntry struct {
	Domain   apigw.DomainName        `json:"domain"`
	Mappings []apigw.BasePathMapping `json:"mappings,omitempty"`
}

// domainKey is the record key: host names are case-insensitive.
func domainKey(name string) string { return strings.ToLower(name) }

// Domain returns a domain name's entry, or ErrNotFound.
func Domain(tx Tx, name string) (*DomainEntry, error) {
	b, err := tx.Record(KindDomainName, domainKey(name))
	if err != nil {
		return nil, err
	}
	var e DomainEntry
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("store: decode domain name %q: %w", name, err)
	}
	return &e, nil
}

// Domains returns every domain name's entry in creation order.
func Domains(tx Tx) ([]*DomainEntry, error) {
	docs, err := tx.Records(KindDomainName)
	if err != nil {
		return nil, err
	}
	out := make([]*DomainEntry, 0, len(docs))
	for _, b := range docs {
		var e DomainEntry
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("store: decode domain name: %w", err)
		}
		out = append(out, &e)
	}
	return out, nil
}

// PutDomain creates or replaces a domain name's entry.
func PutDomain(tx Tx, e *DomainEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return tx.PutRecord(KindDomainName, domainKey(e.Domain.DomainName), b)
}

// DeleteDomain removes a domain name with its mappings.
func DeleteDomain(tx Tx, name string) error {
	return tx.DeleteRecord(KindDomainName, domainKey(name))
}
