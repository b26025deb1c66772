package ticket_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/notify"
	"github.com/qifu/qifu/internal/ticket"
)

// world is a demo application with its logins as actors.
type world struct {
	env    *apptest.Env
	s      *ticket.Service
	actors map[string]access.Actor
}

func newWorld(t *testing.T, env *apptest.Env) *world {
	t.Helper()
	env.LoadDemo()
	w := &world{env: env, s: env.App.Ticket, actors: map[string]access.Actor{}}
	for _, l := range demo.Logins {
		u, err := env.App.Auth.User(context.Background(), access.SystemActor("t"), l.Username)
		if err != nil {
			t.Fatal(err)
		}
		a := u.Actor()
		// The region of a platform user's platform, as a login resolves it.
		if a.Role.OrgKind() == access.OrgPlatform {
			p, err := env.App.Org.Platform(context.Background(), access.SystemActor("t"), a.OrgCode)
			if err != nil {
				t.Fatal(err)
			}
			a.RegionCode = p.RegionCode
		}
		w.actors[l.Username] = a
	}
	return w
}

var admin = access.SystemActor("test-admin")

func (w *world) create(t *testing.T, who string, in ticket.Intake) ticket.Ticket {
	t.Helper()
	tk, err := w.s.Create(context.Background(), w.actors[who], in)
	if err != nil {
		t.Fatalf("create as %s: %v", who, err)
	}
	return tk
}

func (w *world) act(t *testing.T, who string, id int64, a ticket.Action) ticket.Ticket {
	t.Helper()
	tk, err := w.s.Act(context.Background(), w.actors[who], id, a)
	if err != nil {
		t.Fatalf("%s as %s: %v", a.Action, who, err)
	}
	return tk
}

func intake(region, category string) ticket.Intake {
	return ticket.Intake{Channel: "hotline", EnterpriseUSCC: demo.DemoEnterprise, Category: category, Title: "发票开具问题",
		Content: "企业反映电子发票无法开具，影响正常经营。", RegionCode: region, ContactName: "周明", ContactPhone: "13806390000"}
}

var street = demo.StreetCode("370202", 0) // has a street platform (the "street" login's)

func TestRoutingAndIntake(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(t, env)
		ctx := context.Background()
		cases := []struct {
			region, category string
			want             ticket.Assignee
		}{
			{street, "consult", ticket.Assignee{Type: "platform", Code: "P" + street}},
			{demo.StreetCode("370202", 4), "help", ticket.Assignee{Type: "platform", Code: "P370202"}}, // no street platform
			{"370203", "complaint", ticket.Assignee{Type: "platform", Code: "P370203"}},
			{"370200", "suggestion", ticket.Assignee{Type: "platform", Code: "P370200"}},
			{street, "rights_infringement", ticket.Assignee{Type: "department", Code: "CZJ"}}, // the first department owning it
		}
		for _, c := range cases {
			tk := w.create(t, "hotline", intake(c.region, c.category))
			if tk.Assignee != c.want || tk.Status != ticket.Dispatched || !strings.HasPrefix(tk.Number, "QF2026") {
				t.Errorf("%s %s → %+v %s %s, want %v", c.region, c.category, tk.Assignee, tk.Status, tk.Number, c.want)
			}
			if tk.EnterpriseName != demo.DemoEnterpriseName {
				t.Errorf("enterprise name %q not taken from the registry", tk.EnterpriseName)
			}
		}
		// A rule the city adds wins over the default: infringements in 市南区
		// go to market supervision.
		if _, err := w.s.AddRule(ctx, admin, ticket.Rule{Category: "rights_infringement", RegionCode: "370202",
			Target: ticket.Assignee{Type: "department", Code: "SCJGJ"}, Priority: 10}); err != nil {
			t.Fatal(err)
		}
		if tk := w.create(t, "hotline", intake(street, "rights_infringement")); tk.Assignee.Code != "SCJGJ" {
			t.Errorf("rule ignored: %v", tk.Assignee)
		}
		if tk := w.create(t, "hotline", intake("370203", "rights_infringement")); tk.Assignee.Code != "CZJ" {
			t.Errorf("rule applied outside its region: %v", tk.Assignee)
		}
		if _, err := w.s.AddRule(ctx, admin, ticket.Rule{Target: ticket.Assignee{Type: "platform", Code: "NOPE"}}); apperr.As(err).Field != "target" {
			t.Errorf("rule to an unknown platform: %v", err)
		}
		bad := []struct {
			edit  func(*ticket.Intake)
			field string
		}{
			{func(in *ticket.Intake) { in.RegionCode = "370299001" }, "region_code"},
			{func(in *ticket.Intake) { in.Category = "praise" }, "category"},
			{func(in *ticket.Intake) { in.EnterpriseUSCC = "91370202MA3C8Q1D0Z" }, "enterprise_uscc"},
			{func(in *ticket.Intake) { in.Title = "" }, "title"},
			{func(in *ticket.Intake) { in.Channel = "fax" }, "channel"},
		}
		for _, b := range bad {
			in := intake(street, "consult")
			b.edit(&in)
			if _, err := w.s.Create(ctx, w.actors["hotline"], in); apperr.As(err).Field != b.field || !apperr.Is(err, apperr.Invalid) {
				t.Errorf("want 422 on %s, got %v", b.field, err)
			}
		}
		// A well-formed code not yet registered is accepted.
		in := intake(street, "consult")
		in.EnterpriseUSCC, in.EnterpriseName = "914403001922038216", "来电企业（未登记）"
		if tk := w.create(t, "hotline", in); tk.EnterpriseName != "来电企业（未登记）" {
			t.Errorf("unregistered caller: %+v", tk)
		}
		// Who may create: the enterprise for itself only; the auditor never.
		own := intake(street, "consult")
		own.EnterpriseUSCC = "91350100M000100Y43"
		if _, err := w.s.Create(ctx, w.actors["enterprise"], own); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise filed for another: %v", err)
		}
		if _, err := w.s.Create(ctx, w.actors["auditor"], intake(street, "consult")); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("auditor filed a ticket: %v", err)
		}
	})
}

