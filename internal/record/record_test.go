package record

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"2026-03-05", "2026-03-05", true},
		{"2026/3/5", "2026-03-05", true},
		{"2026.03.05", "2026-03-05", true},
		{"2026年3月5日", "2026-03-05", true},
		{" 2026 年 3 月 5 日 ", "2026-03-05", true},
		{"20260305", "2026-03-05", true},
		{"03-05-26", "2026-03-05", true}, // Excel's short date as excelize renders it
		{"3/5/26", "2026-03-05", true},
		{"46086", "2026-03-05", true}, // Excel's serial day number
		{"2026-02-29", "", false},     // not a leap year
		{"2026-13-01", "", false},
		{"2026-3", "", false},
		{"yesterday", "", false},
		{"", "", false},
		{"12345", "", false}, // a serial number too small to be a plausible date
	} {
		got, ok := ParseDate(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseDate(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestValidateDatesInChinaStandardTime(t *testing.T) {
	// 2026-11-26 17:30 UTC is already the 27th in China.
	now := time.Date(2026, 11, 26, 17, 30, 0, 0, time.UTC)
	in := Input{PlatformCode: "P1", EnterpriseUSCC: "91350100M000100Y43", Kind: "training", ServiceArea: "talent_training"}
	for date, ok := range map[string]bool{"2026-11-27": true, "2026-11-28": false} {
		in.Date = date
		if err := in.Validate(now); (err == nil) != ok {
			t.Errorf("date %s at %s: %v, want ok=%v", date, now, err, ok)
		}
	}
}

func TestAreaForTicket(t *testing.T) {
	for _, tc := range []struct{ category, title, content, want string }{
		{"consult", "咨询研发费用加计扣除", "财务人员咨询研发费用加计扣除的比例", "information"},
		{"suggestion", "建议增加政策宣讲", "", "information"},
		{"complaint", "投诉物业乱收费", "", "legal_aid"},
		{"rights_infringement", "拖欠中小企业账款", "", "legal_aid"},
		{"help", "融资需求对接", "企业有三百万元流动资金需求", "financing_guarantee"},
		{"help", "招工难请求对接", "企业急需招聘数控操作工", "talent_training"},
		{"help", "商标被抢注求助", "请求提供法律援助", "legal_aid"},
		{"help", "电子发票无法开具", "影响正常经营", "management_consulting"},
		{"help", "想参加广交会", "请帮助对接展会资源", "market_expansion"},
		{"help", "市场监管部门检查过多", "", "management_consulting"}, // "市场" alone is not market expansion
	} {
		if got := AreaForTicket(tc.category, tc.title, tc.content); got != tc.want {
			t.Errorf("AreaForTicket(%s, %s) = %s, want %s", tc.category, tc.title, got, tc.want)
		}
	}
}

func TestPlatformSince(t *testing.T) {
	created := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC) // the 26th in China
	if got := (PlatformRef{EstablishedOn: "2018-01-01", CreatedAt: created}).Since(); got != "2018-01-01" {
		t.Errorf("with a founding date: %s", got)
	}
	if got := (PlatformRef{CreatedAt: created}).Since(); got != "2026-11-26" {
		t.Errorf("without one: %s, want the day it was entered (China time)", got)
	}
}
