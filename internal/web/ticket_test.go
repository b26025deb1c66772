package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/ticket"
)

// street0 is 八大关街道, where the demo enterprise is registered and whose
// platform the "street" login belongs to.
var street0 = demo.StreetCode("370202", 0)

// newTicket records a ticket directly, as the hotline would.
func newTicket(t *testing.T, env *apptest.Env, in ticket.Intake) ticket.Ticket {
	t.Helper()
	if in.Channel == "" {
		in.Channel = "hotline"
	}
	if in.Category == "" {
		in.Category = "consult"
	}
	if in.Title == "" {
		in.Title = "咨询创业补贴申请条件"
	}
	if in.Content == "" {
		in.Content = "企业想了解今年创业补贴的申请条件和材料。"
	}
	if in.RegionCode == "" {
		in.RegionCode = street0
	}
	if in.EnterpriseUSCC == "" && in.EnterpriseName == "" {
		in.EnterpriseUSCC = demo.DemoEnterprise
	}
	tk, err := env.App.Ticket.Create(context.Background(), apptest.System, in)
	if err != nil {
		t.Fatalf("create ticket: %v", err)
	}
	return tk
}

func ticketPath(tk ticket.Ticket) string { return "/tickets/" + strconv.FormatInt(tk.ID, 10) }

// act posts one action form of the ticket page.
func act(b *apptest.Browser, tk ticket.Ticket, action string, kv ...string) *apptest.Page {
	b.Get(ticketPath(tk))
	v := url.Values{"action": {action}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return b.Post(ticketPath(tk)+"/actions", v)
}

func login(env *apptest.Env, user string) *apptest.Browser {
	b := env.Browser()
	b.Login(user, demo.Password)
	return b
}

func TestConsoleRecordsTicket(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		b := login(env, "hotline")

		page := b.Get("/console")
		if page.Status != http.StatusOK {
			t.Fatalf("GET /console = %d", page.Status)
		}
		if _, ok := page.Doc.Find("#console-q").Attr("autofocus"); !ok {
			t.Errorf("the search field does not take the focus")
		}
		if page.Count(`#f-region_code optgroup[label="市南区"] option[value="`+street0+`"]`) != 1 {
			t.Errorf("八大关街道 is not offered as the region")
		}

		// The search as the operator types: JSON for the page's script.
		r := b.Get("/console/enterprises?q=" + url.QueryEscape("企服演示"))
		var found struct {
			Items []map[string]string `json:"items"`
		}
		if err := json.Unmarshal([]byte(r.Body), &found); err != nil || r.Status != http.StatusOK {
			t.Fatalf("suggestions: status %d body %.200s", r.Status, r.Body)
		}
		if len(found.Items) == 0 || found.Items[0]["uscc"] != demo.DemoEnterprise || found.Items[0]["region_code"] != street0 ||
			!strings.Contains(found.Items[0]["region_name"], "八大关街道") || found.Items[0]["contact_phone"] != "138****0000" {
			t.Fatalf("suggestions = %v, want the demo enterprise first, its street and its masked number", found.Items)
		}
		if short := b.Get("/console/enterprises?q=x"); short.Status != http.StatusOK || !strings.Contains(short.Body, `"items":[]`) {
			t.Errorf("a one-letter search: status %d body %s", short.Status, short.Body)
		}

		// Without JavaScript: the search as a form, and the pick as a link.
		hits := b.Get("/console?q=" + url.QueryEscape("企服演示"))
		if hits.Count(`#hits a[href="/console?uscc=`+demo.DemoEnterprise+`"]`) != 1 {
			t.Fatalf("no-script search does not offer the demo enterprise")
		}
		old := newTicket(t, env, ticket.Intake{Title: "上次来电：社保补贴"})
		picked := b.Get("/console?uscc=" + demo.DemoEnterprise)
		for sel, want := range map[string]string{"#f-enterprise_uscc": demo.DemoEnterprise, "#f-enterprise_name": demo.DemoEnterpriseName,
			"#f-contact_name": "周明"} {
			if got, _ := picked.Doc.Find(sel).Attr("value"); got != want {
				t.Errorf("picked: %s = %q, want %q", sel, got, want)
			}
		}
		if got, _ := picked.Doc.Find("#f-region_code option[selected]").Attr("value"); got != street0 {
			t.Errorf("picked: region %q, want the enterprise's street %s", got, street0)
		}
		if picked.Count(`#recent-list a[href="`+ticketPath(old)+`"]`) != 1 {
			t.Errorf("the caller's recent ticket is not beside the form")
		}

		// Recording: a refused form keeps what was typed and names the field.
		form := url.Values{"enterprise_uscc": {demo.DemoEnterprise}, "category": {"help"}, "urgency": {"urgent"},
			"title": {""}, "content": {"厂房租赁合同纠纷，请求街道协调。"}, "region_code": {street0},
			"contact_name": {"周明"}, "contact_phone": {"13806390000"}}
		bad := b.Post("/console", form)
		if bad.Status != http.StatusUnprocessableEntity || bad.Text("#err-title") == "" {
			t.Fatalf("missing title: status %d, title error %q", bad.Status, bad.Text("#err-title"))
		}
		if got := bad.Text("#f-content"); got != "厂房租赁合同纠纷，请求街道协调。" {
			t.Errorf("refused form lost the content: %q", got)
		}
		form.Set("title", "厂房租赁纠纷求助")
		saved := b.Post("/console", form)
		if saved.Status != http.StatusSeeOther || !strings.HasPrefix(saved.Location, "/console?saved=") {
			t.Fatalf("save: status %d location %q alert %q", saved.Status, saved.Location, saved.Text(".alert"))
		}
		done := b.Get(saved.Location)
		number := done.Text("#saved-number")
		if !strings.HasPrefix(number, "QF20261126-") {
			t.Errorf("confirmation shows number %q", number)
		}
		if got := done.Text("#saved-assignee"); got != "八大关街道中小企业服务站" {
			t.Errorf("confirmation shows assignee %q, want the street platform", got)
		}
		// Urgent help: three working days from the day after Thursday.
		if got := done.Text("#saved-due"); got != "2026-12-01 24:00" {
			t.Errorf("confirmation shows the deadline %q, want the end of Tuesday", got)
		}
		// Ready for the next call: the form is empty, the search focused.
		if v, _ := done.Doc.Find("#f-enterprise_uscc").Attr("value"); v != "" || done.Text("#f-content") != "" {
			t.Errorf("the form is not cleared after saving")
		}
		id, _ := ticket.ParseNumber(number)
		tk, err := env.App.Ticket.Get(context.Background(), apptest.System, id)
		if err != nil || tk.Channel != "hotline" || tk.Urgency != "urgent" || tk.CreatedBy != "hotline" {
			t.Errorf("stored ticket %+v, %v", tk, err)
		}
		recent := b.Get("/console/tickets?uscc=" + demo.DemoEnterprise)
		if !strings.Contains(recent.Body, number) || !strings.Contains(recent.Body, "待签收") {
			t.Errorf("recent tickets JSON lacks the new ticket: %s", recent.Body)
		}

		for _, user := range []string{"street", "enterprise", "auditor"} {
			o := login(env, user)
			for _, path := range []string{"/console", "/console/enterprises?q=" + url.QueryEscape("企服"), "/console/tickets?uscc=" + demo.DemoEnterprise} {
				if p := o.Get(path); p.Status != http.StatusForbidden {
					t.Errorf("%s GET %s = %d, want 403", user, path, p.Status)
				}
			}
		}
	})
}

