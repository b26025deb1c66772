package demo

import (
	"fmt"
	"math/rand/v2"

	"github.com/qifu/qifu/internal/enterprise"
)

// Enterprise generation: deterministic (a seed gives the same enterprises),
// realistic (names built the way Chinese companies are named: place, trade
// name, industry word, legal form), spread over the demo's streets and the
// sixteen industry groups, with figures that give a plausible mix of sizes
// (mostly micro and small, a few medium, very few large).

var tradeChars = []rune("海纳明策绿能华信恒通瑞丰鑫源宏达远航德润嘉禾金石中科创新天诚安泰广元盛世万和佳益博睿汇智富康永昌顺发宇辰东方正泰润丰鼎盛")

var industryWords = map[string][]string{
	"agriculture":              {"农业科技", "生态农业", "海产养殖", "果蔬种植"},
	"industry":                 {"机械制造", "电子科技", "精密模具", "新材料", "食品", "橡胶制品", "纺织"},
	"construction":             {"建筑工程", "建设", "装饰工程", "市政工程"},
	"wholesale":                {"商贸", "贸易", "进出口", "供应链"},
	"retail":                   {"商店", "超市", "便利店", "百货"},
	"transport":                {"运输", "物流", "客运", "航运"},
	"warehousing":              {"仓储", "冷链仓储", "物流园"},
	"postal":                   {"快递", "速递"},
	"accommodation":            {"酒店", "宾馆", "民宿"},
	"catering":                 {"餐饮管理", "饭店", "海鲜楼", "食品坊"},
	"information_transmission": {"通信技术", "网络科技", "数据通信"},
	"software_it":              {"软件", "信息技术", "数字科技", "智能科技"},
	"real_estate_dev":          {"置业", "房地产开发"},
	"property_management":      {"物业管理", "物业服务"},
	"leasing_business":         {"企业管理咨询", "融资担保", "租赁", "人力资源", "会展服务"},
	"other":                    {"文化传媒", "教育咨询", "环保科技", "检测技术"},
}

var legalForms = []string{"有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"}

var surnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
var givenChars = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞建国志文斌浩宇婷雪梅林海波晨")

// Generator makes enterprises for the demo network.
type Generator struct {
	rng     *rand.Rand
	streets []string // 9-digit street codes
	n       int
	series  int // distinguishes the codes of generators with other seeds
}

// NewGenerator returns a generator over the demo's streets.
func NewGenerator(seed uint64) *Generator {
	g := &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), series: int(seed % 7)}
	for _, d := range districts {
		for i := range d.streets {
			g.streets = append(g.streets, StreetCode(d.code, i))
		}
	}
	return g
}

func (g *Generator) pick(s []string) string { return s[g.rng.IntN(len(s))] }

// Next returns the next enterprise. Credit codes are unique per generator
// (they carry the running number).
func (g *Generator) Next() enterprise.Enterprise {
	g.n++
	r := g.rng
	industry := enterprise.Industries[r.IntN(len(enterprise.Industries))]
	street := g.streets[r.IntN(len(g.streets))]
	trade := string([]rune{tradeChars[r.IntN(len(tradeChars))], tradeChars[r.IntN(len(tradeChars))]})
	place := "青岛"
	if r.IntN(5) == 0 {
		place = "山东"
	}
	name := place + trade + g.pick(industryWords[industry]) + g.pick(legalForms)
	if r.IntN(3) == 0 {
		name = place + trade + g.pick(industryWords[industry]) + "（" + g.distinct() + "）" + g.pick(legalForms)
	}
	// The organisation-code body: a letter (by series and tens of millions)
	// and seven digits; letters the code never uses are skipped.
	const letters = "ABCDEFGHJKLMNPQRTUWXY"
	body := fmt.Sprintf("%c%07d", letters[(g.series*3+g.n/10_000_000)%len(letters)], g.n%10_000_000)
	e := enterprise.Enterprise{
		USCC:         MakeUSCC("91", street[:6], body),
		Name:         name,
		Industry:     industry,
		RegionCode:   street,
		Address:      fmt.Sprintf("青岛市%s%d号", g.pick([]string{"香港中路", "山东路", "辽阳西路", "长江中路", "株洲路", "海尔路", "九水东路"}), 1+r.IntN(300)),
		ContactName:  string(surnames[r.IntN(len(surnames))]) + string(givenChars[r.IntN(len(givenChars))]),
		ContactPhone: fmt.Sprintf("1%d%d%08d", 3+r.IntN(7), r.IntN(10), r.IntN(100_000_000)),
	}
	// Size mix: ~70% micro, ~22% small, ~7% medium, ~1% large.
	scale := 0.004 + r.ExpFloat64()*0.05
	if r.IntN(100) == 0 {
		scale = 1.5 + r.Float64()
	}
	emp := int64(2 + scale*900*r.Float64())
	rev := float64(int(scale*30000*r.Float64()*100)) / 100
	assets := float64(int(scale*40000*r.Float64()*100)) / 100
	e.Employees, e.RevenueWan, e.AssetsWan = &emp, &rev, &assets
	return e
}

func (g *Generator) distinct() string {
	return g.pick([]string{"市南", "市北", "黄岛", "崂山", "李沧", "城阳", "即墨", "胶州", "平度", "莱西"})
}
