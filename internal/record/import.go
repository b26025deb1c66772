package record

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/tabular"
	"github.com/qifu/qifu/internal/uscc"
)

// importAliases are the headings each field may have in a platform's
// service ledger (服务台账).
var importAliases = map[string][]string{
	"platform_code":   {"服务平台", "平台", "平台编码", "平台代码", "服务平台编码", "服务单位", "platform", "platform code"},
	"enterprise_uscc": {"统一社会信用代码", "社会信用代码", "信用代码", "企业信用代码", "credit code", "uscc"},
	"enterprise_name": {"企业名称", "服务对象", "企业", "单位名称", "enterprise", "enterprise name"},
	"kind":            {"服务类型", "服务方式", "类型", "kind", "type", "kind of service"},
	"service_area":    {"功能服务区", "服务领域", "服务类别", "service area", "area"},
	"date":            {"服务日期", "日期", "服务时间", "date", "service date"},
	"note":            {"服务内容", "备注", "说明", "note", "notes"},
}

// RequiredColumns must be in every ledger; the platform column too unless
// the importer is a platform's staff (its own platform is the default).
var RequiredColumns = []string{"enterprise_uscc", "kind", "service_area", "date"}

// labelLookup maps the ways a ledger writes a kind or an area — the key,
// its Chinese or English label, a common name — to the key.
func labelLookup(prefix string, keys []string, aliases map[string]string) map[string]string {
	m := map[string]string{}
	for _, l := range locale.Langs {
		p := locale.NewPrinter(l)
		for _, k := range keys {
			m[k] = k
			m[tabular.NormalizeHeading(p.T(prefix+k))] = k
		}
	}
	for alias, k := range aliases {
		m[tabular.NormalizeHeading(alias)] = k
	}
	return m
}

var kindLookup = labelLookup("record_kind.", Kinds, map[string]string{
	"工单": "ticket", "诉求": "ticket", "诉求办理": "ticket", "咨询": "consultation", "政策咨询": "consultation",
	"咨询服务": "consultation", "培训": "training", "培训服务": "training", "服务产品": "service_item", "服务项目": "service_item",
	"融资": "financing", "融资服务": "financing", "融资对接": "financing", "活动": "event", "其他": "other", "其它": "other",
})

var areaLookup = labelLookup("service_area.", Areas, map[string]string{
	"信息": "information", "人才": "talent_training", "培训": "talent_training", "创业": "entrepreneurship",
	"管理": "management_consulting", "管理咨询服务": "management_consulting", "技术": "technical_support",
	"融资": "financing_guarantee", "担保": "financing_guarantee", "市场": "market_expansion", "法律": "legal_aid",
	"法律服务": "legal_aid", "维权": "legal_aid", "国际交流": "international_exchange", "国际合作": "international_exchange",
})

// ImportOptions steer an import.
type ImportOptions struct {
	// Name is the file's name, recorded in the audit log.
	Name string
	// BatchSize is how many rows one transaction writes (default 1,000).
	BatchSize int
	// Describe renders a row's error for the report (default err.Error()).
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
	Created  int     `json:"created"`  // records added
	Skipped  int     `json:"skipped"`  // rows already recorded (in the file or before)
	Rejected int     `json:"rejected"` // rows refused
	Fraction float64 `json:"fraction"` // of the file read, 0–1 (-1 unknown)
}

// ImportResult is the outcome of an import.
type ImportResult struct {
	ImportProgress
	Problems  []tabular.Problem `json:"problems"`
	Truncated bool              `json:"truncated"`
	Unknown   []string          `json:"unknown_columns"`
	Format    tabular.Format    `json:"format"`
	Encoding  string            `json:"encoding"`
}

// pending is a row parsed and checked without the database, on its way to
// its batch.
type pending struct {
	row int
	rec Record
	raw []string
}

// key identifies the same service written twice.
func (r Record) key() string {
	return strings.Join([]string{r.PlatformCode, r.EnterpriseUSCC, r.Kind, r.ServiceArea, r.Date, r.Note}, "\x1f")
}