func TestQueueSortedByDeadlineAndColoured(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		// Thursday 17:00 CST: very urgent is due in 24 hours; urgent in 3
		// working days (Tuesday), normal in 5 (next Thursday).
		normal := newTicket(t, env, ticket.Intake{Title: "一般咨询", Urgency: "normal"})
		urgent := newTicket(t, env, ticket.Intake{Title: "紧急求助", Urgency: "urgent", Category: "help"})
		vurgent := newTicket(t, env, ticket.Intake{Title: "特急求助", Urgency: "very_urgent", Category: "help"})
		// A complaint has 15 working days, but it must be accepted by Friday.
		unsigned := newTicket(t, env, ticket.Intake{Title: "投诉未签收", Category: "complaint"})
		other := newTicket(t, env, ticket.Intake{Title: "市北区的诉求", RegionCode: demo.StreetCode("370203", 0),
			EnterpriseUSCC: demo.MakeUSCC("91", "370203", "QUEUE001")})
		b := login(env, "street")
		for _, tk := range []ticket.Ticket{normal, urgent} {
			if p := act(b, tk, "sign"); p.Status != http.StatusSeeOther {
				t.Fatalf("sign: %d %s", p.Status, p.Text(".alert"))
			}
		}
		// Monday 10:00 CST: the very urgent one is late, the urgent one
		// falls due tomorrow (within a working day).
		env.Clock.Set(time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC))

		b = login(env, "street") // the weekend ended the session
		q := b.Get("/queue")
		if q.Status != http.StatusOK {
			t.Fatalf("GET /queue = %d", q.Status)
		}
		var ids, classes []string
		q.Doc.Find("#queue tbody tr").Each(func(_ int, s *goquerySelection) {
			id, _ := s.Attr("data-id")
			class, _ := s.Attr("class")
			ids, classes = append(ids, id), append(classes, class)
		})
		want := []string{strconv.FormatInt(vurgent.ID, 10), strconv.FormatInt(urgent.ID, 10), strconv.FormatInt(normal.ID, 10),
			strconv.FormatInt(unsigned.ID, 10)}
		if strings.Join(ids, ",") != strings.Join(want, ",") {
			t.Fatalf("queue order %v, want nearest deadline first %v (and not the other district's %d)", ids, want, other.ID)
		}
		if strings.Join(classes, ",") != "late,near,,late" {
			t.Errorf("row classes %q, want late, near, none, late", classes)
		}
		if got := q.Text(".count-dispatched dd") + "/" + q.Text(".count-signed dd"); got != "2/2" {
			t.Errorf("counts dispatched/signed = %s, want 2/2", got)
		}
		if got := q.Text(`#queue tr[data-id="` + want[0] + `"] .badge.bad`); got != "已超期" {
			t.Errorf("late row says %q", got)
		}
		if got := q.Text(`#queue tr[data-id="` + want[3] + `"] .badge.bad`); got != "签收超期" {
			t.Errorf("the row late to be accepted says %q", got)
		}

		// The overdue filter counts deadlines passed even before the
		// supervision job flags them.
		late := b.Get("/queue?overdue=true")
		if n := late.Count("#queue tbody tr"); n != 2 || late.Count(`#queue a[href="`+ticketPath(vurgent)+`"]`) != 1 {
			t.Errorf("overdue filter lists %d rows, want the very urgent and the unaccepted one", n)
		}
		signed := b.Get("/queue?status=signed")
		if n := signed.Count("#queue tbody tr"); n != 2 {
			t.Errorf("status filter lists %d rows, want 2", n)
		}
		if bad := b.Get("/queue?status=nonsense"); bad.Status != http.StatusUnprocessableEntity || bad.Text("#err-status") == "" {
			t.Errorf("bad status filter: %d, error %q", bad.Status, bad.Text("#err-status"))
		}

		// The district sees its streets' queue and may filter by assignee;
		// the admin sees every district's.
		d := login(env, "district").Get("/queue?assignee=platform:" + demo.PlatformCode(street0))
		if n := d.Count("#queue tbody tr"); n != 4 {
			t.Errorf("district filtered by street: %d rows, want 4", n)
		}
		if login(env, "admin").Get("/queue").Count(`#queue a[href="`+ticketPath(other)+`"]`) != 1 {
			t.Errorf("admin queue lacks the other district's ticket")
		}
		if p := login(env, "department").Get("/queue"); p.Status != http.StatusOK || p.Count("#queue tbody tr") != 0 {
			t.Errorf("department queue: %d with %d rows, want its own (none)", p.Status, p.Count("#queue tbody tr"))
		}
		if p := login(env, "enterprise").Get("/queue"); p.Status != http.StatusSeeOther || p.Location != "/portal" {
			t.Errorf("enterprise at /queue: %d → %q, want the portal", p.Status, p.Location)
		}
	})
}

// actions lists the ids of the action forms on a ticket page.
func actions(p *apptest.Page) []string {
	var out []string
	p.Doc.Find("#actions form.action-form").Each(func(_ int, s *goquerySelection) {
		id, _ := s.Attr("id")
		out = append(out, strings.TrimPrefix(id, "act-"))
	})
	return out
}

