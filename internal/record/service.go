package record

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/clock"
)

// PlatformRef is what records need to know of a platform.
type PlatformRef struct {
	Code, Name, Tier, Path string
	// EstablishedOn is the platform's founding date as recorded
	// ("YYYY-MM-DD", or ""); CreatedAt when it was entered in Qifu.
	EstablishedOn string
	CreatedAt     time.Time
}

// Since is the first day the platform may have served: its founding date
// when one is recorded, otherwise the day it was entered in Qifu.
func (p PlatformRef) Since() string {
	if _, err := time.Parse(time.DateOnly, p.EstablishedOn); err == nil {
		return p.EstablishedOn
	}
	return Today(p.CreatedAt)
}

// Filter selects records. The scope fields are set by the service from the
// actor; the others narrow the list, never widen it.
type Filter struct {
	All        bool
	PathPrefix string // records of platforms under this path
	Department string // records of this department
	Enterprise string // records of this enterprise

	Platform     string // one platform's own records
	ForDept      string // one department's records
	USCC         string
	Year         int
	Kind         string
	ServiceArea  string
	TicketID     int64
	WithCanceled bool // cancelled records too (live ones only by default)

	// Order: the newest service date first, then the newest record.
	AfterDate string
	AfterID   int64
	Limit     int
}

// Cancellation is what marks a record cancelled.
type Cancellation struct {
	By     string
	At     time.Time
	Reason string
}

// TicketTx is what a closing ticket needs to write its record, inside the
// ticket's own transaction.
type TicketTx interface {
	audit.Appender
	// EnterpriseName returns the registered name of a credit code, and
	// whether it is registered.
	EnterpriseName(ctx context.Context, uscc string) (string, bool, error)
	// TicketRecordExists reports whether a ticket has a record that is
	// not cancelled.
	TicketRecordExists(ctx context.Context, ticketID int64) (bool, error)
	InsertServiceRecord(ctx context.Context, r *Record) error
}

// Tx is what the record service needs from storage. Lookups of one object
// return not_found when it does not exist.
type Tx interface {
	TicketTx
	RecordPlatform(ctx context.Context, code string) (PlatformRef, error)
	RecordPlatforms(ctx context.Context) ([]PlatformRef, error)
	ServiceRecord(ctx context.Context, id int64) (Record, error)
	ServiceRecords(ctx context.Context, f Filter) ([]Record, error)
	// CancelServiceRecord marks a live record cancelled; conflict when it
	// is cancelled already.
	CancelServiceRecord(ctx context.Context, id int64, c Cancellation) error
	// LinkServiceRecordCorrection records that record newID replaced
	// the cancelled record oldID.
	LinkServiceRecordCorrection(ctx context.Context, oldID, newID int64) error
	// RegisteredEnterprises returns the names of those of the credit
	// codes that are registered.
	RegisteredEnterprises(ctx context.Context, codes []string) (map[string]string, error)
	// LiveServiceRecordsOf lists the live records of some enterprises
	// dated between two days, inclusive.
	LiveServiceRecordsOf(ctx context.Context, codes []string, from, to string) ([]Record, error)
	InsertRecordImport(ctx context.Context, run *ImportRun) error
	RecordImport(ctx context.Context, id int64) (ImportRun, error)
}

// Store runs functions on a Tx.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Service keeps the service records.
type Service struct {
	store Store
	clock clock.Clock
}

// NewService makes the record service.
func NewService(s Store, c clock.Clock) *Service { return &Service{store: s, clock: c} }

// Records: the city admin records services of any platform; platform staff
// those of their platform and the platforms below it. Departments record
// nothing by hand (their records come from the tickets they close); nor do
// hotline operators (their work is tickets), institutions, enterprises or
// auditors.
func recordsAny(a access.Actor) bool {
	return a.IsAdmin() || a.Role.OrgKind() == access.OrgPlatform && a.PlatformPath != ""
}

