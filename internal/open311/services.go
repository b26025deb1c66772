package open311

import (
	"net/http"

	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/ticket"
)

// groups puts the categories in the kinds people look for them under.
var groups = map[string]string{
	"consult":             "open311.group.service",
	"help":                "open311.group.service",
	"suggestion":          "open311.group.suggestion",
	"complaint":           "open311.group.complaint",
	"rights_infringement": "open311.group.complaint",
}

// Attribute codes of every service definition.
const (
	AttrUSCC   = "uscc"
	AttrRegion = "region_code"
)

func isService(code string) bool {
	for _, c := range ticket.Categories {
		if c == code {
			return true
		}
	}
	return false
}

func serviceOf(p *locale.Printer, code string) Service {
	return Service{ServiceCode: code, ServiceName: p.T("category." + code),
		Description: opt(p.T("open311.service." + code + ".description")), Metadata: true, Type: "realtime",
		Keywords: opt(p.T("open311.service." + code + ".keywords")), Group: opt(p.T(groups[code]))}
}

// definitionOf declares the attributes a request needs: the enterprise's
// credit code, and the division code that routes the ticket.
func definitionOf(p *locale.Printer, code string) ServiceDefinition {
	return ServiceDefinition{ServiceCode: code, Attributes: []Attribute{
		{Variable: true, Code: AttrUSCC, Datatype: "string", Required: true, Order: 1,
			DatatypeDescription: opt(p.T("open311.attribute.uscc.datatype")),
			Description:         opt(p.T("open311.attribute.uscc.description"))},
		{Variable: true, Code: AttrRegion, Datatype: "string", Required: true, Order: 2,
			DatatypeDescription: opt(p.T("open311.attribute.region_code.datatype")),
			Description:         opt(p.T("open311.attribute.region_code.description"))},
	}}
}

func (h *Handler) services(r *http.Request, _ string, _ *caller) (answer, error) {
	p := printer(r)
	list := make([]Service, 0, len(ticket.Categories))
	for _, c := range ticket.Categories {
		list = append(list, serviceOf(p, c))
	}
	return answer{status: http.StatusOK, json: list, xml: servicesXML{Services: list}}, nil
}

func (h *Handler) serviceDefinition(r *http.Request, code string, _ *caller) (answer, error) {
	if !isService(code) {
		return answer{}, notFound(r, "open311.error.service_code", "code", code)
	}
	d := definitionOf(printer(r), code)
	return answer{status: http.StatusOK, json: d, xml: d}, nil
}

// discovery points clients at this endpoint; its URL is the one the
// client reached.
func (h *Handler) discovery(r *http.Request, _ string, _ *caller) (answer, error) {
	b, err := h.s.Org.Brand(r.Context())
	if err != nil {
		return answer{}, err
	}
	p := printer(r)
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	d := Discovery{Changeset: Changeset,
		Contact:    p.T("open311.discovery.contact", "name", b.Name, "hotline", b.Hotline),
		KeyService: p.T("open311.discovery.key_service"),
		Endpoints: []Endpoint{{Specification: Specification, URL: scheme + "://" + r.Host + "/open311/v2",
			Changeset: Changeset, Type: "production", Formats: []string{"text/xml", "application/json"}}}}
	return answer{status: http.StatusOK, json: d, xml: d}, nil
}

// token: services are realtime and POST answers the id at once, so no
// token is ever issued and none is found.
func (h *Handler) token(r *http.Request, token string, _ *caller) (answer, error) {
	return answer{}, notFound(r, "open311.error.token", "token", token)
}
