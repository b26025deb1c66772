package audit

import (
	"context"
	"strconv"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/clock"
)

// Retention limits (R6.2: kept at least six months).
const (
	DefaultRetentionDays = 190
	MinRetentionDays     = 183
	MaxRetentionDays     = 3650
	settingRetention     = "audit.retention_days"
)

// Filter selects entries for the audit page, newest first.
type Filter struct {
	From, To   time.Time // To is exclusive; zero means open
	Username   string
	Action     string // prefix match: "platform." finds every platform action
	ObjectType string
	ObjectID   string
	Result     Result
	BeforeID   int64 // cursor: entries with a smaller id
	Limit      int
}

// Store is what the audit service needs from storage.
type Store interface {
	Appender
	ListAudit(ctx context.Context, f Filter) ([]Entry, error)
	// SealAudit links up to limit unsealed entries into the chain, in id
	// order, holding the chain lock; it returns how many it sealed.
	SealAudit(ctx context.Context, limit int) (int, error)
	// ScanAudit reads, in one snapshot, the anchor (given to start) and then
	// the sealed entries in seq order (given to fn until it returns false);
	// it returns the count of entries not yet sealed.
	ScanAudit(ctx context.Context, start func(Anchor), fn func(Entry) bool) (int64, error)
	// PurgeAudit deletes sealed entries older than t, moving the anchor.
	PurgeAudit(ctx context.Context, t time.Time) (int64, error)
	Setting(ctx context.Context, key string) (string, bool, error)
	// SaveSetting stores a configuration value and the audit entry of the
	// change in one transaction.
	SaveSetting(ctx context.Context, key, value string, e Entry) error
}

// Service reads, seals, verifies and purges the audit log.
type Service struct {
	store Store
	clock clock.Clock
}

// NewService makes the audit service.
func NewService(s Store, c clock.Clock) *Service { return &Service{store: s, clock: c} }

// Record appends one entry on its own (for events that change no data:
// logins, failed logins, permission denials).
func (s *Service) Record(ctx context.Context, e Entry) error {
	if e.At.IsZero() {
		e.At = s.clock.Now()
	}
	return s.store.AppendAudit(ctx, e)
}

// Denied records a permission denial by actor.
func (s *Service) Denied(ctx context.Context, actor access.Actor, action, objectType, objectID string) error {
	return s.Record(ctx, New(actor, s.clock.Now(), action, objectType, objectID, Denied))
}

// List returns entries matching f, newest first, and the cursor of the next
// page (0 when none). Only auditors and city admins may read the log.
func (s *Service) List(ctx context.Context, actor access.Actor, f Filter) ([]Entry, int64, error) {
	if !actor.ReadsAudit() {
		return nil, 0, apperr.Deny()
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 1000)
	want := f.Limit
	f.Limit++
	items, err := s.store.ListAudit(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(items) > want {
		items = items[:want]
		next = items[want-1].ID
	}
	return items, next, nil
}

// Seal links every pending entry into the chain.
func (s *Service) Seal(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.store.SealAudit(ctx, 500)
		total += n
		if err != nil || n < 500 {
			return total, err
		}
	}
}

// Verify walks the whole chain and reports the first broken link.
func (s *Service) Verify(ctx context.Context) (Report, error) {
	var v *Verifier
	unsealed, err := s.store.ScanAudit(ctx,
		func(a Anchor) { v = NewVerifier(a) },
		func(e Entry) bool { return v.Next(e) })
	if err != nil {
		return Report{}, err
	}
	r := v.Report()
	r.Unsealed = unsealed
	return r, nil
}

// Retention returns the configured retention in days.
func (s *Service) Retention(ctx context.Context) (int, error) {
	v, ok, err := s.store.Setting(ctx, settingRetention)
	if err != nil || !ok {
		return DefaultRetentionDays, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < MinRetentionDays {
		return DefaultRetentionDays, nil
	}
	return n, nil
}

// ValidateRetention checks a retention period in days.
func ValidateRetention(days int) error {
	if days < MinRetentionDays || days > MaxRetentionDays {
		return apperr.Field("retention_days", "out_of_range", "error.retention_range").
			With("min", MinRetentionDays).With("max", MaxRetentionDays)
	}
	return nil
}

// SetRetention changes how many days audit entries are kept (city admin).
// The change is itself audited as settings.update. Errors: forbidden;
// invalid retention_days (outside MinRetentionDays–MaxRetentionDays).
func (s *Service) SetRetention(ctx context.Context, actor access.Actor, days int) error {
	if !actor.IsAdmin() {
		return apperr.Deny()
	}
	if err := ValidateRetention(days); err != nil {
		return err
	}
	v := strconv.Itoa(days)
	return s.store.SaveSetting(ctx, settingRetention, v,
		New(actor, s.clock.Now(), "settings.update", "setting", settingRetention, Success).WithDetail(v))
}

// Purge deletes sealed entries older than the retention period.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	days, err := s.Retention(ctx)
	if err != nil {
		return 0, err
	}
	return s.store.PurgeAudit(ctx, s.clock.Now().AddDate(0, 0, -days))
}