func TestTicketPageOffersOnlyAllowedActions(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		tk := newTicket(t, env, ticket.Intake{})
		street, hotline, ent, district := login(env, "street"), login(env, "hotline"), login(env, "enterprise"), login(env, "district")

		page := street.Get(ticketPath(tk))
		if page.Status != http.StatusOK {
			t.Fatalf("street GET ticket = %d", page.Status)
		}
		if got := strings.Join(actions(page), ","); got != "sign,return,note,co_handler,merge" {
			t.Errorf("street on a dispatched ticket may %s", got)
		}
		if got := page.Text("#ticket-assignee"); got != "八大关街道中小企业服务站" {
			t.Errorf("assignee shown %q", got)
		}
		if page.Count(`#ticket-enterprise a[href="/enterprises/`+demo.DemoEnterprise+`"]`) != 1 {
			t.Errorf("no link to the registered enterprise")
		}
		if got := strings.Join(actions(hotline.Get(ticketPath(tk))), ","); strings.Contains(got, "sign") || strings.Contains(got, "reply") {
			t.Errorf("hotline may %s, must not sign or reply", got)
		}
		ep := ent.Get(ticketPath(tk))
		if len(actions(ep)) != 0 || ep.Text("#no-actions") == "" {
			t.Errorf("enterprise may %v on a dispatched ticket", actions(ep))
		}
		if got := ep.Text("#ticket-assignee"); got != "八大关街道中小企业服务站" {
			t.Errorf("the enterprise sees the assignee as %q, want its name", got)
		}
		if ep.Count(`#ticket-enterprise a[href="/enterprises/`+demo.DemoEnterprise+`"]`) != 1 {
			t.Errorf("the enterprise does not see the link to its own profile")
		}
		dp := district.Get(ticketPath(tk))
		if got := strings.Join(actions(dp), ","); got != "transfer,urge,note" {
			t.Errorf("district (superior) may %s", got)
		}
		if dp.Count(`#a-transfer-to option[value="platform:`+demo.PlatformCode(demo.StreetCode("370202", 1))+`"]`) != 1 ||
			dp.Count(`#a-transfer-to option[value="platform:`+demo.PlatformCode(street0)+`"]`) != 0 ||
			dp.Count(`#a-transfer-to option[value="platform:P370202"]`) != 0 {
			t.Errorf("district transfer targets are not the other streets below it")
		}

		// A refused action shows the page again, the message next to the
		// field.
		p := act(street, tk, "return", "note", "")
		if p.Status != http.StatusUnprocessableEntity || p.Text("#act-return #err-return-note") == "" {
			t.Fatalf("return without reason: %d, error %q", p.Status, p.Text("#err-return-note"))
		}
		if p.Count("#act-return textarea[aria-invalid=true]") != 1 || p.Text("#err-reply-note") != "" {
			t.Errorf("the error is not on the return form's note alone")
		}

		if p := act(street, tk, "sign"); p.Status != http.StatusSeeOther || p.Location != ticketPath(tk) {
			t.Fatalf("sign: %d → %q", p.Status, p.Location)
		}
		page = street.Get(ticketPath(tk))
		if page.Text(".flash") == "" || page.Text("#ticket-status") != "办理中" {
			t.Errorf("after signing: flash %q, status %q", page.Text(".flash"), page.Text("#ticket-status"))
		}
		if got := strings.Join(actions(page), ","); got != "extend,reply,note,co_handler" {
			t.Errorf("street on a signed ticket may %s", got)
		}
		if p := act(street, tk, "extend", "days", "99", "note", "需要实地核查"); p.Status != http.StatusUnprocessableEntity ||
			p.Text("#err-extend-days") == "" {
			t.Errorf("extend by 99 days: %d, error %q", p.Status, p.Text("#err-extend-days"))
		} else if got := p.Text("#a-extend-note"); got != "需要实地核查" {
			t.Errorf("refused extend lost its note: %q", got)
		}
		if p := act(street, tk, "extend", "days", "2", "note", "需要实地核查"); p.Status != http.StatusSeeOther {
			t.Errorf("extend: %d %s", p.Status, p.Text(".alert"))
		}
		if p := act(street, tk, "co_handler", "to", "department:SCJGJ"); p.Status != http.StatusSeeOther {
			t.Errorf("co-handler: %d %s", p.Status, p.Text(".alert"))
		}
		if p := act(street, tk, "note", "note", "已电话联系企业，内部记录"); p.Status != http.StatusSeeOther {
			t.Errorf("note: %d %s", p.Status, p.Text(".alert"))
		}
		if p := act(street, tk, "reply", "note", ""); p.Status != http.StatusUnprocessableEntity || p.Text("#err-reply-note") == "" {
			t.Errorf("empty reply: %d", p.Status)
		}
		if p := act(street, tk, "reply", "note", "补贴条件见市人社局通知，材料清单已发送。"); p.Status != http.StatusSeeOther {
			t.Fatalf("reply: %d %s", p.Status, p.Text(".alert"))
		}
		page = street.Get(ticketPath(tk))
		// Adding a co-handler and the note are internal.
		if page.Text("#co-handlers") != "市市场监督管理局" || page.Count("#timeline li.internal") != 2 {
			t.Errorf("co-handlers %q, internal events %d", page.Text("#co-handlers"), page.Count("#timeline li.internal"))
		}
		// A wrong state is a banner (409).
		if p := act(street, tk, "sign"); p.Status != http.StatusConflict || p.Text(".alert") == "" {
			t.Errorf("sign a replied ticket: %d, banner %q", p.Status, p.Text(".alert"))
		}
		// Someone else's action is refused (403).
		if p := act(hotline, tk, "reply", "note", "x"); p.Status != http.StatusForbidden {
			t.Errorf("hotline reply: %d, want 403", p.Status)
		}

		ep = ent.Get(ticketPath(tk))
		if got := strings.Join(actions(ep), ","); got != "rate" {
			t.Errorf("enterprise on a replied ticket may %s, want rate only", got)
		}
		if strings.Contains(ep.Body, "内部记录") || ep.Count("#timeline li.internal") != 0 {
			t.Errorf("the enterprise sees an internal note")
		}
		if got := ep.Text("#ticket-reply .pre"); got != "补贴条件见市人社局通知，材料清单已发送。" {
			t.Errorf("public reply shown %q", got)
		}
		if p := act(ent, tk, "rate", "score", "2"); p.Status != http.StatusUnprocessableEntity || p.Text("#err-rate-satisfied") == "" {
			t.Errorf("rate without satisfied: %d", p.Status)
		}
		if p := act(ent, tk, "rate", "satisfied", "no", "score", "2", "note", "材料不全"); p.Status != http.StatusSeeOther {
			t.Fatalf("rate: %d %s", p.Status, p.Text(".alert"))
		}
		if got := street.Get(ticketPath(tk)).Text("#ticket-status"); got != "重办" {
			t.Errorf("after an unsatisfied rating the status is %q, want 重办", got)
		}

		// Scope: another district's ticket and another enterprise's.
		other := newTicket(t, env, ticket.Intake{RegionCode: demo.StreetCode("370203", 0), EnterpriseUSCC: demo.MakeUSCC("91", "370203", "MA2CP001")})
		if p := street.Get(ticketPath(other)); p.Status != http.StatusForbidden {
			t.Errorf("street GET another district's ticket = %d", p.Status)
		}
		if p := ent.Get(ticketPath(other)); p.Status != http.StatusForbidden {
			t.Errorf("enterprise GET another enterprise's ticket = %d", p.Status)
		}
		if p := act(street, other, "sign"); p.Status != http.StatusForbidden {
			t.Errorf("street acts on another district's ticket: %d", p.Status)
		}
	})
}