// mayRecordFor reports whether the actor may record (or correct) services
// of the platform at path.
func mayRecordFor(a access.Actor, path string) bool {
	if a.IsAdmin() {
		return true
	}
	return a.Role.OrgKind() == access.OrgPlatform && a.PlatformPath != "" && strings.HasPrefix(path, a.PlatformPath)
}

// MayRecord reports whether the actor may record services at all (to offer
// the form).
func MayRecord(a access.Actor) bool { return recordsAny(a) }

// MayCorrect reports whether the actor may correct a record (to offer the
// button): the city admin any live record; platform staff those of their
// platform and below. A department's records are corrected by the city.
func MayCorrect(a access.Actor, r Record) bool { return !r.Cancelled && mayChange(a, r) }

// mayChange: whether the record is the actor's to correct, whatever its
// state.
func mayChange(a access.Actor, r Record) bool {
	if r.DepartmentCode != "" {
		return a.IsAdmin()
	}
	return mayRecordFor(a, r.PlatformPath)
}

// canRead: those who read everything (city admin, auditors, hotline
// operators); platform staff the records of their platform and below;
// department staff their department's; an enterprise its own (the
// services it received, notes included).
func canRead(a access.Actor, r Record) bool {
	switch {
	case a.ReadsAll():
		return true
	case a.Role.OrgKind() == access.OrgPlatform:
		return r.PlatformCode != "" && a.PlatformPath != "" && strings.HasPrefix(r.PlatformPath, a.PlatformPath)
	case a.Role == access.DepartmentStaff:
		return r.DepartmentCode != "" && r.DepartmentCode == a.OrgCode
	case a.Role == access.Enterprise:
		return a.OrgCode != "" && r.EnterpriseUSCC == a.OrgCode
	}
	return false
}

// Readable reports whether the actor has any records to read (to offer
// the list).
func Readable(a access.Actor) bool { return scope(a, &Filter{}) == nil }

// scope sets the actor's scope on a filter; forbidden for roles that read
// no records (institution staff).
func scope(a access.Actor, f *Filter) error {
	f.All, f.PathPrefix, f.Department, f.Enterprise = false, "", "", ""
	switch {
	case a.ReadsAll():
		f.All = true
	case a.Role.OrgKind() == access.OrgPlatform && a.PlatformPath != "":
		f.PathPrefix = a.PlatformPath
	case a.Role == access.DepartmentStaff && a.OrgCode != "":
		f.Department = a.OrgCode
	case a.Role == access.Enterprise && a.OrgCode != "":
		f.Enterprise = a.OrgCode
	default:
		return apperr.Deny()
	}
	return nil
}

// Create records a service. Checks, in order: that the role records
// services at all (403); the fields (422, naming the field); that the
// platform exists (422 unknown_reference) and is the actor's or below it
// (403); that the enterprise is registered (422 unknown_enterprise); that
// the date is not before the platform existed (422
// date_before_platform).
func (s *Service) Create(ctx context.Context, a access.Actor, in Input) (Record, error) {
	return s.create(ctx, a, in, SourceManual)
}

func (s *Service) create(ctx context.Context, a access.Actor, in Input, source string) (Record, error) {
	if !recordsAny(a) {
		return Record{}, apperr.Deny()
	}
	now := s.clock.Now()
	in.Normalize()
	if err := in.Validate(now); err != nil {
		return Record{}, err
	}
	r := Record{PlatformCode: in.PlatformCode, EnterpriseUSCC: in.EnterpriseUSCC, Kind: in.Kind,
		ServiceArea: in.ServiceArea, Date: in.Date, Note: in.Note, Source: source, CreatedBy: a.Username, CreatedAt: now}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := s.check(ctx, tx, a, &r); err != nil {
			return err
		}
		if err := tx.InsertServiceRecord(ctx, &r); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "service_record.create", "service_record", strconv.FormatInt(r.ID, 10),
			audit.Success).Change(nil, r))
	})
	if err != nil {
		return Record{}, err
	}
	return r, nil
}

