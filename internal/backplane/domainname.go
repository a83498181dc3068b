package backplane

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
)

// CreateDomainNameInput is CreateDomainName's body.
type CreateDomainNameInput struct {
	DomainName              string                       `json:"domainName"`
	CertificateName         string                       `json:"certificateName,omitempty"`
	CertificateArn          string                       `json:"certificateArn,omitempty"`
	RegionalCertificateName string                       `json:"regionalCertificateName,omitempty"`
	RegionalCertificateArn  string                       `json:"regionalCertificateArn,omitempty"`
	EndpointConfiguration   *apigw.EndpointConfiguration `json:"endpointConfiguration,omitempty"`
	SecurityPolicy          string                       `json:"securityPolicy,omitempty"`
	Tags                    map[string]string            `json:"tags,omitempty"`
}

// CreateDomainName registers a custom domain name. Its endpoint is served
// by this gateway at once, so it is AVAILABLE from the start; the host
// names AWS would hand out for DNS aliases are generated the way AWS
// spells them.
func (s *Service) CreateDomainName(ctx context.Context, in CreateDomainNameInput) (*apigw.DomainName, error) {
	if !apigw.ValidDomainName(in.DomainName) {
		return nil, apigw.BadRequest("Invalid domain name identifier specified") // U: AWS's text for a malformed name
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	d := &apigw.DomainName{
		DomainName:              strings.ToLower(in.DomainName),
		CertificateName:         in.CertificateName,
		CertificateArn:          in.CertificateArn,
		RegionalCertificateName: in.RegionalCertificateName,
		RegionalCertificateArn:  in.RegionalCertificateArn,
		EndpointConfiguration:   in.EndpointConfiguration,
		SecurityPolicy:          in.SecurityPolicy,
		DomainNameStatus:        "AVAILABLE",
		Tags:                    nonEmpty(maps.Clone(in.Tags)),
	}
	if d.EndpointConfiguration == nil {
		d.EndpointConfiguration = &apigw.EndpointConfiguration{Types: []string{"EDGE"}}
	}
	if d.SecurityPolicy == "" {
		d.SecurityPolicy = apigw.SecurityPolicyTLS12
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	s.fillEndpoint(d)
	err := s.update(ctx, func(tx store.Tx) error {
		if _, err := store.Domain(tx, d.DomainName); err == nil {
			return apigw.Conflict(apigw.MsgDomainExists)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return store.PutDomain(tx, &store.DomainEntry{Domain: *d})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// fillEndpoint sets the host names and hosted zones AWS reports for the
// domain's endpoint type, keeping names already generated.
func (s *Service) fillEndpoint(d *apigw.DomainName) {
	if d.IsRegional() {
		if d.RegionalDomainName == "" {
			d.RegionalDomainName = "d-" + apigw.NewID() + ".execute-api." + s.Region + ".amazonaws.com"
		}
		d.RegionalHostedZoneID = apigw.RegionalHostedZoneID(s.Region)
		d.DistributionDomainName, d.DistributionHostedZoneID = "", ""
		d.CertificateUploadDate = nil
		return
	}
	if d.DistributionDomainName == "" {
		d.DistributionDomainName = "d" + apigw.NewID() + "xyz.cloudfront.net"
	}
	d.DistributionHostedZoneID = apigw.CloudFrontHostedZoneID
	d.RegionalDomainName, d.RegionalHostedZoneID = "", ""
	if d.CertificateUploadDate == nil {
		t := s.now()
		d.CertificateUploadDate = &t
	}
}

// loadDomain returns a domain's entry or AWS's NotFoundException.
func loadDomain(tx store.Tx, name string) (*store.DomainEntry, error) {
	e, err := store.Domain(tx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apigw.NotFound(apigw.MsgDomainNotFound)
	}
	return e, err
}

// GetDomainName returns one domain name.
func (s *Service) GetDomainName(ctx context.Context, name string) (*apigw.DomainName, error) {
	var out *apigw.DomainName
	err := s.view(ctx, func(tx store.Tx) error {
		e, err := loadDomain(tx, name)
		if err != nil {
			return err
		}
		out = &e.Domain
		return nil
	})
	return out, err
}

// GetDomainNames returns every domain name in creation order.
func (s *Service) GetDomainNames(ctx context.Context) ([]*apigw.DomainName, error) {
	var out []*apigw.DomainName
	err := s.view(ctx, func(tx store.Tx) error {
		es, err := store.Domains(tx)
		for _, e := range es {
			out = append(out, &e.Domain)
		}
		return err
	})
	return out, err
}

// domainPatchPaths are UpdateDomainName's replaceable paths.
var domainPatchPaths = []string{"/certificateArn", "/certificateName", "/regionalCertificateArn",
	"/regionalCertificateName", "/securityPolicy", "/endpointConfiguration/types/0"}

// UpdateDomainName applies patch operations to a domain name.
func (s *Service) UpdateDomainName(ctx context.Context, name string, ops []apigw.PatchOperation) (*apigw.DomainName, error) {
	var out *apigw.DomainName
	err := s.update(ctx, func(tx store.Tx) error {
		e, err := loadDomain(tx, name)
		if err != nil {
			return err
		}
		d := e.Domain
		ec := apigw.EndpointConfiguration{}
		if d.EndpointConfiguration != nil {
			ec = *d.EndpointConfiguration
			ec.Types = slices.Clone(ec.Types)
		}
		d.EndpointConfiguration = &ec
		for _, op := range ops {
			if op.Op != apigw.OpReplace || !slices.Contains(domainPatchPaths, op.Path) {
				return apigw.BadRequest("Invalid patch path  '%s' specified for op '%s'. Must be one of: [%s]",
					op.Path, op.Op, strings.Join(domainPatchPaths, ", "))
			}
			switch op.Path {
			case "/certificateArn":
				d.CertificateArn = op.Value
			case "/certificateName":
				d.CertificateName = op.Value
			case "/regionalCertificateArn":
				d.RegionalCertificateArn = op.Value
			case "/regionalCertificateName":
				d.RegionalCertificateName = op.Value
			case "/securityPolicy":
				d.SecurityPolicy = op.Value
			case "/endpointConfiguration/types/0":
				ec.Types = []string{op.Value}
			}
		}
		if err := d.Validate(); err != nil {
			return err
		}
		s.fillEndpoint(&d)
		e.Domain = d
		if err := store.PutDomain(tx, e); err != nil {
			return err
		}
		out = &d
		return nil
	})
	return out, err
}

// DeleteDomainName removes a domain name together with its base path
// mappings, as AWS does.
func (s *Service) DeleteDomainName(ctx context.Context, name string) error {
	return s.update(ctx, func(tx store.Tx) error {
		if _, err := loadDomain(tx, name); err != nil {
			return err
		}
		return store.DeleteDomain(tx, name)
	})
}

// BasePathMappingInput is CreateBasePathMapping's body.
type BasePathMappingInput struct {
	BasePath  string `json:"basePath,omitempty"`
	RestAPIID string `json:"restApiId"`
	Stage     string `json:"stage,omitempty"`
}

// checkMappingTarget refuses a mapping to an API or stage that does not
// exist, with AWS's BadRequestException texts.
func checkMappingTarget(tx store.Tx, apiID, stage string) error {
	if _, err := tx.RestAPI(apiID); errors.Is(err, store.ErrNotFound) || apiID == "" {
		return apigw.BadRequest(apigw.MsgMappingAPINotFound)
	} else if err != nil {
		return err
	}
	if stage == "" {
		return nil
	}
	if _, err := tx.Stage(apiID, stage); errors.Is(err, store.ErrNotFound) {
		return apigw.BadRequest(apigw.MsgMappingStageNotFound)
	} else if err != nil {
		return err
	}
	return nil
}

// checkBasePathFree refuses a base path another mapping of the domain
// holds, and any mapping beside an empty base path (which takes the whole
// domain). skip is the index of the mapping being changed, or -1.
func checkBasePathFree(ms []apigw.BasePathMapping, basePath string, skip int) error {
	for i, m := range ms {
		if i == skip {
			continue
		}
		if m.BasePath == basePath {
			return apigw.Conflict(apigw.MsgBasePathExists)
		}
		if m.BasePath == "" || basePath == "" {
			return apigw.Conflict(apigw.MsgEmptyBasePathExclusive)
		}
	}
	return nil
}

func wireMapping(m apigw.BasePathMapping) *apigw.BasePathMapping {
	m.BasePath = apigw.WireBasePath(m.BasePath)
	return &m
}

// CreateBasePathMapping maps a base path of a domain name to an API stage.
func (s *Service) CreateBasePathMapping(ctx context.Context, domain string, in BasePathMappingInput) (*apigw.BasePathMapping, error) {
	bp, ok := apigw.NormalizeBasePath(in.BasePath)
	if !ok {
		return nil, apigw.BadRequest(apigw.MsgInvalidBasePath)
	}
	m := apigw.BasePathMapping{BasePath: bp, RestAPIID: in.RestAPIID, Stage: in.Stage}
	err := s.update(ctx, func(tx store.Tx) error {
		e, err := loadDomain(tx, domain)
		if err != nil {
			return err
		}
		if err := checkMappingTarget(tx, m.RestAPIID, m.Stage); err != nil {
			return err
		}
		if err := checkBasePathFree(e.Mappings, bp, -1); err != nil {
			return err
		}
		e.Mappings = append(e.Mappings, m)
		return store.PutDomain(tx, e)
	})
	if err != nil {
		return nil, err
	}
	return wireMapping(m), nil
}

// mappingIndex finds the mapping for a base path label ("(none)" for the
// empty one).
func mappingIndex(e *store.DomainEntry, label string) (int, error) {
	bp, ok := apigw.NormalizeBasePath(label)
	if ok {
		for i, m := range e.Mappings {
			if m.BasePath == bp {
				return i, nil
			}
		}
	}
	return -1, apigw.NotFound(apigw.MsgBasePathNotFound)
}

// GetBasePathMapping returns one mapping of a domain name.
func (s *Service) GetBasePathMapping(ctx context.Context, domain, basePath string) (*apigw.BasePathMapping, error) {
	var out *apigw.BasePathMapping
	err := s.view(ctx, func(tx store.Tx) error {
		e, err := loadDomain(tx, domain)
		if err != nil {
			return err
		}
		i, err := mappingIndex(e, basePath)
		if err != nil {
			return err
		}
		out = wireMapping(e.Mappings[i])
		return nil
	})
	return out, err
}

// GetBasePathMappings returns a domain name's mappings in creation order.
func (s *Service) GetBasePathMappings(ctx context.Context, domain string) ([]*apigw.BasePathMapping, error) {
	var out []*apigw.BasePathMapping
	err := s.view(ctx, func(tx store.Tx) error {
		e, err := loadDomain(tx, domain)
		if err != nil {
			return err
		}
		for _, m := range e.Mappings {
			out = append(out, wireMapping(m))
		}
		return nil
	})
	return out, err
}

// mappingPatchPaths are UpdateBasePathMapping's replaceable paths.
var mappingPatchPaths = []string{"/basePath", "/restapiId", "/stage"}

// UpdateBasePathMapping applies patch operations to a mapping: a new
// stage (the usual way to swap what a stable URL serves), API or base
// path. The result is checked as a new mapping would be.
func (s *Service) UpdateBasePathMapping(ctx context.Context, domain, basePath string, ops []apigw.PatchOperation) (*apigw.BasePathMapping, error) {
	var out *apigw.BasePathMapping
	err := s.update(ctx, func(tx store.Tx) error {
		e, err := loadDomain(tx, domain)
		if err != nil {
			return err
		}
		i, err := mappingIndex(e, basePath)
		if err != nil {
			return err
		}
		m := e.Mappings[i]
		for _, op := range ops {
			if op.Op != apigw.OpReplace || !slices.Contains(mappingPatchPaths, op.Path) {
				return apigw.BadRequest("Invalid patch path  '%s' specified for op '%s'. Must be one of: [%s]",
					op.Path, op.Op, strings.Join(mappingPatchPaths, ", "))
			}
			switch op.Path {
			case "/basePath":
				bp, ok := apigw.NormalizeBasePath(op.Value)
				if !ok {
					return apigw.BadRequest(apigw.MsgInvalidBasePath)
				}
				m.BasePath = bp
			case "/restapiId":
				m.RestAPIID = op.Value
			case "/stage":
				m.Stage = op.Value
			}
		}
		if err := checkMappingTarget(tx, m.RestAPIID, m.Stage); err != nil {
			return err
		}
		if err := checkBasePathFree(e.Mappings, m.BasePath, i); err != nil {
			return err
		}
		e.Mappings[i] = m
		if err := store.PutDomain(tx, e); err != nil {
			return err
		}
		out = wireMapping(m)
		return nil
	})
	return out, err
}

// DeleteBasePathMapping removes one mapping.
func (s *Service) DeleteBasePathMapping(ctx context.Context, domain, basePath string) error {
	return s.update(ctx, func(tx store.Tx) error {
		e, err := loadDomain(tx, domain)
		if err != nil {
			return err
		}
		i, err := mappingIndex(e, basePath)
		if err != nil {
			return err
		}
		e.Mappings = slices.Delete(e.Mappings, i, i+1)
		return store.PutDomain(tx, e)
	})
}

// domainsMapping lists the domains with a mapping to the API (and, when
// stage is set, to that stage), for the refusals of DeleteStage and
// DeleteRestApi.
func domainsMapping(tx store.Tx, apiID, stage string) ([]string, error) {
	es, err := store.Domains(tx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range es {
		for _, m := range e.Mappings {
			if m.RestAPIID == apiID && (stage == "" || m.Stage == stage) {
				out = append(out, e.Domain.DomainName)
				break
			}
		}
	}
	return out, nil
}

// checkStageUnmapped refuses to delete a stage a base path mapping uses,
// with AWS's message (the domains' list format is U).
func checkStageUnmapped(tx store.Tx, apiID, stage string) error {
	ds, err := domainsMapping(tx, apiID, stage)
	if err != nil || len(ds) == 0 {
		return err
	}
	return apigw.BadRequest("Deleting stage %s failed. Please remove all base path mappings related to the stage in your domains: %s",
		stage, strings.Join(ds, ", "))
}

// checkAPIUnmapped refuses to delete an API a base path mapping uses.
func checkAPIUnmapped(tx store.Tx, apiID string) error {
	ds, err := domainsMapping(tx, apiID, "")
	if err != nil || len(ds) == 0 {
		return err
	}
	return apigw.BadRequest("Deleting RestApi %s failed. Please remove all base path mappings related to the RestApi in your domains: %s",
		apiID, strings.Join(ds, ", "))
}