func TestTicketTransferMergeAndAttachments(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		first := newTicket(t, env, ticket.Intake{Title: "咨询厂房租金补贴", Content: "想了解厂房租金补贴的申请流程和条件"})
		dup := newTicket(t, env, ticket.Intake{Title: "咨询厂房租金补贴", Content: "想了解厂房租金补贴的申请流程和条件。"})
		hotline, street, district, ent := login(env, "hotline"), login(env, "street"), login(env, "district"), login(env, "enterprise")

		page := hotline.Get(ticketPath(dup))
		if page.Count(`#duplicate-of a[href="`+ticketPath(first)+`"]`) != 1 {
			t.Errorf("possible duplicate not linked to the first ticket")
		}
		if p := act(hotline, dup, "merge", "into", "not-a-number"); p.Status != http.StatusUnprocessableEntity || p.Text("#err-merge-into") == "" {
			t.Errorf("merge into garbage: %d", p.Status)
		}
		if p := act(hotline, dup, "merge", "into", first.Number); p.Status != http.StatusSeeOther {
			t.Fatalf("merge: %d %s", p.Status, p.Text(".alert"))
		}
		if got := hotline.Get(ticketPath(dup)).Text("#ticket-status"); got != "已合并" {
			t.Errorf("merged ticket status %q", got)
		}

		// The district transfers to another street below it.
		to := demo.PlatformCode(demo.StreetCode("370202", 1))
		if p := act(district, first, "transfer", "to", "platform:"+to, "note", ""); p.Status != http.StatusUnprocessableEntity ||
			p.Text("#err-transfer-note") == "" {
			t.Errorf("transfer without reason: %d", p.Status)
		}
		if p := act(district, first, "transfer", "to", "platform:P370200", "note", "改派"); p.Status != http.StatusForbidden ||
			p.Text(".alert") == "" {
			t.Errorf("district transfers up to the city: %d, banner %q", p.Status, p.Text(".alert"))
		}
		if p := act(district, first, "transfer", "to", "platform:"+to, "note", "属湛山街道辖区"); p.Status != http.StatusSeeOther {
			t.Fatalf("transfer: %d %s", p.Status, p.Text(".alert"))
		}
		if got := district.Get(ticketPath(first)).Text("#ticket-assignee"); got != "湛山街道中小企业服务站" {
			t.Errorf("after transfer the assignee is %q", got)
		}
		// The former assignee still reads it but has nothing to do.
		if p := street.Get(ticketPath(first)); p.Status != http.StatusOK || strings.Contains(strings.Join(actions(p), ","), "sign") {
			t.Errorf("former assignee: %d, actions %v", p.Status, actions(p))
		}

		// Attachments: the enterprise adds a file; staff download it.
		ent.Get(ticketPath(first))
		body, ctype := multipartFile(t, "file", "租赁合同.txt", []byte("租赁合同第三条"))
		if p := ent.PostMultipart(ticketPath(first)+"/attachments", body, ctype); p.Status != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", p.Status, p.Text("#err-attach-file"))
		}
		view := district.Get(ticketPath(first))
		href, ok := view.Doc.Find("#attachments a[download]").Attr("href")
		if !ok || view.Text("#attachments a[download]") != "租赁合同.txt" {
			t.Fatalf("attachment not listed")
		}
		dl := district.Get(href)
		if dl.Status != http.StatusOK || dl.Body != "租赁合同第三条" || !strings.Contains(dl.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("download: %d %q %q", dl.Status, dl.Body, dl.Header.Get("Content-Disposition"))
		}
		if view.Count("#upload") != 0 {
			t.Errorf("the district (neither handling nor helping) is offered the upload form")
		}
		ent.Get(ticketPath(first))
		body, ctype = multipartFile(t, "file", "a.exe", []byte("MZ\x90\x00binary"))
		if p := ent.PostMultipart(ticketPath(first)+"/attachments", body, ctype); p.Status != http.StatusUnprocessableEntity ||
			p.Text("#err-attach-file") == "" {
			t.Errorf("refused type: %d, error %q", p.Status, p.Text("#err-attach-file"))
		}
		district.Get(ticketPath(first))
		body, ctype = multipartFile(t, "file", "b.txt", []byte("x"))
		if p := district.PostMultipart(ticketPath(first)+"/attachments", body, ctype); p.Status != http.StatusForbidden {
			t.Errorf("district upload: %d, want 403", p.Status)
		}
		if p := login(env, "specialised").Get(href); p.Status != http.StatusForbidden {
			t.Errorf("specialised download: %d, want 403", p.Status)
		}
	})
}