// Import reads a service ledger (CSV or XLSX) and adds a record for every
// valid row, in batches of one transaction each, one audit entry per
// batch. A bad row never blocks the good ones: it is reported with its row
// number, column, value and reason. A row that repeats a live record — the
// same platform, enterprise, kind, area, date and note, earlier in the file
// or already stored — is skipped with a warning, so importing a file again
// adds nothing. The city admin imports for any platform; platform staff for
// theirs and those below (rows for others are rejected), and the platform
// column may then be left out. Errors (nothing written): forbidden;
// invalid file missing_columns.
func (s *Service) Import(ctx context.Context, a access.Actor, r tabular.Reader, o ImportOptions) (ImportResult, error) {
	if !recordsAny(a) {
		return ImportResult{}, apperr.Deny()
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 1000
	}
	if o.MaxProblems <= 0 {
		o.MaxProblems = 100_000
	}
	if o.Describe == nil {
		o.Describe = func(err error) string { return err.Error() }
	}
	required := RequiredColumns
	if a.IsAdmin() {
		required = append([]string{"platform_code"}, required...)
	}
	cols, unknown, missing, err := tabular.FindHeader(r, importAliases, required...)
	if err != nil {
		names := make([]string, len(missing))
		for i, m := range missing {
			names[i] = columnName(m)
		}
		return ImportResult{}, apperr.Field("file", "missing_columns", "error.missing_columns").
			With("columns", strings.Join(names, ", "))
	}
	var plats []PlatformRef
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		plats, err = tx.RecordPlatforms(ctx)
		return err
	}); err != nil {
		return ImportResult{}, err
	}
	im := &importer{s: s, a: a, o: o, cols: cols, now: s.clock.Now(), platforms: map[string]PlatformRef{},
		byName: map[string][]string{}, seen: map[string]int{}, res: &ImportResult{Unknown: unknown, Format: r.Format(), Encoding: r.Encoding()}}
	for _, p := range plats {
		im.platforms[p.Code] = p
		im.byName[tabular.NormalizeHeading(p.Name)] = append(im.byName[tabular.NormalizeHeading(p.Name)], p.Code)
	}
	if !cols.Has("platform_code") {
		im.fixed = a.OrgCode
	}
	batch := make([]pending, 0, o.BatchSize)
	for {
		if err := ctx.Err(); err != nil {
			return *im.res, err
		}
		row, n, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		im.res.Rows++
		if err != nil {
			im.problem(tabular.Problem{Row: n, Reason: err.Error()}, false)
			if n == 0 {
				return *im.res, err
			}
			continue
		}
		rec, field, err := im.parse(row)
		if err != nil {
			im.problem(tabular.Problem{Row: n, Column: cols.Heading(field), Value: cols.Get(row, field), Reason: o.Describe(err)}, false)
			continue
		}
		if prev, ok := im.seen[rec.key()]; ok {
			im.skip(n, row, apperr.Field("enterprise_uscc", "duplicate_in_file", "error.record_duplicate_in_file").With("row", prev))
			continue
		}
		im.seen[rec.key()] = n
		batch = append(batch, pending{row: n, rec: rec, raw: row})
		if len(batch) >= o.BatchSize {
			if err := im.write(ctx, batch); err != nil {
				return *im.res, err
			}
			im.res.Fraction = r.Progress()
			if o.Progress != nil {
				o.Progress(im.res.ImportProgress)
			}
			batch = batch[:0]
		}
	}
	if err := im.write(ctx, batch); err != nil {
		return *im.res, err
	}
	im.res.Fraction = 1
	if o.Progress != nil {
		o.Progress(im.res.ImportProgress)
	}
	return *im.res, nil
}

// columnName is how a missing column is named to the user: its first
// Chinese heading.
func columnName(field string) string {
	if names := importAliases[field]; len(names) > 0 {
		return names[0]
	}
	return field
}

type importer struct {
	s         *Service
	a         access.Actor
	o         ImportOptions
	cols      tabular.Columns
	now       time.Time
	platforms map[string]PlatformRef
	byName    map[string][]string
	fixed     string         // the platform of every row, when the file has no platform column
	seen      map[string]int // a row's key → the row it was first seen in
	res       *ImportResult
}

