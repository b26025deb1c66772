package open311_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaBase is the URL the shared GeoReport v2 schemas are registered
// under, so their relative references ("request.json") resolve.
const schemaBase = "https://open311.schemas.test/"

// Schemas the standard does not publish as files: the answer to a POST (an
// array of swagger.json's RequestResponse), the error list and the
// discovery document (both as the specification text describes them).
var ownSchemas = map[string]string{
	"created.json": `{"type": "array", "minItems": 1,
		"items": {"allOf": [{"$ref": "swagger.json#/definitions/RequestResponse"},
			{"type": "object", "required": ["service_request_id", "service_notice", "account_id"],
			 "not": {"required": ["token"]}}]}}`,
	"errors.json": `{"type": "array", "minItems": 1, "items": {"type": "object", "required": ["code", "description"],
		"properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}}}}`,
	"discovery.json": `{"type": "object", "required": ["changeset", "contact", "key_service", "endpoints"],
		"properties": {"changeset": {"type": "string"}, "contact": {"type": "string"}, "key_service": {"type": "string"},
		"endpoints": {"type": "array", "minItems": 1, "items": {"type": "object",
			"required": ["specification", "url", "changeset", "type", "formats"],
			"properties": {"specification": {"type": "string"}, "url": {"type": "string", "format": "uri"},
				"changeset": {"type": "string"}, "type": {"enum": ["production", "test"]},
				"formats": {"type": "array", "items": {"type": "string"}}}}}}}`,
}

// schemas are the compiled validators, by file name.
type schemas map[string]*jsonschema.Schema

// schemaDir is where the shared GeoReport v2 schemas are: the copy in
// testdata (QIFU_OPEN311_SCHEMAS overrides it).
func schemaDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("QIFU_OPEN311_SCHEMAS"); d != "" {
		return d
	}
	dir := filepath.Join("testdata", "schemas")
	if _, err := os.Stat(filepath.Join(dir, "request.json")); err != nil {
		t.Fatalf("the GeoReport v2 schemas are missing from %s: %v", dir, err)
	}
	return dir
}

func loadSchemas(t *testing.T) schemas {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	dir := schemaDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) < 6 {
		t.Fatalf("schemas in %s: %v (%d files)", dir, err, len(files))
	}
	add := func(name string, data []byte) {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("schema %s: %v", name, err)
		}
		if err := c.AddResource(schemaBase+name, doc); err != nil {
			t.Fatalf("schema %s: %v", name, err)
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		add(filepath.Base(f), data)
	}
	for name, s := range ownSchemas {
		add(name, []byte(s))
	}
	out := schemas{}
	for _, name := range []string{"request.json", "requests.json", "service.json", "services.json", "service-definition.json",
		"created.json", "errors.json", "discovery.json"} {
		sch, err := c.Compile(schemaBase + name)
		if err != nil {
			t.Fatalf("compile %s: %v", name, err)
		}
		out[name] = sch
	}
	return out
}

// check fails the test unless body validates against the named schema.
func (s schemas) check(t *testing.T, name string, body []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: not JSON: %v\n%s", name, err, body)
		return
	}
	if err := s[name].Validate(inst); err != nil {
		t.Errorf("invalid against %s: %v\n%s", name, err, body)
	}
}

// TestSchemasRejectWhatTheyShould guards the validators themselves: a
// request with a numeric id or an unknown status must fail.
func TestSchemasRejectWhatTheyShould(t *testing.T) {
	s := loadSchemas(t)
	for name, body := range map[string]string{
		"requests.json":           `[{"service_request_id": 1, "status": "open", "service_code": "a", "requested_datetime": "2026-11-26T09:00:00+08:00"}]`,
		"request.json":            `{"service_request_id": "1", "status": "pending", "service_code": "a", "requested_datetime": "2026-11-26T09:00:00+08:00"}`,
		"service.json":            `{"service_code": "a", "service_name": "A", "metadata": true, "type": "sometimes"}`,
		"service-definition.json": `{"service_code": "a", "attributes": [{"code": "x", "datatype": "string", "required": true}]}`,
		"created.json":            `[{"service_request_id": "1", "token": "t", "service_notice": "", "account_id": ""}]`,
		"errors.json":             `[{"code": "400", "description": "x"}]`,
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := s[name].Validate(inst); err == nil {
			t.Errorf("%s accepted %s", name, body)
		}
	}
}