// TestTicketAttachmentSizeLimit: the upload form takes files up to the
// attachment limit (10 MB), larger than other forms may be; a larger file
// is refused as too large, never as an expired form.
func TestTicketAttachmentSizeLimit(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		tk := newTicket(t, env, ticket.Intake{Title: "厂房租赁合同纠纷", Content: "附租赁合同扫描件"})
		ent := login(env, "enterprise")
		const mb = 1 << 20
		file := func(n int) []byte { return bytes.Repeat([]byte("Lease, clause 3\n"), n/16+1)[:n] }
		listed := func() []string {
			t.Helper()
			p := ent.Get(ticketPath(tk))
			if p.Doc == nil {
				t.Fatalf("ticket page: %d", p.Status)
			}
			var names []string
			p.Doc.Find("#attachments a[download]").Each(func(_ int, s *goquerySelection) {
				names = append(names, s.Text())
			})
			return names
		}
		csrf := locale.NewPrinter(locale.ZH).T("error.csrf")

		p := ent.Get(ticketPath(tk))
		if hint := p.Text("#hint-attach"); !strings.Contains(hint, "10 MB") {
			t.Errorf("upload hint %q does not give the 10 MB limit", hint)
		}
		for _, c := range []struct {
			name string
			size int
		}{{"9MB.txt", 9 * mb}, {"10MB.txt", 10 * mb}} {
			ent.Get(ticketPath(tk))
			p := ent.Upload(ticketPath(tk)+"/attachments", nil, "file", c.name, file(c.size))
			if p.Status != http.StatusSeeOther {
				t.Errorf("upload %s: %d, alert %q, error %q", c.name, p.Status, p.Text(".alert"), p.Text("#err-attach-file"))
			}
		}
		if got := listed(); len(got) != 2 {
			t.Fatalf("attachments listed %v, want the 9 MB and 10 MB files", got)
		}

		// One byte over: the form comes back with the message at the file.
		ent.Get(ticketPath(tk))
		p = ent.Upload(ticketPath(tk)+"/attachments", nil, "file", "over.txt", file(10*mb+1))
		if msg := p.Text("#err-attach-file"); p.Status != http.StatusUnprocessableEntity || !strings.Contains(msg, "过大") || !strings.Contains(msg, "10 MB") {
			t.Errorf("10 MB and a byte: %d, error %q; want 422 saying too large, 10 MB at most", p.Status, msg)
		}
		// Far over: refused before the form is read, still as too large.
		ent.Get(ticketPath(tk))
		p = ent.Upload(ticketPath(tk)+"/attachments", nil, "file", "huge.txt", file(15*mb))
		if body := p.Text("main"); p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "过大") ||
			!strings.Contains(body, "10 MB") || strings.Contains(body, csrf) {
			t.Errorf("15 MB: %d, page %q; want 413 saying too large, 10 MB at most", p.Status, body)
		}
		if got := listed(); len(got) != 2 {
			t.Errorf("attachments listed %v after refused uploads", got)
		}

		// The token is still checked on a file the route takes.
		ent.Get(ticketPath(tk))
		p = ent.Upload(ticketPath(tk)+"/attachments", url.Values{"_csrf": {"forged"}}, "file", "a.txt", file(9*mb))
		if p.Status != http.StatusForbidden || !strings.Contains(p.Text("main"), csrf) {
			t.Errorf("forged token: %d %q, want 403 naming the expired form", p.Status, p.Text("main"))
		}
		// Other forms keep their bound.
		ent.Get("/portal/new")
		p = ent.Post("/portal", url.Values{"content": {string(file(9 * mb))}})
		if p.Status != http.StatusRequestEntityTooLarge || strings.Contains(p.Text("main"), csrf) {
			t.Errorf("a 9 MB portal form: %d %q, want 413", p.Status, p.Text("main"))
		}
	})
}

func multipartFile(t *testing.T, field, name string, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func TestPortalSubmitFollowAndRate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		ent := login(env, "enterprise")
		if p := ent.Get("/portal"); p.Status != http.StatusOK || p.Text(".empty") == "" {
			t.Fatalf("empty portal: %d", p.Status)
		}
		form := ent.Get("/portal/new")
		if got, _ := form.Doc.Find("#f-region_code option[selected]").Attr("value"); got != street0 {
			t.Errorf("region defaults to %q, want the registered street", got)
		}
		if got, _ := form.Doc.Find("#f-contact_phone").Attr("value"); got != "13806390000" {
			t.Errorf("contact phone defaults to %q, want the enterprise's own", got)
		}
		v := url.Values{"category": {"suggestion"}, "title": {""}, "content": {"建议简化高新技术企业认定材料。"},
			"region_code": {street0}, "contact_name": {"周明"}, "contact_phone": {"13806390000"}}
		if p := ent.Post("/portal", v); p.Status != http.StatusUnprocessableEntity || p.Text("#err-title") == "" {
			t.Fatalf("no title: %d", p.Status)
		}
		v.Set("title", "简化认定材料的建议")
		p := ent.Post("/portal", v)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/tickets/") {
			t.Fatalf("submit: %d → %q %s", p.Status, p.Location, p.Text(".alert"))
		}
		id, _ := strconv.ParseInt(strings.TrimPrefix(p.Location, "/tickets/"), 10, 64)
		view := ent.Get(p.Location)
		if view.Text(".flash") == "" || view.Text("#ticket-status") != "待签收" {
			t.Errorf("after submitting: flash %q status %q", view.Text(".flash"), view.Text("#ticket-status"))
		}
		tk, err := env.App.Ticket.Get(context.Background(), apptest.System, id)
		if err != nil || tk.Channel != "web" || tk.EnterpriseUSCC != demo.DemoEnterprise || tk.Assignee.Code != demo.PlatformCode(street0) {
			t.Fatalf("stored %+v %v", tk, err)
		}

		street := login(env, "street")
		act(street, tk, "sign")
		if p := act(street, tk, "reply", "note", "已转相关部门研究采纳。"); p.Status != http.StatusSeeOther {
			t.Fatalf("reply: %d", p.Status)
		}
		portal := ent.Get("/portal")
		if portal.Text("#awaiting") == "" || portal.Count(`#portal-tickets a.rate-awaited[href="`+ticketPath(tk)+`#act-rate"]`) != 1 {
			t.Errorf("portal does not show the rating awaited")
		}
		if p := act(ent, tk, "rate", "satisfied", "yes", "score", "5"); p.Status != http.StatusSeeOther {
			t.Fatalf("rate: %d %s", p.Status, p.Text(".alert"))
		}
		view = ent.Get(ticketPath(tk))
		if view.Text("#ticket-status") != "办结" || !strings.Contains(view.Text("#ticket-rating"), "满意") {
			t.Errorf("after rating: status %q rating %q", view.Text("#ticket-status"), view.Text("#ticket-rating"))
		}
		if got := ent.Get("/portal").Text(`#portal-tickets tr[data-id="` + strconv.FormatInt(id, 10) + `"] .badge`); got != "办结" {
			t.Errorf("portal status %q", got)
		}
		for _, user := range []string{"admin", "hotline", "street"} {
			if p := login(env, user).Get("/portal"); p.Status != http.StatusForbidden {
				t.Errorf("%s GET /portal = %d", user, p.Status)
			}
		}
	})
}