func TestFullLifecycleWithReopen(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(t, env)
		tk := w.create(t, "hotline", intake(street, "help"))
		firstDue := tk.DueAt
		tk = w.act(t, "street", tk.ID, ticket.Action{Action: "sign"})
		tk = w.act(t, "street", tk.ID, ticket.Action{Action: "extend", Days: 3, Note: "需协调税务部门"})
		if !tk.DueAt.After(firstDue) || tk.ExtendedDays != 3 {
			t.Errorf("extend: due %v (was %v), %d days", tk.DueAt, firstDue, tk.ExtendedDays)
		}
		tk = w.act(t, "street", tk.ID, ticket.Action{Action: "reply", Note: "已协调税务部门开通发票权限。"})
		no := false
		tk = w.act(t, "enterprise", tk.ID, ticket.Action{Action: "rate", Satisfied: &no, Note: "仍无法开具"})
		if tk.Status != ticket.Reopened || tk.ReopenCount != 1 || tk.Assignee.Code != "P"+street {
			t.Fatalf("after an unsatisfied rating: %s reopen %d assignee %v", tk.Status, tk.ReopenCount, tk.Assignee)
		}
		tk = w.act(t, "street", tk.ID, ticket.Action{Action: "sign"})
		tk = w.act(t, "street", tk.ID, ticket.Action{Action: "reply", Note: "已上门指导，发票可正常开具。"})
		yes, five := true, 5
		tk = w.act(t, "hotline", tk.ID, ticket.Action{Action: "visit", Satisfied: &yes, Score: &five, Note: "回访满意"})
		if tk.Status != ticket.Closed || tk.RatedBy != "visit" || !*tk.Satisfied {
			t.Fatalf("after the visit: %+v", tk)
		}
		var actions []string
		for _, e := range tk.Events {
			actions = append(actions, e.Action+":"+string(e.ToStatus))
		}
		want := "create:dispatched sign:signed extend:signed reply:replied rate:reopened sign:signed reply:replied visit:closed"
		if strings.Join(actions, " ") != want {
			t.Errorf("events %v\nwant %s", actions, want)
		}
	})
}

// expectedFrom restates API.md's transition table (and Qifu's additions)
// independently of the code: the statuses each action may start from.
var expectedFrom = map[string][]ticket.Status{
	"sign":       {"dispatched", "reopened"},
	"return":     {"dispatched"},
	"transfer":   {"returned", "dispatched", "signed"},
	"extend":     {"signed"},
	"reply":      {"signed"},
	"rate":       {"replied"},
	"visit":      {"replied"},
	"close":      {"replied"},
	"supervise":  {"dispatched", "signed", "returned", "replied", "reopened"},
	"urge":       {"dispatched", "signed", "returned", "reopened"},
	"note":       {"dispatched", "signed", "returned", "replied", "reopened", "closed", "merged"},
	"co_handler": {"dispatched", "signed", "reopened"},
	"merge":      {"dispatched", "returned"},
}

