package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/app"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/ticket"
)

// Tickets is how many tickets the demo files over the year before now.
const Tickets = 1200

var requests = map[string][]struct{ title, content string }{
	"consult": {
		{"咨询高新技术企业认定条件", "企业想了解高新技术企业认定的申报条件、时间节点和需要准备的材料。"},
		{"咨询稳岗补贴申领", "企业今年没有裁员，想了解稳岗补贴怎么申领、多久到账。"},
		{"咨询专精特新申报", "企业从事精密模具制造，咨询专精特新中小企业的申报流程和认定标准。"},
		{"咨询研发费用加计扣除", "财务人员咨询研发费用加计扣除的比例和归集口径。"},
		{"咨询出口退税办理时限", "企业有一批出口货物，咨询出口退税的办理时限和材料。"},
	},
	"help": {
		{"电子发票无法开具", "企业反映电子发票平台无法开具发票，影响正常经营，请求协调解决。"},
		{"厂房用电增容", "企业新增生产线，需要用电增容，申请多次未有回复，请求帮助协调。"},
		{"招工难请求对接", "企业急需招聘数控操作工二十名，请求帮助对接职业院校和人力资源市场。"},
		{"融资需求对接", "企业有三百万元流动资金需求，请求对接担保机构和银行。"},
		{"商标被抢注求助", "企业发现自有品牌商标被他人抢注，请求提供法律援助。"},
	},
	"complaint": {
		{"投诉物业乱收费", "园区物业在租金外另收公共设施费，没有依据，企业不满。"},
		{"投诉施工噪声扰民", "相邻工地夜间施工噪声大，影响企业员工休息。"},
		{"投诉办事窗口推诿", "企业到窗口办理备案，被要求反复补材料，三次未办结。"},
	},
	"suggestion": {
		{"建议延长政务大厅服务时间", "建议政务大厅周六上午开放，方便中小企业办事。"},
		{"建议增加政策宣讲", "建议针对小微企业多开展政策宣讲，讲清楚申报流程。"},
	},
	"rights_infringement": {
		{"拖欠中小企业账款", "某国有单位拖欠企业货款八十万元已超过一年，多次催要无果。"},
		{"涉企检查过多", "一个月内被不同部门检查五次，影响正常生产，请求规范涉企检查。"},
		{"违规收取保证金", "招标单位要求缴纳不合理的履约保证金，且逾期不退还。"},
	},
}

var categoryWeights = []struct {
	category string
	weight   int
}{{"consult", 35}, {"help", 25}, {"complaint", 15}, {"suggestion", 10}, {"rights_infringement", 15}}

var channelWeights = []struct {
	channel string
	weight  int
}{{"hotline", 55}, {"web", 30}, {"walk_in", 10}, {"api", 5}}

func weighted[T any](r *rand.Rand, items []T, weight func(T) int) T {
	total := 0
	for _, it := range items {
		total += weight(it)
	}
	n := r.IntN(total)
	for _, it := range items {
		if n -= weight(it); n < 0 {
			return it
		}
	}
	return items[len(items)-1]
}

// ticketDemo files tickets with a clock of its own that walks through the
// past year, so every ticket and event has a plausible time.
type ticketDemo struct {
	a      *app.App
	svc    *ticket.Service
	clock  *clock.Fake
	now    time.Time // the real now: nothing happens after it
	rng    *rand.Rand
	actors map[ticket.Assignee]access.Actor
}

// errNotYet stops a ticket's story at the present: its next step would
// happen after now.
var errNotYet = errors.New("demo: not yet")

