// Package demo loads a realistic demonstration network so that a fresh
// install can be clicked through at once: one city with ten districts and
// sixty streets, a city platform, district platforms, street platforms for
// about half the streets, specialised platforms, the usual departments, a few
// service institutions, and one login for every role. Loading twice changes
// nothing: what exists is kept.
package demo

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/app"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/uscc"
)

// Password is the password of every demo login (printed at the end).
const Password = "Qifu-Demo-2026!"

type district struct {
	code, name string
	streets    []string
}

// The city of the demo: Qingdao's districts with six streets each.
var city = org.Region{Code: "370200", Name: "青岛市", Level: org.LevelCity}

var districts = []district{
	{"370202", "市南区", []string{"八大关街道", "湛山街道", "香港中路街道", "八大峡街道", "云南路街道", "中山路街道"}},
	{"370203", "市北区", []string{"辽宁路街道", "登州路街道", "台东街道", "浮山新区街道", "敦化路街道", "即墨路街道"}},
	{"370211", "黄岛区", []string{"黄岛街道", "辛安街道", "薛家岛街道", "长江路街道", "灵珠山街道", "隐珠街道"}},
	{"370212", "崂山区", []string{"中韩街道", "沙子口街道", "王哥庄街道", "北宅街道", "金家岭街道", "崂山科技园区"}},
	{"370213", "李沧区", []string{"振华路街道", "兴华路街道", "浮山路街道", "李村街道", "虎山路街道", "楼山街道"}},
	{"370214", "城阳区", []string{"城阳街道", "流亭街道", "夏庄街道", "惜福镇街道", "棘洪滩街道", "上马街道"}},
	{"370215", "即墨区", []string{"通济街道", "环秀街道", "潮海街道", "龙山街道", "灵山街道", "北安街道"}},
	{"370281", "胶州市", []string{"阜安街道", "中云街道", "三里河街道", "九龙街道", "胶东街道", "胶北街道"}},
	{"370283", "平度市", []string{"东阁街道", "李园街道", "同和街道", "凤台街道", "白沙河街道", "南村镇"}},
	{"370285", "莱西市", []string{"水集街道", "望城街道", "沽河街道", "姜山镇", "夏格庄镇", "院上镇"}},
}

// Regions lists the demo's city, districts and streets, parents first.
func Regions() []org.Region {
	out := []org.Region{city}
	for _, d := range districts {
		out = append(out, org.Region{Code: d.code, Name: d.name, Level: org.LevelDistrict, ParentCode: city.Code})
	}
	for _, d := range districts {
		for i, s := range d.streets {
			out = append(out, org.Region{Code: StreetCode(d.code, i), Name: s, Level: org.LevelStreet, ParentCode: d.code, KeyStreet: i%3 != 2})
		}
	}
	return out
}

// StreetCode is the division code of the i-th street (0-based) of a district.
func StreetCode(districtCode string, i int) string { return fmt.Sprintf("%s%03d", districtCode, i+1) }

// PlatformCode names the comprehensive platform of a region.
func PlatformCode(regionCode string) string { return "P" + regionCode }

type specialised struct {
	code, name, region, body, since string
	area                            float64
}

var specialisedPlatforms = []specialised{
	{"S-FIN", "青岛市中小企业融资服务平台", "370200", "青岛市中小企业融资服务中心", "2015-09-01", 860},
	{"S-DESIGN", "青岛市工业设计公共服务平台", "370200", "青岛市工业设计协会", "2016-05-01", 1200},
	{"S-LAW", "青岛市中小企业法律服务平台", "370200", "青岛市律师协会", "2017-03-01", 180},
	{"S-TEST", "青岛市检验检测公共服务平台", "370200", "青岛市计量技术研究院", "2014-11-01", 2600},
	{"S-SOFT", "崂山区软件和信息技术服务平台", "370212", "崂山区软件园管理办公室", "2019-04-01", 450},
}

var departments = []org.Department{
	{Code: "FGW", Name: "市发展和改革委员会", Categories: []string{"rights_infringement", "suggestion"}},
	{Code: "KJJ", Name: "市科学技术局", Categories: []string{"rights_infringement"}},
	{Code: "CZJ", Name: "市财政局", Categories: []string{"rights_infringement"}},
	{Code: "RSJ", Name: "市人力资源和社会保障局", Categories: []string{"rights_infringement", "complaint"}},
	{Code: "STHJJ", Name: "市生态环境局", Categories: []string{"rights_infringement"}},
	{Code: "SCJGJ", Name: "市市场监督管理局", Categories: []string{"rights_infringement", "complaint"}},
	{Code: "GXJ", Name: "市工业和信息化局", Categories: []string{"rights_infringement", "suggestion"}},
	{Code: "SWJ", Name: "国家税务总局青岛市税务局", Categories: []string{"rights_infringement"}},
}