// check resolves a new record's platform and enterprise and checks the
// actor's scope and the platform's existence on the date.
func (s *Service) check(ctx context.Context, tx Tx, a access.Actor, r *Record) error {
	p, err := tx.RecordPlatform(ctx, r.PlatformCode)
	if apperr.Is(err, apperr.NotFound) {
		return platformErr(apperr.Field("platform_code", "unknown_reference", "error.unknown_reference"))
	}
	if err != nil {
		return err
	}
	if !mayRecordFor(a, p.Path) {
		return &apperr.Error{Kind: apperr.Forbidden, Code: "forbidden", Field: "platform_code", Key: "error.record_platform_scope"}
	}
	r.PlatformPath = p.Path
	name, ok, err := tx.EnterpriseName(ctx, r.EnterpriseUSCC)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Field("enterprise_uscc", "unknown_enterprise", "error.record_unknown_enterprise")
	}
	r.EnterpriseName = name
	if since := p.Since(); r.Date < since {
		return apperr.Field("date", "date_before_platform", "error.record_date_before_platform").
			With("since", since).With("platform", p.Name)
	}
	return nil
}

// Get returns one record (cancelled ones too). Errors: not_found,
// forbidden.
func (s *Service) Get(ctx context.Context, a access.Actor, id int64) (Record, error) {
	var r Record
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		r, err = tx.ServiceRecord(ctx, id)
		return err
	})
	if err != nil {
		return Record{}, err
	}
	if !canRead(a, r) {
		return Record{}, apperr.Deny()
	}
	return r, nil
}