// parse builds a record from a row and checks what needs no stored data;
// on error it names the field.
func (im *importer) parse(row []string) (Record, string, error) {
	get := func(f string) string { return strings.TrimSpace(im.cols.Get(row, f)) }
	in := Input{PlatformCode: get("platform_code"), EnterpriseUSCC: get("enterprise_uscc"), Note: get("note")}
	if im.fixed != "" {
		in.PlatformCode = im.fixed
	}
	if in.PlatformCode == "" {
		return Record{}, "platform_code", platformErr(apperr.Required("platform_code"))
	}
	p, ok := im.platforms[in.PlatformCode]
	if !ok {
		switch codes := im.byName[tabular.NormalizeHeading(in.PlatformCode)]; len(codes) {
		case 1:
			p = im.platforms[codes[0]]
		case 0:
			return Record{}, "platform_code", platformErr(apperr.Field("platform_code", "unknown_reference", "error.unknown_reference"))
		default:
			return Record{}, "platform_code", platformErr(apperr.Field("platform_code", "ambiguous", "error.record_platform_ambiguous"))
		}
	}
	in.PlatformCode = p.Code
	if !mayRecordFor(im.a, p.Path) {
		return Record{}, "platform_code", platformErr(apperr.Field("platform_code", "outside_scope", "error.record_platform_scope_row"))
	}
	if k := get("kind"); k != "" {
		if key, ok := kindLookup[tabular.NormalizeHeading(k)]; ok {
			in.Kind = key
		} else {
			in.Kind = k
		}
	}
	if ar := get("service_area"); ar != "" {
		if key, ok := areaLookup[tabular.NormalizeHeading(ar)]; ok {
			in.ServiceArea = key
		} else {
			in.ServiceArea = ar
		}
	}
	in.Date = get("date")
	if in.Date != "" {
		d, ok := ParseDate(in.Date)
		if !ok {
			return Record{}, "date", apperr.Field("date", "invalid_date", "error.record_date")
		}
		in.Date = d
	}
	in.Normalize()
	if err := in.Validate(im.now); err != nil {
		return Record{}, apperr.As(err).Field, err
	}
	if since := p.Since(); in.Date < since {
		return Record{}, "date", apperr.Field("date", "date_before_platform", "error.record_date_before_platform").
			With("since", since).With("platform", p.Name)
	}
	return Record{PlatformCode: in.PlatformCode, PlatformPath: p.Path, EnterpriseUSCC: in.EnterpriseUSCC, Kind: in.Kind,
		ServiceArea: in.ServiceArea, Date: in.Date, Note: in.Note, Source: SourceImport, CreatedBy: im.a.Username,
		CreatedAt: im.now}, "", nil
}

// write stores one batch in one transaction: rows whose enterprise is not
// registered are rejected, rows already recorded skipped, the rest added.
func (im *importer) write(ctx context.Context, batch []pending) error {
	if len(batch) == 0 {
		return nil
	}
	codes := map[string]bool{}
	from, to := batch[0].rec.Date, batch[0].rec.Date
	for _, p := range batch {
		codes[p.rec.EnterpriseUSCC] = true
		from, to = min(from, p.rec.Date), max(to, p.rec.Date)
	}
	list := make([]string, 0, len(codes))
	for c := range codes {
		list = append(list, c)
	}
	var problems []func()
	created := 0
	err := im.s.store.Write(ctx, func(tx Tx) error {
		problems, created = nil, 0
		names, err := tx.RegisteredEnterprises(ctx, list)
		if err != nil {
			return err
		}
		existing, err := tx.LiveServiceRecordsOf(ctx, list, from, to)
		if err != nil {
			return err
		}
		stored := map[string]bool{}
		for _, r := range existing {
			stored[r.key()] = true
		}
		for _, p := range batch {
			name, ok := names[p.rec.EnterpriseUSCC]
			if !ok {
				problems = append(problems, func() {
					im.problem(tabular.Problem{Row: p.row, Column: im.cols.Heading("enterprise_uscc"), Value: p.rec.EnterpriseUSCC,
						Reason: im.o.Describe(apperr.Field("enterprise_uscc", "unknown_enterprise", "error.record_unknown_enterprise"))}, false)
				})
				continue
			}
			if stored[p.rec.key()] {
				problems = append(problems, func() {
					im.skip(p.row, p.raw, apperr.Field("enterprise_uscc", "already_recorded", "error.record_already_recorded"))
				})
				continue
			}
			p.rec.EnterpriseName = name
			if err := tx.InsertServiceRecord(ctx, &p.rec); err != nil {
				return err
			}
			created++
		}
		if created == 0 {
			return nil
		}
		return tx.AppendAudit(ctx, audit.New(im.a, im.now, "service_record.import", "service_record", im.o.Name, audit.Success).
			WithDetail(strconv.Itoa(created)+" created, rows "+strconv.Itoa(batch[0].row)+"–"+strconv.Itoa(batch[len(batch)-1].row)))
	})
	if err != nil {
		return err
	}
	im.res.Created += created
	for _, f := range problems {
		f()
	}
	return nil
}