func TestSupervisionBoard(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		late := newTicket(t, env, ticket.Intake{Title: "特急：停电影响生产", Urgency: "very_urgent", Category: "help"})
		calm := newTicket(t, env, ticket.Intake{Title: "一般咨询", Category: "complaint"})
		street := login(env, "street")
		act(street, calm, "sign")
		env.Clock.Advance(30 * time.Hour)

		admin := login(env, "admin")
		board := admin.Get("/supervision")
		if board.Status != http.StatusOK {
			t.Fatalf("GET /supervision = %d", board.Status)
		}
		row := board.Doc.Find(`#board tr[data-id="` + strconv.FormatInt(late.ID, 10) + `"]`)
		if class, _ := row.Attr("class"); class != "late" {
			t.Fatalf("late ticket row class %q", class)
		}
		if board.Count(`#board tr[data-id="`+strconv.FormatInt(calm.ID, 10)+`"]`) != 0 {
			t.Errorf("a ticket with 15 working days left is on the board")
		}
		if got := board.Text("#loads tbody td"); got != "1" {
			t.Errorf("late count of the street = %q", got)
		}
		if row.Find(`button[value="urge"]`).Length() != 1 || row.Find(`button[value="supervise"]`).Length() != 1 {
			t.Fatalf("no quick forms for the admin")
		}
		p := admin.Post(ticketPath(late)+"/actions", url.Values{"action": {"urge"}, "back": {"/supervision"}})
		if p.Status != http.StatusSeeOther || p.Location != "/supervision" {
			t.Errorf("urge from the board: %d → %q", p.Status, p.Location)
		}
		admin.Get("/supervision")
		if p := admin.Post(ticketPath(late)+"/actions", url.Values{"action": {"supervise"}, "back": {"/supervision"}}); p.Status != http.StatusUnprocessableEntity ||
			p.Text("#err-supervise-note") == "" {
			t.Errorf("supervise without note: %d", p.Status)
		}
		admin.Get("/supervision")
		if p := admin.Post(ticketPath(late)+"/actions", url.Values{"action": {"supervise"}, "note": {"请今日办结"}, "back": {"https://evil.example"}}); p.Status != http.StatusSeeOther || p.Location != ticketPath(late) {
			t.Errorf("supervise: %d → %q", p.Status, p.Location)
		}
		board = admin.Get("/supervision")
		if board.Count(`#board tr.late .badge.warn`) != 1 {
			t.Errorf("the supervised ticket is not marked")
		}
		aud := login(env, "auditor").Get("/supervision")
		if aud.Status != http.StatusOK || aud.Count("form.quick") != 0 || aud.Count("#board tbody tr") != 1 {
			t.Errorf("auditor: %d, %d quick forms, %d rows", aud.Status, aud.Count("form.quick"), aud.Count("#board tbody tr"))
		}
		for _, user := range []string{"street", "hotline", "enterprise"} {
			if p := login(env, user).Get("/supervision"); p.Status != http.StatusForbidden {
				t.Errorf("%s GET /supervision = %d", user, p.Status)
			}
		}
	})
}

func TestRoutingRulesAndLimitsPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		admin := login(env, "admin")
		if p := admin.Get("/settings/routing"); p.Status != http.StatusOK || p.Text("#rules") != "" {
			t.Fatalf("routing page: %d", p.Status)
		}
		bad := admin.Post("/settings/routing", url.Values{"category": {"complaint"}, "region_code": {"370202"}, "target": {""}})
		if bad.Status != http.StatusUnprocessableEntity || bad.Text("#err-target") == "" {
			t.Fatalf("rule without target: %d", bad.Status)
		}
		p := admin.Post("/settings/routing", url.Values{"category": {"complaint"}, "region_code": {"370202"},
			"target": {"department:SCJGJ"}, "priority": {"10"}, "note": {"市南区投诉统一由市场监管局办理"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("add rule: %d %s", p.Status, p.Text(".alert"))
		}
		list := admin.Get("/settings/routing")
		row := list.Doc.Find("#rules tbody tr")
		if row.Length() != 1 || !strings.Contains(row.Text(), "市市场监督管理局") || !strings.Contains(row.Text(), "市南区") {
			t.Fatalf("rule row %q", row.Text())
		}
		// The rule routes: a complaint from 市南区 goes to the department.
		if tk := newTicket(t, env, ticket.Intake{Category: "complaint"}); tk.Assignee != (ticket.Assignee{Type: ticket.ToDepartment, Code: "SCJGJ"}) {
			t.Errorf("complaint routed to %v", tk.Assignee)
		}
		street := login(env, "street")
		sp := street.Get("/settings/routing")
		if sp.Status != http.StatusOK || sp.Count("#rules tbody tr") != 1 || sp.Count("form") > 1 {
			t.Errorf("street reads the rules: %d, %d rows, %d forms", sp.Status, sp.Count("#rules tbody tr"), sp.Count("form"))
		}
		id, _ := row.Attr("data-id")
		if p := street.Post("/settings/routing/"+id+"/delete", url.Values{}); p.Status != http.StatusForbidden {
			t.Errorf("street deletes a rule: %d", p.Status)
		}
		admin.Get("/settings/routing")
		if p := admin.Post("/settings/routing/"+id+"/delete", url.Values{}); p.Status != http.StatusSeeOther {
			t.Errorf("delete rule: %d", p.Status)
		}
		if n := admin.Get("/settings/routing").Count("#rules tbody tr"); n != 0 {
			t.Errorf("%d rules after delete", n)
		}

		lp := admin.Get("/settings/limits")
		if n := lp.Count("#limits tbody tr"); n != len(ticket.Categories)*len(ticket.Urgencies) {
			t.Fatalf("limits table has %d rows", n)
		}
		v := url.Values{}
		lp.Doc.Find("#limits input").Each(func(_ int, s *goquerySelection) {
			name, _ := s.Attr("name")
			val, _ := s.Attr("value")
			v.Set(name, val)
		})
		v.Set("consult.normal.handle_days", "7")
		v.Set("help.urgent.sign_hours", "0")
		if p := admin.Post("/settings/limits", v); p.Status != http.StatusUnprocessableEntity ||
			p.Text(`[id="err-help.urgent.sign_days"]`) == "" || p.Text(".alert") == "" {
			t.Errorf("a row with no sign limit: %d, error %q", p.Status, p.Text(`[id="err-help.urgent.sign_days"]`))
		}
		if l := limitOf(t, env, "consult", "normal"); l.HandleDays != 5 {
			t.Errorf("a refused table saved a row: handle_days %d", l.HandleDays)
		}
		v.Set("help.urgent.sign_hours", "4")
		if p := admin.Post("/settings/limits", v); p.Status != http.StatusSeeOther {
			t.Fatalf("save limits: %d %s", p.Status, p.Text(".alert"))
		}
		if l := limitOf(t, env, "consult", "normal"); l.HandleDays != 7 {
			t.Errorf("handle_days saved as %d", l.HandleDays)
		}
		got, _ := admin.Get("/settings/limits").Doc.Find(`input[name="consult.normal.handle_days"]`).Attr("value")
		if got != "7" {
			t.Errorf("limits page shows %q", got)
		}
		if sp := street.Get("/settings/limits"); sp.Status != http.StatusOK || sp.Count("#limits input") != 0 {
			t.Errorf("street reads limits: %d with %d inputs", sp.Status, sp.Count("#limits input"))
		}
		if p := street.Post("/settings/limits", v); p.Status != http.StatusForbidden {
			t.Errorf("street saves limits: %d", p.Status)
		}
		if p := login(env, "enterprise").Get("/settings/limits"); p.Status != http.StatusForbidden {
			t.Errorf("enterprise reads limits: %d", p.Status)
		}
	})
}

