package api

import (
	_ "embed"
	"encoding/json"
	"net/http"

	"github.com/qifu/qifu/internal/access"
)

// openAPIDoc is the OpenAPI 3 description of /api/v1, kept true by
// TestOpenAPIDescribesEveryRoute.
//
//go:embed openapi.json
var openAPIDoc []byte

func (a *API) openAPI(r *http.Request, _ access.Actor) (int, any, error) {
	return http.StatusOK, json.RawMessage(openAPIDoc), nil
}