// skip records a row left out because it is recorded already.
func (im *importer) skip(row int, raw []string, err error) {
	im.res.Skipped++
	im.problem(tabular.Problem{Row: row, Column: im.cols.Heading("enterprise_uscc"), Value: uscc.Normalize(im.cols.Get(raw, "enterprise_uscc")),
		Reason: im.o.Describe(err)}, true)
}

// problem records a rejected row (or a warning) for the report.
func (im *importer) problem(p tabular.Problem, warning bool) {
	p.Warning = warning
	if !warning {
		im.res.Rejected++
	}
	if len(im.res.Problems) < im.o.MaxProblems {
		im.res.Problems = append(im.res.Problems, p)
	} else {
		im.res.Truncated = true
	}
}

// ReportLabels are the texts of an import's rejection report in p's
// language.
func ReportLabels(p *locale.Printer, file string, res ImportResult, at time.Time) tabular.ReportLabels {
	return tabular.ReportLabels{
		Title: p.T("record.import.report_title"),
		Subtitle: p.T("record.import.report_subtitle", "file", file, "time", at.In(cst).Format("2006-01-02 15:04"),
			"rows", res.Rows, "created", res.Created, "skipped", res.Skipped, "rejected", res.Rejected),
		Row: p.T("import.col_row"), Column: p.T("import.col_column"), Value: p.T("import.col_value"),
		Reason: p.T("import.col_reason"), Class: p.T("import.col_class"),
		Rejected: p.T("import.rejected"), Warning: p.T("record.import.skipped"),
	}
}

// ImportRun is a ledger imported through the pages, kept so that its
// outcome can be read again and its rejection report downloaded.
type ImportRun struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ImportProgress
	// Problems are the first RunProblems of the import's problems; the
	// report holds them all.
	Problems  []tabular.Problem `json:"problems"`
	Truncated bool              `json:"truncated"`
	Report    []byte            `json:"-"`
}

// RunProblems is how many problems a kept run shows.
const RunProblems = 500

// KeepImport stores the outcome of an import the actor ran, with its
// report (nil when nothing was wrong).
func (s *Service) KeepImport(ctx context.Context, a access.Actor, name string, res ImportResult, report []byte) (ImportRun, error) {
	if !recordsAny(a) {
		return ImportRun{}, apperr.Deny()
	}
	run := ImportRun{Name: name, CreatedBy: a.Username, CreatedAt: s.clock.Now(), ImportProgress: res.ImportProgress,
		Problems: res.Problems, Truncated: res.Truncated, Report: report}
	if len(run.Problems) > RunProblems {
		run.Problems, run.Truncated = run.Problems[:RunProblems], true
	}
	err := s.store.Write(ctx, func(tx Tx) error { return tx.InsertRecordImport(ctx, &run) })
	return run, err
}

// ImportRun returns a kept import: to the one who ran it, the city admin and
// auditors. Errors: not_found, forbidden.
func (s *Service) ImportRun(ctx context.Context, a access.Actor, id int64) (ImportRun, error) {
	var run ImportRun
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		run, err = tx.RecordImport(ctx, id)
		return err
	})
	if err != nil {
		return ImportRun{}, err
	}
	if !(a.IsAdmin() || a.Role == access.Auditor || a.Username != "" && a.Username == run.CreatedBy && recordsAny(a)) {
		return ImportRun{}, apperr.Deny()
	}
	return run, nil
}
