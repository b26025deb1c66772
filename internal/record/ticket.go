package record

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/audit"
)

// TicketClose is what a closing ticket tells its record.
type TicketClose struct {
	TicketID int64
	Number   string
	// The handler: a platform or a department code (one of them).
	PlatformCode   string
	DepartmentCode string
	EnterpriseUSCC string
	Category       string
	Title, Content string
	ClosedAt       time.Time
}

// categoryAreas is the service area of a ticket by its category: an
// enquiry or a suggestion is information service (政策咨询, 信息服务); a
// complaint or an infringement of rights is legal aid and rights
// protection (维权); a request for help is management consulting (协调解决
// 经营中的问题) unless its words say better (helpAreas).
var categoryAreas = map[string]string{
	"consult":             "information",
	"suggestion":          "information",
	"complaint":           "legal_aid",
	"rights_infringement": "legal_aid",
	"help":                "management_consulting",
}

// helpAreas refine a request for help by the words of its title and
// content, the first rule that matches winning: a request for a loan is
// financing, for workers talent, for a trademark legal aid …
var helpAreas = []struct {
	area  string
	words []string
}{
	{"financing_guarantee", []string{"融资", "贷款", "担保", "授信", "信贷", "资金", "loan", "financing"}},
	{"legal_aid", []string{"法律", "律师", "商标", "专利", "知识产权", "侵权", "合同", "欠款", "lawyer", "trademark"}},
	{"talent_training", []string{"招工", "招聘", "用工", "人才", "培训", "技能", "recruit", "training"}},
	{"entrepreneurship", []string{"创业", "开办企业", "孵化", "start-up", "startup"}},
	{"international_exchange", []string{"国际", "境外", "外资", "跨境", "international"}},
	{"market_expansion", []string{"开拓市场", "市场开拓", "拓展市场", "展会", "订单", "销路", "电商", "new market"}},
	{"technical_support", []string{"技术", "检测", "认证", "研发", "数字化", "信息化", "technical"}},
}

// AreaForTicket is the service area a closed ticket's record gets: by its
// category, a request for help refined by its words (see helpAreas).
// Staff correct the area when the guess is wrong.
func AreaForTicket(category, title, content string) string {
	if category == "help" {
		text := strings.ToLower(title + " " + content)
		for _, r := range helpAreas {
			for _, w := range r.words {
				if strings.Contains(text, w) {
					return r.area
				}
			}
		}
	}
	if a, ok := categoryAreas[category]; ok {
		return a
	}
	return "information"
}

// ForTicket writes the record of a ticket that has just closed, in the
// ticket's transaction, for the platform or department that handled it:
// kind ticket, dated the day it closed. A ticket has at most one live
// record: if it has one already (written before, and not cancelled),
// nothing is written. A ticket about no registered enterprise (a caller
// who gave no credit code, or one not registered yet) writes none: the
// record counts an enterprise served, and which one is unknown. It reports
// whether a record was written.
func ForTicket(ctx context.Context, tx TicketTx, a access.Actor, c TicketClose) (bool, error) {
	if c.EnterpriseUSCC == "" || c.PlatformCode == "" && c.DepartmentCode == "" {
		return false, nil
	}
	name, ok, err := tx.EnterpriseName(ctx, c.EnterpriseUSCC)
	if err != nil || !ok {
		return false, err
	}
	if exists, err := tx.TicketRecordExists(ctx, c.TicketID); err != nil || exists {
		return false, err
	}
	id := c.TicketID
	r := Record{PlatformCode: c.PlatformCode, DepartmentCode: c.DepartmentCode, EnterpriseUSCC: c.EnterpriseUSCC,
		EnterpriseName: name, Kind: KindTicket, ServiceArea: AreaForTicket(c.Category, c.Title, c.Content),
		Date: Today(c.ClosedAt), Source: SourceTicket, TicketID: &id, TicketNumber: c.Number,
		CreatedBy: a.Username, CreatedAt: c.ClosedAt}
	if err := tx.InsertServiceRecord(ctx, &r); err != nil {
		return false, err
	}
	err = tx.AppendAudit(ctx, audit.New(a, c.ClosedAt, "service_record.create", "service_record", strconv.FormatInt(r.ID, 10),
		audit.Success).Change(nil, r).WithDetail("ticket "+c.Number))
	return err == nil, err
}
