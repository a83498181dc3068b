package guard

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// crossSite refuses a mutating request a browser sent from another site:
// Sec-Fetch-Site cross-site or same-site (a sibling subdomain is another
// origin too), or an Origin that is neither the request's own
// (scheme://Host) nor an --allowed-hosts name. Clients that are not
// browsers send neither header and pass.
func (g *Guard) crossSite(r *http.Request) *refusal {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return errCrossSite("Sec-Fetch-Site: " + r.Header.Get("Sec-Fetch-Site"))
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return errCrossSite("Origin: " + origin) // "null" (sandboxed, file:) and garbage
	}
	if strings.EqualFold(u.Host, r.Host) || g.hosts.explicitlyAllowed(u.Host) {
		return nil
	}
	return errCrossSite("Origin: " + origin)
}

// refusedContentType refuses the bodies a web page can send to another
// origin without a CORS preflight: text/plain, form and multipart. No AWS
// SDK sends them (restJson uses application/json, awsJson
// application/x-amz-json-1.x, blobs application/octet-stream), so
// refusing them closes "simple request" CSRF even where Origin is absent.
func refusedContentType(r *http.Request) *refusal {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	switch mt {
	case "text/plain", "application/x-www-form-urlencoded", "multipart/form-data":
		return &refusal{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaTypeException",
			Message: "Unsupported Media Type: " + mt + " (send application/json)"}
	}
	return nil
}