// an actor the role rules allow for each action on a street ticket.
var actorFor = map[string]string{"sign": "street", "return": "street", "transfer": "district", "extend": "street",
	"reply": "street", "rate": "enterprise", "visit": "hotline", "close": "admin", "supervise": "admin", "urge": "admin",
	"note": "street", "co_handler": "street", "merge": "hotline"}

// toStatus brings a fresh ticket to a status.
func (w *world) toStatus(t *testing.T, s ticket.Status) ticket.Ticket {
	t.Helper()
	tk := w.create(t, "hotline", intake(street, "help"))
	no, yes := false, true
	switch s {
	case ticket.Dispatched:
	case ticket.Returned:
		tk = w.act(t, "street", tk.ID, ticket.Action{Action: "return", Note: "不属于本街道"})
	case ticket.Signed, ticket.Replied, ticket.Reopened, ticket.Closed:
		tk = w.act(t, "street", tk.ID, ticket.Action{Action: "sign"})
		if s == ticket.Signed {
			break
		}
		tk = w.act(t, "street", tk.ID, ticket.Action{Action: "reply", Note: "已办理"})
		if s == ticket.Reopened {
			tk = w.act(t, "enterprise", tk.ID, ticket.Action{Action: "rate", Satisfied: &no})
		} else if s == ticket.Closed {
			tk = w.act(t, "enterprise", tk.ID, ticket.Action{Action: "rate", Satisfied: &yes})
		}
	case ticket.Merged:
		first := w.create(t, "hotline", intake(street, "help"))
		tk = w.act(t, "hotline", tk.ID, ticket.Action{Action: "merge", Into: &first.ID})
	}
	if tk.Status != s {
		t.Fatalf("could not reach %s: %s", s, tk.Status)
	}
	return tk
}

func validAction(name string, first int64) ticket.Action {
	yes := true
	a := ticket.Action{Action: name, Note: "说明"}
	switch name {
	case "transfer":
		a.To = &ticket.Assignee{Type: "platform", Code: "P" + demo.StreetCode("370202", 1)}
	case "co_handler":
		a.To = &ticket.Assignee{Type: "department", Code: "SCJGJ"}
	case "extend":
		a.Days = 2
	case "rate", "visit":
		a.Satisfied = &yes
	case "merge":
		a.Into = &first
	}
	return a
}

// TestEveryTransitionAndRefusal tries every action from every status with
// an actor allowed to act: it succeeds exactly where the table says, and
// is refused with 409 invalid_transition everywhere else.
func TestEveryTransitionAndRefusal(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(t, env)
		w.actors["admin"] = admin
		for _, s := range ticket.Statuses {
			for action, from := range expectedFrom {
				tk := w.toStatus(t, s)
				first := w.create(t, "hotline", intake(street, "help"))
				_, err := w.s.Act(context.Background(), w.actors[actorFor[action]], tk.ID, validAction(action, first.ID))
				allowed := false
				for _, f := range from {
					allowed = allowed || f == s
				}
				switch {
				case allowed && err != nil:
					t.Errorf("%s from %s by %s: %v, want success", action, s, actorFor[action], err)
				case !allowed && !apperr.HasCode(err, "invalid_transition"):
					t.Errorf("%s from %s: %v, want 409 invalid_transition", action, s, err)
				}
			}
		}
	})
}

