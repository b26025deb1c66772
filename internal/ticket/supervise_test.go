package ticket_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/notify"
	"github.com/qifu/qifu/internal/ticket"
)

// sweep runs one supervision sweep and delivers its notices.
func (w *world) sweep(t *testing.T) ticket.SweepReport {
	t.Helper()
	rep, err := w.s.Supervise(context.Background())
	if err != nil {
		t.Fatalf("supervise: %v", err)
	}
	if _, err := w.env.App.Dispatcher.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	return rep
}

// inbox is the text of a login's inbox messages about a ticket, oldest first.
func (w *world) inbox(t *testing.T, who string, id int64) []string {
	t.Helper()
	items, _, err := w.env.App.Notify.Inbox(context.Background(), w.actors[who], notify.InboxFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	p := locale.NewPrinter(locale.ZH)
	var out []string
	for i := len(items) - 1; i >= 0; i-- {
		if n := items[i]; n.ObjectType == "ticket" && n.ObjectID == strconv.FormatInt(id, 10) {
			out = append(out, n.Text(p))
		}
	}
	return out
}

func (w *world) get(t *testing.T, id int64) ticket.Ticket {
	t.Helper()
	tk, err := w.s.Get(context.Background(), admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func eventsOf(tk ticket.Ticket, action string) int {
	n := 0
	for _, e := range tk.Events {
		if e.Action == action {
			n++
		}
	}
	return n
}

func hasText(msgs []string, part string) bool {
	for _, m := range msgs {
		if strings.Contains(m, part) {
			return true
		}
	}
	return false
}

// TestSupervisionSweep walks the clock past each limit: the assignee is
// warned, then told of the missed sign and handling limits, the district
// above the street is told, an overdue rights-infringement complaint goes
// to the city's attention, an unrated reply is closed as not rated — each
// exactly once, however often the sweep runs.
func TestSupervisionSweep(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(t, env)
		// Complaints from the street go to the market regulator (the
		// "department" login's).
		if _, err := w.s.AddRule(context.Background(), admin, ticket.Rule{Category: "rights_infringement", RegionCode: street,
			Target: ticket.Assignee{Type: ticket.ToDepartment, Code: "SCJGJ"}, Priority: 10}); err != nil {
			t.Fatal(err)
		}
		late := w.create(t, "hotline", intake(street, "help"))
		rights := w.create(t, "hotline", intake(street, "rights_infringement"))
		if rights.Assignee != (ticket.Assignee{Type: ticket.ToDepartment, Code: "SCJGJ"}) {
			t.Fatalf("rights complaint routed to %v", rights.Assignee)
		}
		answered := w.create(t, "hotline", ticket.Intake{Channel: "web", EnterpriseUSCC: intake(street, "consult").EnterpriseUSCC,
			Category: "consult", Title: "社保补贴申领条件", Content: "请问新招用高校毕业生的社保补贴如何申领？", RegionCode: street})
		w.act(t, "street", answered.ID, ticket.Action{Action: "sign"})
		w.act(t, "street", answered.ID, ticket.Action{Action: "reply", Note: "请登录人社局网站在线申领。"})

		if rep := w.sweep(t); rep != (ticket.SweepReport{}) {
			t.Errorf("a sweep on fresh tickets changed %+v", rep)
		}

		// Past the sign limit: both unsigned tickets are late to sign.
		env.Clock.Set(late.SignDueAt.Add(time.Minute))
		if rep := w.sweep(t); rep.SignOverdue != 2 || rep.Overdue != 0 {
			t.Errorf("after the sign limit: %+v, want 2 late to sign", rep)
		}
		if rep := w.sweep(t); rep != (ticket.SweepReport{}) {
			t.Errorf("the second sweep changed %+v again", rep)
		}
		if tk := w.get(t, late.ID); !tk.SignOverdue || tk.Overdue || eventsOf(tk, "sign_overdue") != 1 {
			t.Errorf("late: sign_overdue %v overdue %v events %d", tk.SignOverdue, tk.Overdue, eventsOf(tk, "sign_overdue"))
		}
		w.act(t, "street", late.ID, ticket.Action{Action: "sign"})

		// Two hours before the handling limit: a warning, once.
		env.Clock.Set(late.DueAt.Add(-2 * time.Hour))
		if rep := w.sweep(t); rep.Warned != 1 || rep.AutoClosed != 0 {
			t.Errorf("before the limit: %+v, want one warning and the reply still open", rep)
		}
		w.sweep(t)

		// Past it: overdue, the district told, the unrated reply closed.
		env.Clock.Set(late.DueAt.Add(time.Minute))
		rep := w.sweep(t)
		if rep.Overdue != 1 || rep.AutoClosed != 1 || rep.Escalated != 0 {
			t.Errorf("after the limit: %+v, want 1 overdue, 1 closed unrated", rep)
		}
		w.sweep(t)
		tk := w.get(t, late.ID)
		if !tk.Overdue || eventsOf(tk, "overdue") != 1 || eventsOf(tk, "warn") != 1 {
			t.Errorf("late: overdue %v, %d overdue events, %d warnings", tk.Overdue, eventsOf(tk, "overdue"), eventsOf(tk, "warn"))
		}
		street := w.inbox(t, "street", late.ID)
		for _, want := range []string{"超时未签收", "即将到期", "已超期，请尽快办理"} {
			if !hasText(street, want) {
				t.Errorf("street inbox %q lacks %q", street, want)
			}
		}
		if d := w.inbox(t, "district", late.ID); len(d) != 1 || !strings.Contains(d[0], "下级承办的工单 "+late.Number) {
			t.Errorf("district inbox = %q, want one note that the street's ticket is overdue", d)
		}
		closed := w.get(t, answered.ID)
		if closed.Status != ticket.Closed || closed.RatedBy != "not_rated" || closed.Satisfied != nil || eventsOf(closed, "auto_close") != 1 {
			t.Errorf("unrated reply: %s rated_by %q satisfied %v", closed.Status, closed.RatedBy, closed.Satisfied)
		}
		if !hasText(w.inbox(t, "enterprise", answered.ID), "逾期未评价") {
			t.Errorf("the enterprise was not told its ticket closed unrated: %q", w.inbox(t, "enterprise", answered.ID))
		}

		// The complaint's longer limit passes: it escalates to the city.
		env.Clock.Set(rights.DueAt.Add(time.Minute))
		if rep := w.sweep(t); rep.Overdue != 1 || rep.Escalated != 1 {
			t.Errorf("complaint after its limit: %+v", rep)
		}
		w.sweep(t)
		rt := w.get(t, rights.ID)
		if !rt.Overdue || !rt.Supervised || eventsOf(rt, "escalate") != 1 {
			t.Errorf("complaint: overdue %v supervised %v escalations %d", rt.Overdue, rt.Supervised, eventsOf(rt, "escalate"))
		}
		if got := w.inbox(t, "admin", rights.ID); !hasText(got, "已自动升级市级督办") {
			t.Errorf("city admin inbox %q lacks the escalation", got)
		}
		if got := w.inbox(t, "department", rights.ID); !hasText(got, "已超期") {
			t.Errorf("department inbox %q lacks the overdue notice", got)
		}
		// The overdue complaint's superior is the city as well.
		if got := w.inbox(t, "admin", rights.ID); !hasText(got, "下级承办的工单") {
			t.Errorf("city admin inbox %q lacks the overdue notice for the superior", got)
		}
		if got := w.inbox(t, "district", rights.ID); len(got) != 0 {
			t.Errorf("the district was told %q of a department's ticket", got)
		}
	})
}

// TestProvisionalDeadlinesRecomputed: a deadline counted into a year with
// no published schedule is provisional; once the year's schedule is loaded
// the sweep counts it again with the new holidays.
func TestProvisionalDeadlinesRecomputed(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(t, env)
		// 2027's schedule is not published in the shipped data.
		env.Clock.Set(time.Date(2026, 12, 28, 2, 0, 0, 0, time.UTC)) // Monday 10:00 in Qingdao
		tk := w.create(t, "hotline", intake(street, "help"))
		if !tk.DueProvisional {
			t.Fatalf("due %v counted into 2027 is not provisional", tk.DueAt)
		}
		if rep := w.sweep(t); rep.Recomputed != 0 {
			t.Errorf("recomputed %d with nothing new known", rep.Recomputed)
		}
		// 2027 is published: New Year's Day, a Friday, is off.
		year := `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}`
		if _, err := env.App.Calendar.LoadYear(context.Background(), access.SystemActor("t"), []byte(year)); err != nil {
			t.Fatal(err)
		}
		if rep := w.sweep(t); rep.Recomputed != 1 {
			t.Errorf("recomputed %d after the year was published, want 1", rep.Recomputed)
		}
		got := w.get(t, tk.ID)
		if got.DueProvisional || !got.DueAt.After(tk.DueAt) || eventsOf(got, "recompute") != 1 {
			t.Errorf("after recompute: due %v (was %v) provisional %v", got.DueAt, tk.DueAt, got.DueProvisional)
		}
		// Five working days from 28 Dec: 29, 30, 31 Dec, 4 and 5 Jan.
		if want := time.Date(2027, 1, 5, 16, 0, 0, 0, time.UTC); !got.DueAt.Equal(want) {
			t.Errorf("due %v, want %v", got.DueAt.UTC(), want)
		}
		if rep := w.sweep(t); rep.Recomputed != 0 {
			t.Errorf("a known deadline was recomputed again: %+v", rep)
		}
	})
}
