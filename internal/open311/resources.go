package open311

import (
	"encoding/json"
	"encoding/xml"
)

// opt is an optional text field: JSON null and an empty XML element when
// empty, as the standard's examples show absent values.
type opt string

// MarshalJSON writes null for the empty string.
func (o opt) MarshalJSON() ([]byte, error) {
	if o == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(o))
}

// Discovery is the service discovery document.
type Discovery struct {
	XMLName    xml.Name   `json:"-" xml:"discovery"`
	Changeset  string     `json:"changeset" xml:"changeset"`
	Contact    string     `json:"contact" xml:"contact"`
	KeyService string     `json:"key_service" xml:"key_service"`
	Endpoints  []Endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

// Endpoint is one API endpoint in the discovery document.
type Endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

// Service is one service type: a ticket category.
type Service struct {
	ServiceCode string `json:"service_code" xml:"service_code"`
	ServiceName string `json:"service_name" xml:"service_name"`
	Description opt    `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	Type        string `json:"type" xml:"type"`
	Keywords    opt    `json:"keywords" xml:"keywords"`
	Group       opt    `json:"group" xml:"group"`
}

type servicesXML struct {
	XMLName  xml.Name  `xml:"services"`
	Services []Service `xml:"service"`
}

// ServiceDefinition lists the attributes a request of a service carries.
type ServiceDefinition struct {
	XMLName     xml.Name    `json:"-" xml:"service_definition"`
	ServiceCode string      `json:"service_code" xml:"service_code"`
	Attributes  []Attribute `json:"attributes" xml:"attributes>attribute"`
}

// Attribute is one field of a service definition.
type Attribute struct {
	Variable            bool      `json:"variable" xml:"variable"`
	Code                string    `json:"code" xml:"code"`
	Datatype            string    `json:"datatype" xml:"datatype"`
	Required            bool      `json:"required" xml:"required"`
	DatatypeDescription opt       `json:"datatype_description" xml:"datatype_description"`
	Order               int       `json:"order" xml:"order"`
	Description         opt       `json:"description" xml:"description"`
	Values              valueList `json:"values,omitempty" xml:"values,omitempty"`
}

// valueList is the choices of a list attribute, <values><value>… in XML.
type valueList []Value

// MarshalXML wraps the values in their container element.
func (v valueList) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(struct {
		V []Value `xml:"value"`
	}{v}, start)
}

// Value is one choice of a list attribute.
type Value struct {
	Key  string `json:"key" xml:"key"`
	Name string `json:"name" xml:"name"`
}

// Request is a service request: a ticket as the standard shows it.
type Request struct {
	ServiceRequestID  string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       opt      `json:"status_notes" xml:"status_notes"`
	ServiceName       opt      `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       opt      `json:"description" xml:"description"`
	AgencyResponsible opt      `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     opt      `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   opt      `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  opt      `json:"expected_datetime" xml:"expected_datetime"`
	Address           opt      `json:"address" xml:"address"`
	AddressID         opt      `json:"address_id" xml:"address_id"`
	Zipcode           opt      `json:"zipcode" xml:"zipcode"`
	Lat               *float64 `json:"lat" xml:"lat,omitempty"`
	Long              *float64 `json:"long" xml:"long,omitempty"`
	MediaURL          opt      `json:"media_url" xml:"media_url"`
}

type requestsXML struct {
	XMLName  xml.Name  `xml:"service_requests"`
	Requests []Request `xml:"request"`
}

// Created is the answer to a new service request. Services are realtime,
// so it carries the id and never a token; account_id is always empty
// (Qifu has no Open311 accounts).
type Created struct {
	ServiceRequestID string `json:"service_request_id" xml:"service_request_id"`
	ServiceNotice    string `json:"service_notice" xml:"service_notice"`
	AccountID        string `json:"account_id" xml:"account_id"`
}

type createdXML struct {
	XMLName  xml.Name  `xml:"service_requests"`
	Requests []Created `xml:"request"`
}

// Error is one entry of the standard's error list. Code is the HTTP
// status of the answer.
type Error struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

type errorsXML struct {
	XMLName xml.Name `xml:"errors"`
	Errors  []Error  `xml:"error"`
}