func loadTickets(ctx context.Context, a *app.App, sys access.Actor, n int) error {
	if n == 0 {
		return nil
	}
	// Already filed (the demo loaded twice): keep them.
	if items, _, err := a.Ticket.List(ctx, sys, ticket.Filter{Limit: 1}); err != nil || len(items) > 0 {
		return err
	}
	now := a.Config.Clock.Now()
	fc := clock.NewFake(now)
	d := &ticketDemo{a: a, svc: ticket.NewService(store.Repo[ticket.Tx]{DB: a.DB}, fc, ticket.Weekdays{}), clock: fc, now: now,
		rng: rand.New(rand.NewPCG(11, 17)), actors: map[ticket.Assignee]access.Actor{}}
	// The demo's enterprises, regenerated (the generator is deterministic)
	// with their full contact numbers, which the registry only shows masked.
	g := NewGenerator(2026)
	ents := make([]enterprise.Enterprise, 500)
	for i := range ents {
		ents[i] = g.Next()
	}
	times := make([]time.Time, n)
	for i := range times {
		// More tickets recently (the service grows): skewed towards now.
		days := 365 * d.rng.Float64() * d.rng.Float64()
		times[i] = now.Add(-time.Duration(days * 24 * float64(time.Hour))).Truncate(time.Minute)
		if h := times[i].In(cst).Hour(); h < 8 || h > 18 {
			times[i] = times[i].Add(time.Duration(10-h) * time.Hour)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	var recent []ticket.Ticket
	for i, at := range times {
		e := ents[d.rng.IntN(len(ents))]
		var tk ticket.Ticket
		var err error
		if len(recent) > 0 && d.rng.IntN(25) == 0 {
			// The same enterprise calls again about the same matter.
			prev := recent[d.rng.IntN(len(recent))]
			tk, err = d.again(ctx, at, prev, ents)
		} else {
			tk, err = d.file(ctx, at, e)
		}
		if err != nil {
			return fmt.Errorf("demo ticket %d: %w", i, err)
		}
		age := now.Sub(at)
		if err := d.progress(ctx, tk, age, recent); err != nil && !errors.Is(err, errNotYet) {
			return fmt.Errorf("demo ticket %s: %w", tk.Number, err)
		}
		recent = append(recent, tk)
		if len(recent) > 30 {
			recent = recent[1:]
		}
	}
	// Today's supervision: late tickets marked and escalated, old unrated
	// replies closed.
	d.clock.Set(now)
	if _, err := d.svc.Supervise(ctx); err != nil {
		return fmt.Errorf("demo supervision: %w", err)
	}
	return settleNotices(ctx, a, now)
}

// settleNotices makes the year's notices history: delivered when their
// event happened (no flood of old SMS when the demo starts), and read by
// now unless they are from the last three days.
func settleNotices(ctx context.Context, a *app.App, now time.Time) error {
	return a.DB.Raw(ctx, func(tx *sql.Tx) error {
		q := store.Rebind(a.DB.Dialect(), `UPDATE notifications SET status = 'sent', attempts = 1, sent_at = created_at,
			read_at = CASE WHEN channel = 'inbox' AND created_at < ? THEN created_at ELSE NULL END WHERE status = 'pending'`)
		_, err := tx.ExecContext(ctx, q, now.Add(-72*time.Hour).UTC())
		return err
	})
}

var cst = time.FixedZone("CST", 8*3600)

func (d *ticketDemo) file(ctx context.Context, at time.Time, e enterprise.Enterprise) (ticket.Ticket, error) {
	d.clock.Set(at)
	cat := weighted(d.rng, categoryWeights, func(x struct {
		category string
		weight   int
	}) int {
		return x.weight
	}).category
	ch := weighted(d.rng, channelWeights, func(x struct {
		channel string
		weight  int
	}) int {
		return x.weight
	}).channel
	req := requests[cat][d.rng.IntN(len(requests[cat]))]
	urgency := "normal"
	if d.rng.IntN(10) == 0 {
		urgency = "urgent"
	}
	who := access.Actor{Username: "hotline", Role: access.HotlineOperator}
	if ch == "web" {
		who = access.Actor{Username: "enterprise", Role: access.Enterprise, OrgCode: e.USCC}
	}
	return d.svc.Create(ctx, who, ticket.Intake{Channel: ch, EnterpriseUSCC: e.USCC, Category: cat, Urgency: urgency,
		Title: req.title, Content: req.content, RegionCode: e.RegionCode, ContactName: e.ContactName,
		ContactPhone: e.ContactPhone, Public: d.rng.IntN(3) == 0})
}

// again files a second request about a recent ticket's matter.
func (d *ticketDemo) again(ctx context.Context, at time.Time, prev ticket.Ticket, ents []enterprise.Enterprise) (ticket.Ticket, error) {
	d.clock.Set(at)
	var e enterprise.Enterprise
	for _, x := range ents {
		if x.USCC == prev.EnterpriseUSCC {
			e = x
		}
	}
	if e.USCC == "" {
		return d.file(ctx, at, ents[0])
	}
	return d.svc.Create(ctx, access.Actor{Username: "hotline", Role: access.HotlineOperator}, ticket.Intake{Channel: "hotline",
		EnterpriseUSCC: e.USCC, Category: prev.Category, Urgency: prev.Urgency, Title: prev.Title,
		Content: "企业再次来电：" + prev.Content, RegionCode: e.RegionCode, ContactName: e.ContactName, ContactPhone: e.ContactPhone})
}

// handler is an actor of the organisation handling a ticket.
func (d *ticketDemo) handler(ctx context.Context, as ticket.Assignee) (access.Actor, error) {
	if a, ok := d.actors[as]; ok {
		return a, nil
	}
	a := access.Actor{Username: "demo." + as.Code, OrgCode: as.Code}
	if as.Type == ticket.ToDepartment {
		a.Role = access.DepartmentStaff
	} else {
		p, err := d.a.Org.Platform(ctx, access.SystemActor("demo"), as.Code)
		if err != nil {
			return a, err
		}
		a.PlatformPath, a.RegionCode = p.Path, p.RegionCode
		a.Role = map[string]access.Role{"city": access.DistrictStaff, "district": access.DistrictStaff,
			"street": access.StreetStaff, "specialised": access.SpecialisedStaff}[string(p.Tier)]
	}
	d.actors[as] = a
	return a, nil
}

// act moves the clock on by after and applies an action as who, unless
// that would be after now (errNotYet): a recent ticket stops where the
// present finds it.
func (d *ticketDemo) act(ctx context.Context, who access.Actor, tk *ticket.Ticket, after time.Duration, act ticket.Action) error {
	if d.clock.Now().Add(after).After(d.now) {
		return errNotYet
	}
	d.clock.Advance(after)
	out, err := d.svc.Act(ctx, who, tk.ID, act)
	if err == nil {
		*tk = out
	}
	return err
}

// progress takes a ticket along a realistic path for its age: old tickets
// are closed (most satisfied, some after a reopening, a few unrated, some
// returned and transferred, duplicates merged); recent ones are anywhere in
// the workflow, some already late.
func (d *ticketDemo) progress(ctx context.Context, tk ticket.Ticket, age time.Duration, recent []ticket.Ticket) error {
	r := d.rng
	hour := time.Hour
	hotline := access.Actor{Username: "hotline", Role: access.HotlineOperator}
	admin := access.SystemActor("demo")
	own := access.Actor{Username: "enterprise", Role: access.Enterprise, OrgCode: tk.EnterpriseUSCC}
	yes, no := true, false
	// A duplicate of a recent ticket of the same enterprise is merged
	// (unless that one is closed by now: then it is handled on its own).
	if tk.DuplicateOf != nil && r.IntN(3) != 0 {
		return d.act(ctx, hotline, &tk, hour, ticket.Action{Action: "merge", Into: tk.DuplicateOf, Note: "重复来电，合并办理"})
	}
	days := age.Hours() / 24
	stage := 6 // closed
	if days < 20 {
		stage = r.IntN(7)
	}
	if stage == 0 {
		return nil // still waiting to be accepted (and perhaps late)
	}
	h, err := d.handler(ctx, tk.Assignee)
	if err != nil {
		return err
	}
	if r.IntN(12) == 0 && tk.Assignee.Type == ticket.ToPlatform {
		// Returned: not theirs; the city sends it to the district above.
		if err := d.act(ctx, h, &tk, 2*hour, ticket.Action{Action: "return", Note: "该事项不属于本平台职责范围"}); err != nil {
			return err
		}
		if stage == 1 {
			return nil
		}
		to := ticket.Assignee{Type: ticket.ToPlatform, Code: "P370200"}
		if err := d.act(ctx, admin, &tk, 3*hour, ticket.Action{Action: "transfer", To: &to, Note: "改派市级平台办理"}); err != nil {
			return err
		}
		if h, err = d.handler(ctx, to); err != nil {
			return err
		}
	}
	if err := d.act(ctx, h, &tk, time.Duration(1+r.IntN(20))*hour, ticket.Action{Action: "sign"}); err != nil {
		return err
	}
	if stage == 2 {
		return nil
	}
	if r.IntN(8) == 0 {
		if err := d.act(ctx, h, &tk, 24*hour, ticket.Action{Action: "extend", Days: 3, Note: "需会同相关部门核实"}); err != nil {
			return err
		}
	}
	if stage == 3 {
		return nil
	}
	if err := d.act(ctx, h, &tk, time.Duration(24+r.IntN(72))*hour, ticket.Action{Action: "reply", Note: "已核实情况并答复企业：" + tk.Title + "，办理结果已告知联系人。"}); err != nil {
		return err
	}
	if stage == 4 {
		return nil // awaiting the rating
	}
	score := 3 + r.IntN(3)
	switch n := r.IntN(20); {
	case n < 2: // unsatisfied: reopened and handled again
		if err := d.act(ctx, own, &tk, 30*hour, ticket.Action{Action: "rate", Satisfied: &no, Note: "问题没有解决"}); err != nil {
			return err
		}
		if stage == 5 {
			return nil
		}
		if err := d.act(ctx, h, &tk, 4*hour, ticket.Action{Action: "sign"}); err != nil {
			return err
		}
		if err := d.act(ctx, h, &tk, 48*hour, ticket.Action{Action: "reply", Note: "再次上门核实后已解决，并书面答复。"}); err != nil {
			return err
		}
		return d.act(ctx, hotline, &tk, 24*hour, ticket.Action{Action: "visit", Satisfied: &yes, Note: "回访企业表示满意"})
	case n < 3: // never rated
		return d.act(ctx, admin, &tk, 8*24*hour, ticket.Action{Action: "close", Note: "评价期满未评价"})
	case n < 9: // a return visit by the hotline
		return d.act(ctx, hotline, &tk, 24*hour, ticket.Action{Action: "visit", Satisfied: &yes, Score: &score, Note: "回访满意"})
	default:
		return d.act(ctx, own, &tk, time.Duration(2+r.IntN(40))*hour, ticket.Action{Action: "rate", Satisfied: &yes, Score: &score})
	}
}