// History returns the chain of corrections a record belongs to, oldest
// first: the records it replaced and those that replaced it.
func (s *Service) History(ctx context.Context, a access.Actor, r Record) ([]Record, error) {
	chain := []Record{r}
	err := s.store.Read(ctx, func(tx Tx) error {
		for i := 0; chain[0].Corrects != nil && i < 100; i++ {
			prev, err := tx.ServiceRecord(ctx, *chain[0].Corrects)
			if err != nil {
				return err
			}
			chain = append([]Record{prev}, chain...)
		}
		for i := 0; chain[len(chain)-1].CorrectedBy != nil && i < 100; i++ {
			next, err := tx.ServiceRecord(ctx, *chain[len(chain)-1].CorrectedBy)
			if err != nil {
				return err
			}
			chain = append(chain, next)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := chain[:0]
	for _, x := range chain {
		if canRead(a, x) { // a correction may have moved it out of reach
			out = append(out, x)
		}
	}
	return out, nil
}

const (
	defaultLimit = 50
	maxLimit     = 1000
	// ExportLimit bounds a list written to one workbook.
	ExportLimit = 100_000
)

// List returns the records in the actor's scope, the newest service date
// first, and the cursor of the next page. Errors: forbidden for roles that
// read no records; invalid for a bad filter.
func (s *Service) List(ctx context.Context, a access.Actor, f Filter) ([]Record, string, error) {
	if err := scope(a, &f); err != nil {
		return nil, "", err
	}
	if err := f.validate(); err != nil {
		return nil, "", err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	f.Limit = limit + 1
	var items []Record
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		items, err = tx.ServiceRecords(ctx, f)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		next = last.Date + "|" + strconv.FormatInt(last.ID, 10)
	}
	return items, next, nil
}

// Export returns every record of the filter in the actor's scope, up to
// ExportLimit, and whether there were more.
func (s *Service) Export(ctx context.Context, a access.Actor, f Filter) ([]Record, bool, error) {
	if err := scope(a, &f); err != nil {
		return nil, false, err
	}
	if err := f.validate(); err != nil {
		return nil, false, err
	}
	var out []Record
	err := s.store.Read(ctx, func(tx Tx) error {
		for len(out) <= ExportLimit {
			f.Limit = min(5000, ExportLimit+1-len(out))
			batch, err := tx.ServiceRecords(ctx, f)
			if err != nil {
				return err
			}
			out = append(out, batch...)
			if len(batch) < f.Limit {
				break
			}
			last := batch[len(batch)-1]
			f.AfterDate, f.AfterID = last.Date, last.ID
		}
		return nil
	})
	if len(out) > ExportLimit {
		return out[:ExportLimit], true, err
	}
	return out, false, err
}

func (f Filter) validate() error {
	switch {
	case f.Kind != "" && !ValidKind(f.Kind):
		return kindErr(apperr.Field("kind", "invalid_kind", "error.invalid_choice"))
	case f.ServiceArea != "" && !ValidArea(f.ServiceArea):
		return apperr.Field("service_area", "invalid_service_area", "error.invalid_choice")
	case f.Year != 0 && (f.Year < 1990 || f.Year > 2200):
		return apperr.Field("year", "out_of_range", "error.range").With("min", 1990).With("max", 2200)
	}
	return nil
}

// ParseCursor splits a list cursor into its date and id.
func ParseCursor(c string) (date string, id int64, ok bool) {
	d, idStr, found := strings.Cut(c, "|")
	if !found || !dateRe.MatchString(d) {
		return "", 0, false
	}
	id, err := strconv.ParseInt(idStr, 10, 64)
	return d, id, err == nil && id > 0
}

// Correction replaces a record: the fields set change, the others keep the
// old record's values. With Cancel the record is withdrawn and nothing
// replaces it. The reason is required either way.
type Correction struct {
	Reason         string  `json:"reason"`
	Cancel         bool    `json:"cancel"`
	PlatformCode   *string `json:"platform_code"`
	EnterpriseUSCC *string `json:"enterprise_uscc"`
	Kind           *string `json:"kind"`
	ServiceArea    *string `json:"service_area"`
	Date           *string `json:"date"`
	Note           *string `json:"note"`
}

// Corrected is the outcome of a correction: the record cancelled, and the
// one that replaces it (nil when the record was withdrawn).
type Corrected struct {
	Cancelled Record  `json:"cancelled"`
	Record    *Record `json:"record"`
}

// Correct cancels a record (kept, marked with who, when and why) and, unless
// the correction withdraws it, adds the corrected record in the same
// transaction; both steps are audited. A record a ticket wrote keeps its
// ticket's facts (handler, enterprise, kind, date): only its service area
// and note may change (422 fixed_by_ticket). Errors: not_found; forbidden
// (outside the actor's platforms; a department's record for anyone but the
// city admin); conflict already_cancelled; invalid (reason required, the
// new record's fields as Create, no_change).
func (s *Service) Correct(ctx context.Context, a access.Actor, id int64, c Correction) (Corrected, error) {
	if !recordsAny(a) {
		return Corrected{}, apperr.Deny()
	}
	c.Reason = strings.TrimSpace(c.Reason)
	now := s.clock.Now()
	var out Corrected
	err := s.store.Write(ctx, func(tx Tx) error {
		old, err := tx.ServiceRecord(ctx, id)
		if err != nil {
			return err
		}
		if !canRead(a, old) {
			return apperr.Deny()
		}
		if !mayChange(a, old) {
			return apperr.Deny()
		}
		if old.Cancelled {
			return &apperr.Error{Kind: apperr.Conflict, Code: "already_cancelled", Key: "error.record_already_cancelled"}
		}
		if c.Reason == "" {
			return apperr.Required("reason")
		}
		if utf8.RuneCountInString(c.Reason) > 500 {
			return apperr.Field("reason", "too_long", "error.too_long").With("max", 500)
		}
		var next *Record
		if !c.Cancel {
			r, err := s.replacement(ctx, tx, a, old, c, now)
			if err != nil {
				return err
			}
			next = &r
		}
		cancel := Cancellation{By: a.Username, At: now, Reason: c.Reason}
		if err := tx.CancelServiceRecord(ctx, old.ID, cancel); err != nil {
			return err
		}
		after := old
		after.Cancelled, after.CancelledAt, after.CancelledBy, after.CancelReason = true, &now, cancel.By, cancel.Reason
		if next != nil {
			if err := tx.InsertServiceRecord(ctx, next); err != nil {
				return err
			}
			if err := tx.LinkServiceRecordCorrection(ctx, old.ID, next.ID); err != nil {
				return err
			}
			after.CorrectedBy = &next.ID
		}
		detail := c.Reason
		if next != nil {
			detail = "→ " + strconv.FormatInt(next.ID, 10) + ": " + c.Reason
		}
		if err := tx.AppendAudit(ctx, audit.New(a, now, "service_record.cancel", "service_record", strconv.FormatInt(old.ID, 10),
			audit.Success).Change(old, after).WithDetail(detail)); err != nil {
			return err
		}
		if next != nil {
			if err := tx.AppendAudit(ctx, audit.New(a, now, "service_record.create", "service_record", strconv.FormatInt(next.ID, 10),
				audit.Success).Change(nil, *next).WithDetail("corrects "+strconv.FormatInt(old.ID, 10))); err != nil {
				return err
			}
		}
		out = Corrected{Cancelled: after, Record: next}
		return nil
	})
	if err != nil {
		return Corrected{}, err
	}
	return out, nil
}

// replacement builds and checks the record that replaces old.
func (s *Service) replacement(ctx context.Context, tx Tx, a access.Actor, old Record, c Correction, now time.Time) (Record, error) {
	in := Input{PlatformCode: old.PlatformCode, EnterpriseUSCC: old.EnterpriseUSCC, Kind: old.Kind, ServiceArea: old.ServiceArea,
		Date: old.Date, Note: old.Note}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&in.PlatformCode, c.PlatformCode)
	set(&in.EnterpriseUSCC, c.EnterpriseUSCC)
	set(&in.Kind, c.Kind)
	set(&in.ServiceArea, c.ServiceArea)
	set(&in.Date, c.Date)
	set(&in.Note, c.Note)
	in.Normalize()
	fromTicket := old.TicketID != nil
	if fromTicket || old.DepartmentCode != "" {
		// The ticket's facts stay: who handled it, for whom, when.
		for _, f := range []struct{ name, was, now string }{{"platform_code", old.PlatformCode, in.PlatformCode},
			{"enterprise_uscc", old.EnterpriseUSCC, in.EnterpriseUSCC}, {"kind", old.Kind, in.Kind}, {"date", old.Date, in.Date}} {
			if f.was != f.now {
				return Record{}, apperr.Field(f.name, "fixed_by_ticket", "error.record_fixed_by_ticket")
			}
		}
	}
	r := Record{PlatformCode: in.PlatformCode, DepartmentCode: old.DepartmentCode, EnterpriseUSCC: in.EnterpriseUSCC,
		EnterpriseName: old.EnterpriseName, Kind: in.Kind, ServiceArea: in.ServiceArea, Date: in.Date, Note: in.Note,
		Source: SourceCorrection, TicketID: old.TicketID, TicketNumber: old.TicketNumber, Corrects: &old.ID,
		CreatedBy: a.Username, CreatedAt: now, PlatformPath: old.PlatformPath}
	if r.PlatformCode == old.PlatformCode && r.EnterpriseUSCC == old.EnterpriseUSCC && r.Kind == old.Kind &&
		r.ServiceArea == old.ServiceArea && r.Date == old.Date && r.Note == old.Note {
		return Record{}, apperr.Field("reason", "no_change", "error.record_no_change")
	}
	if old.DepartmentCode != "" {
		// Only the area and note of a department's ticket record change.
		if !ValidArea(r.ServiceArea) {
			return Record{}, apperr.Field("service_area", "invalid_service_area", "error.invalid_choice")
		}
		if utf8.RuneCountInString(r.Note) > MaxNote {
			return Record{}, apperr.Field("note", "too_long", "error.too_long").With("max", MaxNote)
		}
		return r, nil
	}
	if fromTicket {
		// The date is the ticket's: it may lie before the platform was
		// entered in Qifu, so only the changeable fields are checked.
		probe := in
		probe.Date = Today(now)
		if err := probe.Validate(now); err != nil {
			return Record{}, err
		}
		return r, nil
	}
	if err := in.Validate(now); err != nil {
		return Record{}, err
	}
	if err := s.check(ctx, tx, a, &r); err != nil {
		return Record{}, err
	}
	return r, nil
}
