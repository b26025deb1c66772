package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/apptest"
)

// A made-up 2027 schedule for the tests (the official one is not published
// in the shipped data): 元旦 on Friday 2027-01-01 and a 调休 Saturday.
const schedule2027 = `{"$schema":"https://raw.githubusercontent.com/NateScarlet/holiday-cn/master/schema.json","year":2027,
	"papers":[],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"春节","date":"2027-02-20","isOffDay":false}]}`

func wantEnglish(t *testing.T, r *apptest.Response) {
	t.Helper()
	if m := message(r); hasHan(m) || m == "" {
		t.Errorf("message %q is not in English", m)
	}
}

func TestCalendarDaysAndDeadlines(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		c.run(t, []scenario{
			{name: "春节 2026 as street staff", as: "street", method: "GET", path: "/api/v1/calendar?from=2026-02-13&to=2026-02-28", status: 200,
				want: []string{`"from":"2026-02-13"`, `"to":"2026-02-28"`,
					`{"date":"2026-02-13","weekday":5,"working":true,"known":true,"kind":"workday","name":"","override_reason":""}`,
					`{"date":"2026-02-14","weekday":6,"working":true,"known":true,"kind":"makeup_workday","name":"春节","override_reason":""}`,
					`{"date":"2026-02-17","weekday":2,"working":false,"known":true,"kind":"holiday","name":"春节","override_reason":""}`,
					`{"date":"2026-02-28","weekday":6,"working":true,"known":true,"kind":"makeup_workday","name":"春节","override_reason":""}`,
					`{"year":2026,"source":"embedded","days":39}`},
				check: func(t *testing.T, r *apptest.Response) {
					if days, _ := r.JSON["days"].([]any); len(days) != 16 {
						t.Errorf("%d days, want 16", len(days))
					}
				}},
			{name: "2027 is not published", as: "department", method: "GET", path: "/api/v1/calendar?from=2027-01-01&to=2027-01-01", status: 200,
				want:    []string{`{"date":"2027-01-01","weekday":5,"working":true,"known":false,"kind":"workday","name":"","override_reason":""}`},
				notWant: []string{`"year":2027`}},
			// The fake clock stands at 2026-11-26 17:00 in China.
			{name: "default range is a month from today", as: "hotline", method: "GET", path: "/api/v1/calendar", status: 200,
				want: []string{`"from":"2026-11-26"`, `"to":"2026-12-26"`}},
			{name: "a whole leap year", as: "auditor", method: "GET", path: "/api/v1/calendar?from=2028-01-01&to=2028-12-31", status: 200},
			{name: "367 days", as: "auditor", method: "GET", path: "/api/v1/calendar?from=2026-01-01&to=2027-01-02", status: 422,
				code: "range_too_long", field: "to"},
			{name: "to before from", as: "auditor", method: "GET", path: "/api/v1/calendar?from=2026-03-02&to=2026-03-01", status: 422,
				code: "before_from", field: "to"},
			{name: "malformed from", as: "auditor", method: "GET", path: "/api/v1/calendar?from=2026-3-1", status: 422,
				code: "invalid_date", field: "from", headers: []string{"Accept-Language", "en"}, check: wantEnglish},
			{name: "no such day", as: "auditor", method: "GET", path: "/api/v1/calendar?from=2026-02-01&to=2026-02-30", status: 422,
				code: "invalid_date", field: "to"},
			{name: "an enterprise may not read the calendar", as: "enterprise", method: "GET", path: "/api/v1/calendar", status: 403, code: "forbidden"},
			{name: "no token", method: "GET", path: "/api/v1/calendar", status: 401},

			{name: "deadline across New Year", as: "street", method: "GET",
				path: "/api/v1/calendar/deadline?from=2025-12-30T10:00:00%2B08:00&working_days=3", status: 200,
				want: []string{`"received_at":"2025-12-30T10:00:00+08:00"`, `"working_days":3`, `"due_at":"2026-01-06T00:00:00+08:00"`,
					`"last_day":"2026-01-05"`, `"provisional":false`}},
			{name: "an unencoded + in the offset", as: "street", method: "GET",
				path: "/api/v1/calendar/deadline?from=2025-12-30T10:00:00+08:00&working_days=3", status: 200,
				want: []string{`"due_at":"2026-01-06T00:00:00+08:00"`}},
			{name: "a UTC instant late on Thursday is Friday in China", as: "street", method: "GET",
				path: "/api/v1/calendar/deadline?from=2026-03-05T18:00:00Z&working_days=1", status: 200,
				want: []string{`"received_at":"2026-03-06T02:00:00+08:00"`, `"due_at":"2026-03-10T00:00:00+08:00"`, `"last_day":"2026-03-09"`}},
			{name: "zero working days", as: "street", method: "GET",
				path: "/api/v1/calendar/deadline?from=2026-10-03T11:00:00%2B08:00&working_days=0", status: 200,
				want: []string{`"due_at":"2026-10-04T00:00:00+08:00"`, `"last_day":"2026-10-03"`}},
			{name: "into 2027 is provisional", as: "street", method: "GET",
				path: "/api/v1/calendar/deadline?from=2026-12-28T09:00:00%2B08:00&working_days=5", status: 200,
				want: []string{`"due_at":"2027-01-05T00:00:00+08:00"`, `"provisional":true`}},
			{name: "no time zone", as: "street", method: "GET", path: "/api/v1/calendar/deadline?from=2026-03-05T18:00:00&working_days=1",
				status: 422, code: "invalid_time", field: "from"},
			{name: "no from", as: "street", method: "GET", path: "/api/v1/calendar/deadline?working_days=1", status: 422, code: "required", field: "from"},
			{name: "no working_days", as: "street", method: "GET", path: "/api/v1/calendar/deadline?from=2026-03-05T18:00:00Z",
				status: 422, code: "required", field: "working_days"},
			{name: "working_days not a number", as: "street", method: "GET", path: "/api/v1/calendar/deadline?from=2026-03-05T18:00:00Z&working_days=ten",
				status: 422, code: "invalid_number", field: "working_days"},
			{name: "negative working_days", as: "street", method: "GET", path: "/api/v1/calendar/deadline?from=2026-03-05T18:00:00Z&working_days=-1",
				status: 422, code: "out_of_range", field: "working_days"},
			{name: "enterprise may not count", as: "enterprise", method: "GET", path: "/api/v1/calendar/deadline?from=2026-03-05T18:00:00Z&working_days=1",
				status: 403},
		})
	})
}

