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

// services are what a service record says was done, and its kind, by
// service area.
var services = map[string][]struct{ note, kind string }{
	"information": {{"解读中小企业扶持政策", "consultation"}, {"讲解研发费用加计扣除政策", "consultation"},
		{"惠企政策宣讲会", "event"}, {"推送专精特新申报通知并辅导申报", "consultation"}, {"提供行业市场信息", "service_item"}},
	"talent_training": {{"中小企业经营管理人员培训班", "training"}, {"数控技能培训", "training"},
		{"对接职业院校招聘", "service_item"}, {"人力资源管理实务培训", "training"}},
	"entrepreneurship": {{"创业辅导：商业计划书修改", "consultation"}, {"初创企业开办指导", "consultation"},
		{"创业沙龙", "event"}, {"创业培训班", "training"}},
	"management_consulting": {{"企业管理诊断", "service_item"}, {"财务规范化咨询", "consultation"},
		{"精益生产咨询", "consultation"}, {"协调解决用电增容问题", "other"}},
	"technical_support": {{"产品检验检测", "service_item"}, {"数字化转型诊断", "service_item"}, {"工业设计服务", "service_item"},
		{"专利检索与知识产权布局", "consultation"}, {"数字化转型培训", "training"}},
	"financing_guarantee": {{"银企对接会", "event"}, {"推荐担保贷款", "financing"}, {"应收账款融资辅导", "financing"},
		{"首贷续贷咨询", "consultation"}},
	"market_expansion": {{"组织参加中小企业博览会", "event"}, {"电商平台入驻辅导", "service_item"}, {"产销对接活动", "event"},
		{"出口市场开拓咨询", "consultation"}},
	"legal_aid": {{"劳动合同法律咨询", "consultation"}, {"商标维权援助", "service_item"}, {"合同审查", "service_item"},
		{"中小企业法律知识讲座", "training"}},
	"international_exchange": {{"中外中小企业技术交流对接会", "event"}, {"境外展会组团参展", "event"},
		{"国际技术合作咨询", "consultation"}},
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
			sv := services[area][rng.IntN(len(services[area]))]
			fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s\n", p.code, p.serves[rng.IntN(len(p.serves))], sv.kind, area,
				record.Today(day), sv.note)
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
