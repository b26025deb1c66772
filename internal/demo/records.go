package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/app"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/tabular"
)

// Records is how many services the demo's platforms record by hand over
// the year before now (the closed tickets write theirs besides).
const Records = 5000

// notes are what a service record says was done, by service area.
var notes = map[string][]string{
	"information":            {"解读中小企业扶持政策", "推送专精特新申报通知", "讲解研发费用加计扣除政策", "协助查询惠企政策清单", "提供行业市场信息"},
	"talent_training":        {"参加中小企业经营管理人员培训班", "数控技能培训", "协助对接职业院校招聘", "人力资源管理实务培训"},
	"entrepreneurship":       {"创业辅导：商业计划书修改", "初创企业开办指导", "参加创业沙龙", "孵化基地入驻咨询"},
	"management_consulting":  {"企业管理诊断", "财务规范化咨询", "精益生产咨询", "协调解决用电增容问题"},
	"technical_support":      {"产品检验检测", "数字化转型诊断", "工业设计服务", "知识产权布局与专利检索"},
	"financing_guarantee":    {"银企对接会", "推荐担保贷款", "应收账款融资辅导", "首贷续贷咨询"},
	"market_expansion":       {"组织参加中小企业博览会", "电商平台入驻辅导", "产销对接活动", "出口市场开拓咨询"},
	"legal_aid":              {"劳动合同法律咨询", "商标维权援助", "合同审查", "账款拖欠法律援助"},
	"international_exchange": {"中外中小企业技术交流对接", "境外展会组团参展", "国际技术合作咨询"},
}

// areaWeights is the mix of a comprehensive platform's services.
var areaWeights = []struct {
	area   string
	weight int
}{{"information", 30}, {"management_consulting", 15}, {"talent_training", 15}, {"entrepreneurship", 10},
	{"financing_guarantee", 10}, {"legal_aid", 8}, {"technical_support", 7}, {"market_expansion", 4}, {"international_exchange", 1}}

// specialisedAreas are what each specialised platform does.
var specialisedAreas = map[string][]string{
	"S-FIN":    {"financing_guarantee"},
	"S-DESIGN": {"technical_support", "market_expansion"},
	"S-LAW":    {"legal_aid"},
	"S-TEST":   {"technical_support"},
	"S-SOFT":   {"technical_support", "information"},
}

// kindFor is the kind of a service in an area.
func kindFor(r *rand.Rand, area string) string {
	switch n := r.IntN(100); {
	case area == "talent_training" && n < 70:
		return "training"
	case area == "financing_guarantee" && n < 60:
		return "financing"
	case area == "technical_support" && n < 50:
		return "service_item"
	case n < 50:
		return "consultation"
	case n < 65:
		return "training"
	case n < 80:
		return "service_item"
	case n < 95:
		return "event"
	}
	return "other"
}

// ledgerPlatform is a demo platform with the enterprises it serves.
type ledgerPlatform struct {
	code   string
	weight int      // its share of the records
	areas  []string // nil: the comprehensive mix
	serves []string // credit codes
}

// loadRecords writes a year of services recorded by the demo's platforms,
// as one ledger imported through the record service (so every row is
// checked as a real import is). Loading twice keeps what is there.
func loadRecords(ctx context.Context, a *app.App, sys access.Actor, n int) error {
	if n == 0 {
		return nil
	}
	// Tickets never write trainings: any training is the demo's ledger.
	if items, _, err := a.Record.List(ctx, sys, record.Filter{Kind: "training", WithCanceled: true, Limit: 1}); err != nil || len(items) > 0 {
		return err
	}
	g := NewGenerator(2026)
	all := []enterprise.Enterprise{{USCC: DemoEnterprise, RegionCode: StreetCode("370202", 0)}}
	for i := 0; i < Enterprises; i++ {
		all = append(all, g.Next())
	}
	within := func(prefix string) []string {
		var out []string
		for _, e := range all {
			if strings.HasPrefix(e.RegionCode, prefix) {
				out = append(out, e.USCC)
			}
		}
		return out
	}
	everyone := within("")
	plats := []ledgerPlatform{{code: PlatformCode(city.Code), weight: 360, serves: everyone}}
	for di, d := range districts {
		plats = append(plats, ledgerPlatform{code: PlatformCode(d.code), weight: 80 + 10*(di%4), serves: within(d.code)})
		for i := range d.streets[:3] {
			// Some streets serve many (their targets met), some few; mostly
			// the enterprises of their own street, some from elsewhere in
			// the district.
			own := within(StreetCode(d.code, i))
			serves := append(append(append([]string{}, own...), own...), within(d.code)...)
			plats = append(plats, ledgerPlatform{code: PlatformCode(StreetCode(d.code, i)), weight: 20 + 25*((di+2*i)%5),
				serves: serves})
		}
	}
	for _, s := range specialisedPlatforms {
		plats = append(plats, ledgerPlatform{code: s.code, weight: 90, areas: specialisedAreas[s.code], serves: within(s.region[:4])})
	}
	total := 0
	for _, p := range plats {
		total += p.weight
	}
	rng := rand.New(rand.NewPCG(23, 29))
	now := a.Config.Clock.Now()
	var b strings.Builder
	b.WriteString("服务平台,统一社会信用代码,服务类型,功能服务区,服务日期,服务内容\n")
	rows := 0
	for _, p := range plats {
		count := n * p.weight / total
		for k := 0; k < count && len(p.serves) > 0; k++ {
			area := ""
			if p.areas != nil {
				area = p.areas[rng.IntN(len(p.areas))]
			} else {
				area = weighted(rng, areaWeights, func(x struct {
					area   string
					weight int
				}) int {
					return x.weight
				}).area
			}
			// A working day of the past year.
			day := now.AddDate(0, 0, -1-rng.IntN(364))
			for day.In(cst).Weekday() == time.Saturday || day.In(cst).Weekday() == time.Sunday {
				day = day.AddDate(0, 0, -1)
			}
			note := notes[area][rng.IntN(len(notes[area]))]
			fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s\n", p.code, p.serves[rng.IntN(len(p.serves))], kindFor(rng, area), area,
				record.Today(day), note)
			rows++
		}
	}
	text := b.String()
	r, err := tabular.Open(strings.NewReader(text), int64(len(text)))
	if err != nil {
		return err
	}
	defer r.Close()
	res, err := a.Record.Import(ctx, sys, r, record.ImportOptions{Name: "demo-ledger.csv"})
	if err != nil {
		return err
	}
	if res.Rejected > 0 {
		return fmt.Errorf("demo ledger: %d of %d rows rejected, first: %+v", res.Rejected, rows, res.Problems[0])
	}
	return nil
}