func TestCalendarOverridesAndYears(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		c := newClient(env)
		typhoon := map[string]any{"date": "2026-09-15", "off": true, "reason": "台风“海葵”停工"}
		c.run(t, []scenario{
			{name: "street staff may not override", as: "street", method: "POST", path: "/api/v1/calendar/overrides", body: typhoon,
				status: 403, code: "forbidden"},
			{name: "auditor may not override", as: "auditor", method: "POST", path: "/api/v1/calendar/overrides", body: typhoon,
				status: 403, code: "forbidden"},
			{name: "off is required", as: "admin", method: "POST", path: "/api/v1/calendar/overrides",
				body: map[string]any{"date": "2026-09-15", "reason": "台风"}, status: 422, code: "required", field: "off"},
			{name: "bad date", as: "admin", method: "POST", path: "/api/v1/calendar/overrides",
				body: map[string]any{"date": "2026-09-31", "off": true, "reason": "台风"}, status: 422, code: "invalid_date", field: "date"},
			{name: "year out of range", as: "admin", method: "POST", path: "/api/v1/calendar/overrides",
				body: map[string]any{"date": "1999-09-15", "off": true, "reason": "台风"}, status: 422, code: "out_of_range", field: "date"},
			{name: "no reason", as: "admin", method: "POST", path: "/api/v1/calendar/overrides",
				body: map[string]any{"date": "2026-09-15", "off": true, "reason": " "}, status: 422, code: "required", field: "reason"},
			{name: "reason too long", as: "admin", method: "POST", path: "/api/v1/calendar/overrides",
				body: map[string]any{"date": "2026-09-15", "off": true, "reason": strings.Repeat("风", 101)}, status: 422, code: "too_long", field: "reason"},
			{name: "off as text", as: "admin", method: "POST", path: "/api/v1/calendar/overrides",
				body: map[string]any{"date": "2026-09-15", "off": "yes", "reason": "台风"}, status: 422, code: "invalid_type", field: "off"},
			{name: "typhoon closure", as: "admin", method: "POST", path: "/api/v1/calendar/overrides", body: typhoon,
				headers: []string{"Idempotency-Key", "typhoon-1"}, status: 201,
				want: []string{`"date":"2026-09-15"`, `"off":true`, `"reason":"台风“海葵”停工"`, `"created_by":"admin"`}},
			{name: "retried with the same key", as: "admin", method: "POST", path: "/api/v1/calendar/overrides", body: typhoon,
				headers: []string{"Idempotency-Key", "typhoon-1"}, status: 201,
				check: func(t *testing.T, r *apptest.Response) {
					if r.Header.Get("Idempotent-Replayed") != "true" {
						t.Errorf("not a replay")
					}
				}},
			{name: "the day has one already", as: "admin", method: "POST", path: "/api/v1/calendar/overrides", body: typhoon,
				status: 409, code: "duplicate_date", field: "date"},
			{name: "a Saturday made a working day", as: "admin", method: "POST", path: "/api/v1/calendar/overrides",
				body: map[string]any{"date": "2026-09-19", "off": false, "reason": "补班"}, status: 201, want: []string{`"off":false`}},
			{name: "the calendar shows both", as: "street", method: "GET", path: "/api/v1/calendar?from=2026-09-15&to=2026-09-19", status: 200,
				want: []string{`{"date":"2026-09-15","weekday":2,"working":false,"known":true,"kind":"closed","name":"","override_reason":"台风“海葵”停工"}`,
					`{"date":"2026-09-19","weekday":6,"working":true,"known":true,"kind":"extra_workday","name":"","override_reason":"补班"}`}},
			// Tuesday closed, Saturday worked: Wed, Thu, Fri, Sat.
			{name: "deadlines follow the overrides", as: "street", method: "GET",
				path: "/api/v1/calendar/deadline?from=2026-09-14T10:00:00%2B08:00&working_days=4", status: 200,
				want: []string{`"due_at":"2026-09-20T00:00:00+08:00"`}},
			{name: "auditor may not delete", as: "auditor", method: "DELETE", path: "/api/v1/calendar/overrides/2026-09-15", status: 403},
			{name: "delete", as: "admin", method: "DELETE", path: "/api/v1/calendar/overrides/2026-09-15", status: 200,
				want: []string{`"date":"2026-09-15"`, `"reason":"台风“海葵”停工"`}},
			{name: "delete again", as: "admin", method: "DELETE", path: "/api/v1/calendar/overrides/2026-09-15", status: 404, code: "not_found"},
			{name: "Tuesday works again", as: "street", method: "GET",
				path: "/api/v1/calendar/deadline?from=2026-09-14T10:00:00%2B08:00&working_days=4", status: 200,
				want: []string{`"due_at":"2026-09-19T00:00:00+08:00"`}},
			{name: "audited", as: "auditor", method: "GET", path: "/api/v1/audit?action=calendar_override.", status: 200,
				check: func(t *testing.T, r *apptest.Response) {
					var got []string
					for _, it := range r.Items() {
						got = append(got, it["action"].(string)+" "+it["object_id"].(string))
					}
					want := "calendar_override.delete 2026-09-15,calendar_override.create 2026-09-19,calendar_override.create 2026-09-15"
					if strings.Join(got, ",") != want {
						t.Errorf("audit %v, want %s", got, want)
					}
				}},

			{name: "district staff may not load a year", as: "district", method: "POST", path: "/api/v1/calendar/years", body: schedule2027,
				status: 403},
			{name: "not JSON", as: "admin", method: "POST", path: "/api/v1/calendar/years", body: `{"year":2027,`, status: 400, code: "malformed_json"},
			{name: "an array", as: "admin", method: "POST", path: "/api/v1/calendar/years", body: `[]`, status: 400, code: "malformed_json"},
			{name: "year out of range", as: "admin", method: "POST", path: "/api/v1/calendar/years",
				body: `{"year":1999,"days":[{"name":"元旦","date":"1999-01-01","isOffDay":true}]}`, status: 422, code: "out_of_range", field: "year"},
			{name: "no days", as: "admin", method: "POST", path: "/api/v1/calendar/years", body: `{"year":2027,"papers":[],"days":[]}`,
				status: 422, code: "no_days", field: "days"},
			{name: "a day of another year", as: "admin", method: "POST", path: "/api/v1/calendar/years",
				body:   `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"元旦","date":"2026-12-31","isOffDay":true}]}`,
				status: 422, code: "date_outside_year", field: "days[1].date", want: []string{"2026-12-31"}},
			{name: "a day twice", as: "admin", method: "POST", path: "/api/v1/calendar/years",
				body:    `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"元旦","date":"2027-01-01","isOffDay":true}]}`,
				headers: []string{"Accept-Language", "en"}, status: 422, code: "duplicate_date", field: "days[1].date", check: wantEnglish},
			{name: "load 2027", as: "admin", method: "POST", path: "/api/v1/calendar/years", body: schedule2027, status: 201,
				want: []string{`"year":2027`, `"source":"loaded"`, `"days":2`, `"loaded_by":"admin"`}},
			{name: "2027 is known now", as: "street", method: "GET", path: "/api/v1/calendar?from=2027-01-01&to=2027-01-01", status: 200,
				want: []string{`{"date":"2027-01-01","weekday":5,"working":false,"known":true,"kind":"holiday","name":"元旦","override_reason":""}`,
					`"year":2027,"source":"loaded","days":2,"loaded_by":"admin"`}},
			// 12-29, 30, 31; 01-01 元旦; 01-04 and 01-05.
			{name: "the deadline into 2027 is final", as: "street", method: "GET",
				path: "/api/v1/calendar/deadline?from=2026-12-28T09:00:00%2B08:00&working_days=5", status: 200,
				want: []string{`"due_at":"2027-01-06T00:00:00+08:00"`, `"provisional":false`}},
			{name: "the load is audited", as: "auditor", method: "GET", path: "/api/v1/audit?action=calendar_year.load", status: 200,
				want: []string{`"object_id":"2027"`, `"username":"admin"`}},
		})
		if r := c.do("admin", "GET", "/api/v1/calendar?from=2026-09-15&to=2026-09-15", nil); r.Status != http.StatusOK ||
			!strings.Contains(string(r.Body), `"kind":"workday"`) {
			t.Errorf("after the delete: %s", r.Body)
		}
	})
}