// TestSupervisionSettingsOnTheLimitsPage: the time-limit page shows the
// warning lead time and the rating window to staff; the city admin changes
// them there, a bad value coming back next to its field.
func TestSupervisionSettingsOnTheLimitsPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		stored := func() ticket.SupervisionSettings {
			t.Helper()
			s, err := env.App.Ticket.SupervisionSettings(context.Background(), apptest.System)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		value := func(p *apptest.Page, name string) string {
			v, _ := p.Doc.Find(`#supervision-form input[name="` + name + `"]`).Attr("value")
			return v
		}
		admin := login(env, "admin")
		p := admin.Get("/settings/limits")
		if p.Status != http.StatusOK || value(p, "warn_hours") != "24" || value(p, "rating_days") != "5" {
			t.Fatalf("limits page: %d, warn_hours %q, rating_days %q; want the defaults 24 and 5", p.Status, value(p, "warn_hours"), value(p, "rating_days"))
		}
		if got := p.Text(`label[for="f-warn_hours"]`); got != "临期提醒提前小时数" {
			t.Errorf("warn_hours label %q", got)
		}
		if got := p.Text(`label[for="f-rating_days"]`); got != "答复后评价期限（工作日）" {
			t.Errorf("rating_days label %q", got)
		}
		if !strings.Contains(p.Text("#hint-rating_days"), "60") {
			t.Errorf("rating_days hint %q does not give the range", p.Text("#hint-rating_days"))
		}

		for _, c := range []struct {
			name, warn, rating, field, says string
		}{
			{"no warning", "0", "5", "warn_hours", "240"},
			{"a rating window of three months", "24", "90", "rating_days", "60"},
			{"hours in words", "一天", "5", "warn_hours", "数字"},
			{"an empty window", "24", "", "rating_days", "答复后评价期限"},
		} {
			admin.Get("/settings/limits")
			p := admin.Post("/settings/supervision", url.Values{"warn_hours": {c.warn}, "rating_days": {c.rating}})
			msg := p.Text("#err-" + c.field)
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(msg, c.says) {
				t.Errorf("%s: %d, error %q; want 422 mentioning %q", c.name, p.Status, msg, c.says)
			}
			if v, _ := p.Doc.Find("#f-" + c.field).Attr("aria-invalid"); v != "true" {
				t.Errorf("%s: the field is not marked invalid", c.name)
			}
			if value(p, "warn_hours") != c.warn || value(p, "rating_days") != c.rating {
				t.Errorf("%s: the form lost what was typed: %q, %q", c.name, value(p, "warn_hours"), value(p, "rating_days"))
			}
			if n := p.Count("#limits tbody tr"); n != len(ticket.Categories)*len(ticket.Urgencies) {
				t.Errorf("%s: the page came back with %d limit rows", c.name, n)
			}
		}
		if s := stored(); s != (ticket.SupervisionSettings{WarnHours: 24, RatingDays: 5}) {
			t.Errorf("refused forms saved %+v", s)
		}

		admin.Get("/settings/limits")
		p = admin.Post("/settings/supervision", url.Values{"warn_hours": {"48"}, "rating_days": {"7"}})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/settings/limits") {
			t.Fatalf("save: %d to %q; alert %q", p.Status, p.Location, p.Text(".alert"))
		}
		if s := stored(); s != (ticket.SupervisionSettings{WarnHours: 48, RatingDays: 7}) {
			t.Errorf("saved %+v, want 48 hours and 7 working days", s)
		}
		p = admin.Get("/settings/limits")
		if p.Text(".flash") == "" || value(p, "warn_hours") != "48" || value(p, "rating_days") != "7" {
			t.Errorf("after saving: flash %q, values %q, %q", p.Text(".flash"), value(p, "warn_hours"), value(p, "rating_days"))
		}

		// Other staff read the values; they have no form to change them.
		street := login(env, "street")
		sp := street.Get("/settings/limits")
		if sp.Status != http.StatusOK || sp.Count("#supervision-form") != 0 ||
			sp.Text(`#supervision-values [data-field="warn_hours"]`) != "48" || sp.Text(`#supervision-values [data-field="rating_days"]`) != "7" {
			t.Errorf("street reads: %d, %d forms, values %q %q", sp.Status, sp.Count("#supervision-form"),
				sp.Text(`#supervision-values [data-field="warn_hours"]`), sp.Text(`#supervision-values [data-field="rating_days"]`))
		}
		for _, user := range []string{"street", "auditor", "enterprise"} {
			b := login(env, user)
			b.Get("/")
			if p := b.Post("/settings/supervision", url.Values{"warn_hours": {"1"}, "rating_days": {"1"}}); p.Status != http.StatusForbidden {
				t.Errorf("%s POST /settings/supervision = %d, want 403", user, p.Status)
			}
		}
		if s := stored(); s != (ticket.SupervisionSettings{WarnHours: 48, RatingDays: 7}) {
			t.Errorf("refused posts saved %+v", s)
		}

		// In English.
		admin.Lang = "en"
		p = admin.Get("/settings/limits")
		if got := p.Text(`label[for="f-warn_hours"]`); got != "Warning ahead of the deadline (hours)" {
			t.Errorf("English warn_hours label %q", got)
		}
		admin.Get("/settings/limits")
		p = admin.Post("/settings/supervision", url.Values{"warn_hours": {"48"}, "rating_days": {"61"}})
		if msg := p.Text("#err-rating_days"); p.Status != http.StatusUnprocessableEntity || !strings.Contains(msg, "60") || regexp.MustCompile(`\p{Han}`).MatchString(msg) {
			t.Errorf("English refusal: %d, %q", p.Status, msg)
		}
	})
}

