package enterprise

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/tabular"
)

// importAliases are the headings each field may have in a bureau's list.
var importAliases = map[string][]string{
	"uscc":          {"统一社会信用代码", "社会信用代码", "信用代码", "credit_code", "credit code"},
	"name":          {"企业名称", "名称", "单位名称", "企业(单位)名称", "enterprise", "enterprise name"},
	"industry":      {"所属行业", "行业", "行业类别", "行业分类"},
	"employees":     {"从业人员", "从业人员数", "从业人员(人)", "职工人数", "员工人数"},
	"revenue_wan":   {"营业收入(万元)", "营业收入", "年营业收入(万元)", "revenue", "revenue (10k yuan)"},
	"assets_wan":    {"资产总额(万元)", "资产总额", "assets", "total assets"},
	"region_code":   {"所在街道/区划代码", "所在街道", "区划代码", "街道", "所在区划", "region", "street"},
	"address":       {"地址", "注册地址", "经营地址", "住所"},
	"contact_name":  {"联系人", "contact"},
	"contact_phone": {"联系电话", "电话", "手机", "联系方式", "phone", "telephone"},
}

// RequiredColumns must be in every enterprise list.
var RequiredColumns = []string{"uscc", "name", "industry", "region_code"}

// industryLookup maps an industry as written in a list — its key, its
// Chinese or English label, or a common name — to the key.
var industryLookup = func() map[string]string {
	m := map[string]string{}
	for _, l := range locale.Langs {
		p := locale.NewPrinter(l)
		for _, k := range Industries {
			m[k] = k
			m[tabular.NormalizeHeading(p.T("industry."+k))] = k
		}
	}
	for alias, k := range map[string]string{
		"农业": "agriculture", "林业": "agriculture", "渔业": "agriculture", "农林牧渔业": "agriculture",
		"制造业": "industry", "采矿业": "industry", "电力、热力、燃气及水生产和供应业": "industry",
		"交通运输": "transport", "物流": "transport", "软件业": "software_it", "信息技术服务业": "software_it",
		"软件和信息技术服务": "software_it", "房地产业": "real_estate_dev", "房地产": "real_estate_dev",
		"租赁和商务服务": "leasing_business", "商务服务业": "leasing_business", "其他": "other",
	} {
		m[tabular.NormalizeHeading(alias)] = k
	}
	return m
}()

// RegionRef is what an import needs to know of a region.
type RegionRef struct {
	Code, Name, Level, ParentCode string
}

// regionResolver turns a list's region cell — a division code, a street
// name, or a district and street name — into a region code.
type regionResolver struct {
	codes  map[string]bool
	byName map[string][]string
}

func newRegionResolver(refs []RegionRef) regionResolver {
	r := regionResolver{codes: map[string]bool{}, byName: map[string][]string{}}
	names := map[string]string{}
	for _, ref := range refs {
		r.codes[ref.Code] = true
		names[ref.Code] = ref.Name
	}
	for _, ref := range refs {
		if ref.Level != "street" {
			continue
		}
		for _, n := range []string{ref.Name, names[ref.ParentCode] + ref.Name} {
			k := tabular.NormalizeHeading(n)
			r.byName[k] = append(r.byName[k], ref.Code)
		}
	}
	return r
}

func (r regionResolver) resolve(cell string) (string, error) {
	if r.codes[cell] {
		return cell, nil
	}
	switch codes := r.byName[tabular.NormalizeHeading(cell)]; len(codes) {
	case 1:
		return codes[0], nil
	case 0:
		return "", apperr.Field("region_code", "unknown_reference", "error.unknown_region")
	default:
		return "", apperr.Field("region_code", "ambiguous", "error.ambiguous_region")
	}
}

// ImportOptions steer an import.
type ImportOptions struct {
	// Name is the file's name, recorded in the audit log.
	Name string
	// BatchSize is how many rows one transaction writes (default 10,000).
	BatchSize int
	// Describe renders a row's error for the report (the caller knows the
	// language); default err.Error().
	Describe func(err error) string
	// Progress, when set, is told after every batch.
	Progress func(ImportProgress)
	// MaxProblems bounds the problems kept for the report (default
	// 100,000); beyond it they are only counted.
	MaxProblems int
}

// ImportProgress is how far an import has come.
type ImportProgress struct {
	Rows     int     `json:"rows"`     // data rows read
	Created  int     `json:"created"`  // new enterprises
	Updated  int     `json:"updated"`  // known credit codes updated
	Rejected int     `json:"rejected"` // rows refused
	Fraction float64 `json:"fraction"` // of the file read, 0–1 (-1 unknown)
}

