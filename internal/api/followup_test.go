package api_test

import (
	"testing"

	"github.com/qifu/qifu/internal/apptest"
)

// Follow-ups of the first review: search ignores case on both engines,
// roles without an org kind may belong to a region, a replayed token
// creation never carries the secret, and a body that is JSON but not an
// object is named as such.
func TestReviewFollowUps(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		c.run(t, []scenario{
			{name: "search ignores case", as: "admin", method: "GET", path: "/api/v1/platforms?q=s-fin", status: 200,
				check: wantCodes("S-FIN")},
			{name: "city admin bound to the city region", as: "admin", method: "POST", path: "/api/v1/users",
				body:   map[string]any{"username": "mayor.office", "password": "Mayor-Office-2026!", "role": "city_admin", "org_code": "370200"},
				status: 201, want: []string{`"org_code":"370200"`}},
			{name: "auditor bound to an unknown org", as: "admin", method: "POST", path: "/api/v1/users",
				body:   map[string]any{"username": "lost.auditor", "password": "Lost-Auditor-2026!", "role": "auditor", "org_code": "999999"},
				status: 422, code: "unknown_org", field: "org_code"},
			{name: "key street flag on a district", as: "admin", method: "POST", path: "/api/v1/regions",
				body:   map[string]any{"code": "370299", "name": "新区", "level": "district", "parent_code": "370200", "key_street": true},
				status: 422, field: "key_street"},
			{name: "an array body", as: "admin", method: "POST", path: "/api/v1/regions", body: "[]", status: 400,
				code: "malformed_json", want: []string{"JSON 对象"}},
		})
		first := c.do("admin", "POST", "/api/v1/users/hotline/tokens", map[string]any{"name": "switchboard"}, "Idempotency-Key", "tok-1")
		again := c.do("admin", "POST", "/api/v1/users/hotline/tokens", map[string]any{"name": "switchboard"}, "Idempotency-Key", "tok-1")
		tok, _ := first.JSON["token"].(string)
		if first.Status != 201 || tok == "" {
			t.Fatalf("first token creation: %d %s", first.Status, first.Body)
		}
		// The replay is the stored answer: it has no token, so none is stored.
		if again.Status != 201 || again.JSON["token"] != nil || again.JSON["replayed"] != true || again.JSON["id"] != first.JSON["id"] {
			t.Errorf("replay %s, want the same id with no token", again.Body)
		}
	})
}