var institutions = []org.Institution{
	{Code: "I-QDBANK", Name: "青岛银行小微企业金融服务中心", Kind: "bank", PlatformCode: "S-FIN"},
	{Code: "I-HAINA", Name: "青岛海纳融资担保有限公司", Kind: "guarantee", PlatformCode: "S-FIN"},
	{Code: "I-LAW", Name: "山东青法律师事务所", Kind: "legal", PlatformCode: "S-LAW"},
	{Code: "I-CONSULT", Name: "青岛明策企业管理咨询有限公司", Kind: "consulting", PlatformCode: "P370200"},
	{Code: "I-TRAIN", Name: "青岛职业技能培训学院", Kind: "training", PlatformCode: "P370200"},
	{Code: "I-ESCO", Name: "青岛绿能节能服务有限公司", Kind: "energy_saving", PlatformCode: "P370211"},
}

// DemoEnterprise is the credit code the demo enterprise login belongs to.
var DemoEnterprise = MakeUSCC("91", "370202", "MA3C8Q1D")

// MakeUSCC builds a valid credit code from its parts: two leading
// characters, a six-digit division code, and eight characters of the
// organisation code body (its GB 11714 check and the final check character
// are computed).
func MakeUSCC(lead, region, body8 string) string {
	w := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8; i++ {
		c := body8[i]
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = int(c-'A') + 10
		}
		sum += v * w[i]
	}
	var oc byte
	switch r := 11 - sum%11; r {
	case 10:
		oc = 'X'
	case 11:
		oc = '0'
	default:
		oc = byte('0' + r)
	}
	first17 := lead + region + body8 + string(oc)
	return first17 + string(uscc.CheckChar(first17))
}

// Login is one demo account.
type Login struct {
	Username string
	Role     access.Role
	Org      string
	What     string
}

// Logins are the demo accounts, one per role.
var Logins = []Login{
	{"admin", access.CityAdmin, "", "市经信局管理员"},
	{"district", access.DistrictStaff, PlatformCode("370202"), "市南区平台"},
	{"street", access.StreetStaff, PlatformCode(StreetCode("370202", 0)), "八大关街道平台"},
	{"specialised", access.SpecialisedStaff, "S-FIN", "融资服务平台"},
	{"department", access.DepartmentStaff, "SCJGJ", "市市场监督管理局"},
	{"hotline", access.HotlineOperator, "", "热线坐席"},
	{"institution", access.InstitutionStaff, "I-HAINA", "海纳融资担保"},
	{"enterprise", access.Enterprise, DemoEnterprise, "演示企业"},
	{"auditor", access.Auditor, "", "审计员"},
}

// Options size the demo.
type Options struct {
	Tickets int // tickets over the past year
	Records int // services recorded by hand over the past year
	// NetworkTargets sets the city's yearly targets and certifies some
	// demonstration platforms (R1.8).
	NetworkTargets bool
}

// Load builds the full demo network in a, keeping whatever already exists,
// and prints the logins.
func Load(ctx context.Context, a *app.App, out io.Writer) error {
	return LoadWith(ctx, a, out, Options{Tickets: Tickets, Records: Records, NetworkTargets: true})
}

// LoadWith builds the demo sized by o (tests use no tickets: they file
// their own).
func LoadWith(ctx context.Context, a *app.App, out io.Writer, o Options) error {
	sys := access.SystemActor("demo")
	if err := a.Auth.SetRequireTOTP(ctx, sys, false); err != nil {
		return err
	}
	if err := loadNetwork(ctx, a, sys); err != nil {
		return err
	}
	if err := loadEnterprises(ctx, a, sys, Enterprises); err != nil {
		return err
	}
	if err := loadTickets(ctx, a, sys, o.Tickets); err != nil {
		return err
	}
	if err := loadRecords(ctx, a, sys, o.Records); err != nil {
		return err
	}
	if o.NetworkTargets {
		if err := loadNetworkTargets(ctx, a, sys); err != nil {
			return err
		}
	}
	if err := loadLogins(ctx, a, sys); err != nil {
		return err
	}
	if _, err := a.Audit.Seal(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "Demo network loaded into %s: 1 city, %d districts, %d streets, %d departments, %d institutions, %d enterprises, %d tickets and about %d recorded services over the past year.\n",
		a.DB.Target(), len(districts), len(districts)*6, len(departments), len(institutions), Enterprises+1, o.Tickets, o.Records)
	return printLogins(out)
}

// loadLogins creates the demo's logins (those that exist are kept).
func loadLogins(ctx context.Context, a *app.App, sys access.Actor) error {
	for _, l := range Logins {
		_, err := a.Auth.CreateUser(ctx, sys, auth.NewUser{Username: l.Username, Password: Password, Role: l.Role,
			OrgCode: l.Org, DisplayName: l.What})
		if err := keep(err); err != nil {
			return fmt.Errorf("demo user %s: %w", l.Username, err)
		}
	}
	return nil
}

// printLogins prints the demo's logins.
func printLogins(out io.Writer) error {
	fmt.Fprintf(out, "Two-factor authentication is OFF for the demo (Settings → Security turns it on).\n\n")
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tPASSWORD\tROLE\tORG\t")
	for _, l := range Logins {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s\t\n", l.Username, Password, l.Role, l.Org, l.What)
	}
	return tw.Flush()
}