// ImportResult is the outcome of an import.
type ImportResult struct {
	ImportProgress
	Duplicates int               `json:"duplicates"` // rows whose code came again later in the file
	Problems   []tabular.Problem `json:"problems"`
	Truncated  bool              `json:"truncated"` // more problems than kept
	Unknown    []string          `json:"unknown_columns"`
	Format     tabular.Format    `json:"format"`
	Encoding   string            `json:"encoding"`
}

// batch is a group of valid rows on its way to the database.
type importBatch struct {
	rows []Enterprise
}

// Import reads an enterprise list and upserts every valid row by credit
// code, in batches of one transaction each: a re-import updates and never
// duplicates; an interrupted import keeps the batches written and can be run
// again. A bad row never blocks the good ones: it is reported with its row
// number, column, value and reason. Within one file a credit code's last
// row wins, and the report says so. Errors (nothing is written): forbidden
// (city admin only), invalid file with missing_columns.
func (s *Service) Import(ctx context.Context, a access.Actor, r tabular.Reader, o ImportOptions) (ImportResult, error) {
	if !a.IsAdmin() {
		return ImportResult{}, apperr.Deny()
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 10_000
	}
	if o.MaxProblems <= 0 {
		o.MaxProblems = 100_000
	}
	if o.Describe == nil {
		o.Describe = func(err error) string { return err.Error() }
	}
	cols, unknown, missing, err := tabular.FindHeader(r, importAliases, RequiredColumns...)
	if err != nil {
		return ImportResult{}, apperr.Field("file", "missing_columns", "error.missing_columns").
			With("columns", strings.Join(missing, ", "))
	}
	var refs []RegionRef
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		refs, err = tx.RegionRefs(ctx)
		return err
	}); err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{Unknown: unknown, Format: r.Format(), Encoding: r.Encoding()}
	p := &parser{cols: cols, regions: newRegionResolver(refs), seen: newSeenCodes(), res: &res, o: o}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Unbuffered: one batch written while the next is parsed and waits,
	// never more (each is about 12 MB for 10,000 rows; the parser takes a
	// quarter of the writer's time or less, so a queue would only hold
	// memory).
	batches := make(chan importBatch)
	var readErr error
	go func() {
		defer close(batches)
		readErr = p.run(ctx, r, batches)
	}()
	var writeErr error
	for b := range batches {
		if writeErr != nil {
			continue // drain so the reader can finish
		}
		out, err := s.UpsertBatch(ctx, a, o.Name, b.rows)
		if err != nil {
			writeErr = err
			cancel()
			continue
		}
		p.mu.Lock()
		res.Created += out.Created
		res.Updated += out.Updated
		res.Fraction = r.Progress()
		prog := res.ImportProgress
		p.mu.Unlock()
		if o.Progress != nil {
			o.Progress(prog)
		}
	}
	if writeErr != nil {
		return res, writeErr
	}
	if readErr != nil && !errors.Is(readErr, context.Canceled) {
		return res, readErr
	}
	if res.Created+res.Updated >= analyzeAfter && ctx.Err() == nil {
		// Until the planner knows the new rows, PostgreSQL may walk a
		// million of them for one search (measured: 0.7 s); autovacuum
		// would tell it, but only a while later, if it is on.
		if err := s.store.Write(ctx, func(tx Tx) error { return tx.AnalyzeEnterprises(ctx) }); err != nil {
			return res, err
		}
	}
	res.Fraction = 1
	return res, ctx.Err()
}

// analyzeAfter is how many rows an import writes before it refreshes the
// planner's statistics.
const analyzeAfter = 10_000

// ReportLabels are the texts of an import's rejection report in p's
// language.
func ReportLabels(p *locale.Printer, file string, res ImportResult, at time.Time) tabular.ReportLabels {
	return tabular.ReportLabels{
		Title: p.T("import.report_title"),
		Subtitle: p.T("import.report_subtitle", "file", file, "time", at.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04"),
			"rows", res.Rows, "created", res.Created, "updated", res.Updated, "rejected", res.Rejected),
		Row: p.T("import.col_row"), Column: p.T("import.col_column"), Value: p.T("import.col_value"),
		Reason: p.T("import.col_reason"), Class: p.T("import.col_class"),
		Rejected: p.T("import.rejected"), Warning: p.T("import.warning"),
	}
}