func TestRoleAndScopeRefusals(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(t, env)
		ctx := context.Background()
		tk := w.create(t, "hotline", intake(street, "help"))
		other := w.create(t, "hotline", intake("370203", "help")) // 市北区: outside the street's and district's scope
		refused := []struct {
			who    string
			id     int64
			action ticket.Action
			kind   apperr.Kind
		}{
			{"hotline", tk.ID, ticket.Action{Action: "sign"}, apperr.Forbidden},                                                                        // never signs
			{"enterprise", tk.ID, ticket.Action{Action: "reply", Note: "x"}, apperr.Forbidden},                                                         // not its job
			{"auditor", tk.ID, ticket.Action{Action: "note", Note: "x"}, apperr.Forbidden},                                                             // read-only
			{"district", tk.ID, ticket.Action{Action: "sign"}, apperr.Forbidden},                                                                       // the superior does not sign
			{"street", other.ID, ticket.Action{Action: "sign"}, apperr.Forbidden},                                                                      // outside its scope
			{"department", tk.ID, ticket.Action{Action: "note", Note: "x"}, apperr.Forbidden},                                                          // cannot even read it
			{"street", tk.ID, ticket.Action{Action: "close"}, apperr.Forbidden},                                                                        // the city closes unrated
			{"street", tk.ID, ticket.Action{Action: "supervise", Note: "x"}, apperr.Forbidden},                                                         // the city supervises
			{"street", tk.ID, ticket.Action{Action: "transfer", Note: "x", To: &ticket.Assignee{Type: "platform", Code: "P370202"}}, apperr.Forbidden}, // only below
			{"street", tk.ID, ticket.Action{Action: "extend", Days: 2, Note: "x"}, apperr.Conflict},                                                    // not signed yet
			{"street", tk.ID, ticket.Action{Action: "return"}, apperr.Invalid},                                                                         // a reason is required
			{"street", tk.ID, ticket.Action{Action: "dance"}, apperr.Invalid},                                                                          // no such action
		}
		for _, r := range refused {
			_, err := w.s.Act(ctx, w.actors[r.who], r.id, r.action)
			if !apperr.Is(err, r.kind) {
				t.Errorf("%s by %s: %v, want %s", r.action.Action, r.who, err, r.kind)
			}
		}
		// Extension is bounded.
		w.act(t, "street", tk.ID, ticket.Action{Action: "sign"})
		if _, err := w.s.Act(ctx, w.actors["street"], tk.ID, ticket.Action{Action: "extend", Days: 11, Note: "x"}); apperr.As(err).Field != "days" {
			t.Errorf("extend by 11: %v", err)
		}
		// The district transfers a street's ticket to another street below it.
		moved := w.act(t, "district", tk.ID, ticket.Action{Action: "transfer", Note: "属地调整",
			To: &ticket.Assignee{Type: "platform", Code: "P" + demo.StreetCode("370202", 1)}})
		if moved.Status != ticket.Dispatched || moved.Assignee.Code != "P"+demo.StreetCode("370202", 1) {
			t.Fatalf("transfer: %+v", moved)
		}
		// The first street handled it before: it may still read it, not act.
		if _, err := w.s.Get(ctx, w.actors["street"], tk.ID); err != nil {
			t.Errorf("former handler cannot read: %v", err)
		}
		if _, err := w.s.Act(ctx, w.actors["street"], tk.ID, ticket.Action{Action: "sign"}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("former handler signed: %v", err)
		}
	})
}

func TestReturnWindow(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(t, env)
		tk := w.create(t, "hotline", intake(street, "help")) // Thursday 2026-11-26
		env.Clock.Advance(6 * 24 * time.Hour)                // Wednesday: 3 working days later
		_, err := w.s.Act(context.Background(), w.actors["street"], tk.ID, ticket.Action{Action: "return", Note: "不属于本街道"})
		if !apperr.HasCode(err, "return_window_passed") {
			t.Errorf("return after the window: %v", err)
		}
	})
}

func TestConcurrentActionsOneWins(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(t, env)
		for round := 0; round < 5; round++ {
			tk := w.create(t, "hotline", intake(street, "help"))
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, errs[i] = w.s.Act(context.Background(), w.actors["street"], tk.ID, ticket.Action{Action: "sign"})
				}(i)
			}
			wg.Wait()
			ok, conflict := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case apperr.Is(err, apperr.Conflict):
					conflict++
				default:
					t.Errorf("unexpected: %v", err)
				}
			}
			if ok != 1 || conflict != 3 {
				t.Errorf("round %d: %d succeeded, %d conflicts; want exactly one winner", round, ok, conflict)
			}
			got, _ := w.s.Get(context.Background(), admin, tk.ID)
			signs := 0
			for _, e := range got.Events {
				if e.Action == "sign" {
					signs++
				}
			}
			if signs != 1 {
				t.Errorf("round %d: %d sign events", round, signs)
			}
		}
	})
}