// keep treats "already exists" as success, so the demo can be loaded twice.
func keep(err error) error {
	if apperr.Is(err, apperr.Conflict) {
		return nil
	}
	return err
}

func loadNetwork(ctx context.Context, a *app.App, sys access.Actor) error {
	if _, err := a.Org.UpdateBrand(ctx, sys, org.Brand{Name: "青岛市中小企业公共服务平台", ShortName: "青岛企服",
		Domain: "sme.qingdao.example.gov.cn", Hotline: "0532-96633"}); err != nil {
		return err
	}
	// Two in three streets are key streets (重点街道) for the coverage target.
	for _, r := range Regions() {
		if _, err := a.Org.CreateRegion(ctx, sys, r); keep(err) != nil {
			return err
		}
	}
	platforms := []org.Platform{{Code: PlatformCode(city.Code), Name: "青岛市中小企业公共服务中心", Tier: org.TierCity,
		RegionCode: city.Code, LegalStatus: "事业单位", OperatingBody: "青岛市中小企业发展服务中心", FundingSource: "市级财政",
		FundingWan: 1800, StaffCount: 86, ProfessionalStaff: 52, AreaM2: 4600, Hotline: "0532-96633",
		Address: "青岛市市南区香港中路", EstablishedOn: "2012-03-01"}}
	for di, d := range districts {
		area := 260 + float64(di*45)
		platforms = append(platforms, org.Platform{Code: PlatformCode(d.code), Name: d.name + "中小企业公共服务平台",
			Tier: org.TierDistrict, RegionCode: d.code, LegalStatus: "事业单位", OperatingBody: d.name + "中小企业服务中心",
			FundingSource: "区级财政", FundingWan: 120 + float64(di*15), StaffCount: 12 + di, ProfessionalStaff: 6 + di/2,
			AreaM2: area, Hotline: fmt.Sprintf("0532-8%03d%04d", di+100, 1000+di), Address: "青岛市" + d.name,
			EstablishedOn: fmt.Sprintf("%d-06-01", 2013+di%4)})
		for i, s := range d.streets[:3] {
			pl := org.Platform{Code: PlatformCode(StreetCode(d.code, i)), Name: s + "中小企业服务站", Tier: org.TierStreet,
				RegionCode: StreetCode(d.code, i), StaffCount: 3 + i, ProfessionalStaff: 1 + i%2, AreaM2: 80 + float64((di+i)*12),
				OperatingBody: s + "办事处", FundingSource: "街道经费", FundingWan: 15 + float64(i*5), Address: "青岛市" + d.name + s,
				EstablishedOn: fmt.Sprintf("%d-%02d-01", 2018+(di+i)%5, 1+(di*3+i)%12)}
			if (di+i)%5 == 4 {
				pl.OperatingBody = "" // a platform with its 四落实 incomplete
			}
			platforms = append(platforms, pl)
		}
	}
	for _, s := range specialisedPlatforms {
		platforms = append(platforms, org.Platform{Code: s.code, Name: s.name, Tier: org.TierSpecialised, RegionCode: s.region,
			LegalStatus: "独立法人", OperatingBody: s.body, FundingSource: "自筹及专项资金", FundingWan: 200, StaffCount: 20,
			ProfessionalStaff: 14, AreaM2: s.area, EstablishedOn: s.since})
	}
	for _, p := range platforms {
		if _, err := a.Org.CreatePlatform(ctx, sys, p); keep(err) != nil {
			return fmt.Errorf("demo platform %s: %w", p.Code, err)
		}
	}
	for _, d := range departments {
		if _, err := a.Org.CreateDepartment(ctx, sys, d); keep(err) != nil {
			return err
		}
	}
	for _, in := range institutions {
		if _, err := a.Org.CreateInstitution(ctx, sys, in); keep(err) != nil {
			return err
		}
	}
	return nil
}

// Enterprises is how many generated enterprises the demo registers (besides
// the demo enterprise login's own).
const Enterprises = 3000

// DemoEnterpriseName is the name of the demo enterprise login's enterprise.
const DemoEnterpriseName = "青岛企服演示科技有限公司"

func loadEnterprises(ctx context.Context, a *app.App, sys access.Actor, n int) error {
	emp, rev := int64(36), 1200.0
	own := enterprise.Enterprise{USCC: DemoEnterprise, Name: DemoEnterpriseName, Industry: "software_it",
		Employees: &emp, RevenueWan: &rev, RegionCode: StreetCode("370202", 0), Address: "青岛市市南区香港中路10号",
		ContactName: "周明", ContactPhone: "13806390000"}
	g := NewGenerator(2026)
	batch := []enterprise.Enterprise{own}
	for i := 0; i < n; i++ {
		batch = append(batch, g.Next())
	}
	for i := range batch {
		batch[i].Normalize()
		if err := batch[i].Validate(); err != nil {
			return fmt.Errorf("demo enterprise %s: %w", batch[i].Name, err)
		}
	}
	for start := 0; start < len(batch); start += 1000 {
		if _, err := a.Enterprise.UpsertBatch(ctx, sys, "demo", batch[start:min(start+1000, len(batch))]); err != nil {
			return err
		}
	}
	return nil
}