type goquerySelection = goquery.Selection

func limitOf(t *testing.T, env *apptest.Env, category, urgency string) ticket.Limit {
	t.Helper()
	ls, err := env.App.Ticket.Limits(context.Background(), apptest.System)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Category == category && l.Urgency == urgency {
			return l
		}
	}
	t.Fatalf("no limit %s/%s", category, urgency)
	return ticket.Limit{}
}

func TestNavigationPerRole(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		want := map[string][]string{
			"admin":       {"/console", "/queue", "/supervision"},
			"hotline":     {"/console", "/queue"},
			"street":      {"/queue"},
			"department":  {"/queue"},
			"auditor":     {"/queue", "/supervision"},
			"enterprise":  {"/portal"},
			"institution": {},
		}
		all := []string{"/console", "/queue", "/supervision", "/portal"}
		for user, links := range want {
			home := login(env, user).Get("/")
			for _, l := range all {
				has := home.Count(`nav.mainnav a[href="`+l+`"]`) == 1
				tile := home.Count(`.tiles a[href="`+l+`"]`) == 1
				expected := false
				for _, w := range links {
					expected = expected || w == l
				}
				if has != expected || tile != expected {
					t.Errorf("%s: nav %s = %v, tile %v, want %v", user, l, has, tile, expected)
				}
			}
		}
	})
}

func TestHotlineReturnVisitAndAdminClose(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		street, hotline, admin := login(env, "street"), login(env, "hotline"), login(env, "admin")
		visited, closed := newTicket(t, env, ticket.Intake{}), newTicket(t, env, ticket.Intake{Category: "help"})
		for _, tk := range []ticket.Ticket{visited, closed} {
			act(street, tk, "sign")
			if p := act(street, tk, "reply", "note", "已办理。"); p.Status != http.StatusSeeOther {
				t.Fatalf("reply: %d", p.Status)
			}
		}
		if got := strings.Join(actions(hotline.Get(ticketPath(visited))), ","); got != "rate,visit,note" {
			t.Errorf("hotline on a replied ticket may %s", got)
		}
		if p := act(hotline, visited, "visit", "satisfied", "yes"); p.Status != http.StatusUnprocessableEntity || p.Text("#err-visit-note") == "" {
			t.Errorf("visit without a record: %d", p.Status)
		}
		if p := act(hotline, visited, "visit", "satisfied", "yes", "note", "企业表示满意"); p.Status != http.StatusSeeOther {
			t.Fatalf("visit: %d %s", p.Status, p.Text(".alert"))
		}
		view := hotline.Get(ticketPath(visited))
		if view.Text("#ticket-status") != "办结" || !strings.Contains(view.Text("#ticket-rating"), "回访") {
			t.Errorf("after the visit: %q, rating %q", view.Text("#ticket-status"), view.Text("#ticket-rating"))
		}
		page := admin.Get(ticketPath(closed))
		if _, ok := page.Doc.Find("#act-close button").Attr("data-confirm"); !ok {
			t.Fatalf("admin is not offered a confirmed close")
		}
		if p := act(admin, closed, "close"); p.Status != http.StatusSeeOther {
			t.Fatalf("close: %d", p.Status)
		}
		if got := admin.Get(ticketPath(closed)).Text("#ticket-rating"); !strings.Contains(got, "未评价") {
			t.Errorf("closed by the admin: rating %q, want not rated", got)
		}
	})
}

// No page shows a raw catalog key, in either language: dynamic keys
// (action labels, notes, flashes) are in both catalogs.
func TestTicketPagesShowNoRawKeys(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.LoadDemo()
		tk := newTicket(t, env, ticket.Intake{})
		raw := regexp.MustCompile(`\b(ticket|ticket_action|ticket_status|console|queue|portal|supervision|routing|limits|flash|category|urgency|channel|role|field)\.[a-z_]+\b`)
		for _, lang := range []string{"zh-CN", "en"} {
			pages := map[string][]string{
				"admin":      {"/console", "/console?q=" + url.QueryEscape("企服"), "/console?uscc=" + demo.DemoEnterprise, "/queue", ticketPath(tk), "/supervision", "/settings/routing", "/settings/limits"},
				"street":     {"/queue", ticketPath(tk)},
				"district":   {ticketPath(tk)},
				"enterprise": {"/portal", "/portal/new", ticketPath(tk)},
			}
			for user, paths := range pages {
				b := login(env, user)
				b.Lang = lang
				for _, path := range paths {
					p := b.Get(path)
					if p.Status != http.StatusOK {
						t.Errorf("%s %s %s = %d", lang, user, path, p.Status)
						continue
					}
					text := p.Doc.Find("body").Text()
					p.Doc.Find("[placeholder], [title], [aria-label], [data-confirm]").Each(func(_ int, s *goquerySelection) {
						for _, a := range []string{"placeholder", "title", "aria-label", "data-confirm"} {
							v, _ := s.Attr(a)
							text += " " + v
						}
					})
					if m := raw.FindString(text); m != "" {
						t.Errorf("%s %s %s shows the raw key %q", lang, user, path, m)
					}
				}
			}
		}
	})
}