func TestDuplicatesFlaggedAndMerged(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(t, env)
		first := w.create(t, "hotline", intake(street, "help"))
		env.Clock.Advance(48 * time.Hour)
		in := intake(street, "help")
		in.Content = "企业再次反映：电子发票一直无法开具，影响经营。"
		second := w.create(t, "hotline", in)
		if second.DuplicateOf == nil || *second.DuplicateOf != first.ID {
			t.Fatalf("similar request not flagged: %v", second.DuplicateOf)
		}
		unrelated := intake(street, "help")
		unrelated.Title, unrelated.Content = "招聘补贴申请", "咨询高校毕业生招聘补贴的申请条件和材料。"
		if third := w.create(t, "hotline", unrelated); third.DuplicateOf != nil {
			t.Errorf("unrelated request flagged as a duplicate of %d", *third.DuplicateOf)
		}
		merged := w.act(t, "hotline", second.ID, ticket.Action{Action: "merge", Into: &first.ID, Note: "重复来电"})
		if merged.Status != ticket.Merged || *merged.MergedInto != first.ID {
			t.Fatalf("merge: %+v", merged)
		}
		f, _ := w.s.Get(context.Background(), admin, first.ID)
		if last := f.Events[len(f.Events)-1]; last.Action != "merged_in" {
			t.Errorf("first ticket's history lacks the merge: %+v", last)
		}
	})
}

func TestListScopes(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(t, env)
		ctx := context.Background()
		a := w.create(t, "hotline", intake(street, "help"))                       // the street's
		b := w.create(t, "hotline", intake(demo.StreetCode("370202", 4), "help")) // the district's (no street platform)
		c := w.create(t, "hotline", intake("370203", "help"))                     // another district
		d := w.create(t, "hotline", intake(street, "rights_infringement"))        // a department's
		ids := func(who string) string {
			items, _, err := w.s.List(ctx, w.actors[who], ticket.Filter{})
			if err != nil {
				return err.Error()
			}
			var out []string
			for _, tk := range items {
				out = append(out, tk.Number)
			}
			return strings.Join(out, ",")
		}
		n := func(tks ...ticket.Ticket) string {
			var out []string
			for i := len(tks) - 1; i >= 0; i-- {
				out = append(out, tks[i].Number)
			}
			return strings.Join(out, ",")
		}
		for who, want := range map[string]string{
			"admin": n(a, b, c, d), "hotline": n(a, b, c, d), "auditor": n(a, b, c, d),
			"street": n(a), "district": n(a, b), "enterprise": n(a, b, c, d),
		} {
			w.actors["admin"] = admin
			if got := ids(who); got != want {
				t.Errorf("%s lists %s, want %s", who, got, want)
			}
		}
		// The department (SCJGJ) is not CZJ: it sees none.
		if got := ids("department"); got != "" {
			t.Errorf("department lists %s", got)
		}
	})
}

// TestLifecycleNotifies: the street office learns of a new ticket in its
// inbox, the enterprise of every step in its own (with the handler's note),
// and the caller by SMS; nothing reaches anyone else.
func TestLifecycleNotifies(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(t, env)
		ctx := context.Background()
		tk := w.create(t, "hotline", intake(street, "help"))
		w.act(t, "street", tk.ID, ticket.Action{Action: "sign"})
		w.act(t, "street", tk.ID, ticket.Action{Action: "extend", Days: 2, Note: "需协调税务部门"})
		if _, err := env.App.Dispatcher.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		p := locale.NewPrinter(locale.ZH)
		inbox := func(who string) []string {
			items, _, err := env.App.Notify.Inbox(ctx, w.actors[who], notify.InboxFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, n := range items {
				if n.ObjectType == "ticket" && n.ObjectID == strconv.FormatInt(tk.ID, 10) {
					out = append(out, n.Text(p))
				}
			}
			return out
		}
		if got := inbox("street"); len(got) != 1 || !strings.Contains(got[0], "新工单 "+tk.Number) {
			t.Errorf("street inbox = %q, want the new ticket", got)
		}
		got := strings.Join(inbox("enterprise"), " | ")
		for _, want := range []string{"已受理，工单号 " + tk.Number, tk.Number + " 已签收", "已延期办理：需协调税务部门"} {
			if !strings.Contains(got, want) {
				t.Errorf("enterprise inbox %q lacks %q", got, want)
			}
		}
		if got := inbox("district"); len(got) != 0 {
			t.Errorf("the district office was told %q", got)
		}
		sent, _, err := env.App.Notify.List(ctx, admin, notify.Filter{Status: notify.Sent})
		if err != nil {
			t.Fatal(err)
		}
		sms := 0
		for _, n := range sent {
			if n.Channel == notify.SMS && n.ObjectID == strconv.FormatInt(tk.ID, 10) {
				sms++
				if n.Recipient != notify.Phone("13806390000") {
					t.Errorf("SMS to %v, want the caller's number", n.Recipient)
				}
			}
		}
		if sms != 3 {
			t.Errorf("%d SMS to the caller, want 3 (accepted, signed, extended)", sms)
		}
	})
}
