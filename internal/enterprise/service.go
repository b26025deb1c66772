package enterprise

import (
	"context"
	"strconv"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/uscc"
)

// Sort orders an enterprise list.
type Sort string

const (
	SortNewest Sort = "newest" // registration order, newest first (default)
	SortUSCC   Sort = "uscc"
	SortName   Sort = "name"
)

// Filter selects enterprises. With a search query the results come in rank
// order (exact code, code prefix, name prefix, name contains, contact),
// each rank by id.
type Filter struct {
	Scope        access.EnterpriseScope
	RegionPrefix string // a region and the regions inside it
	Industry     string
	Size         Size
	Query        *Query
	Sort         Sort
	// Cursor: for a plain list the last sort key and id; for a search the
	// last rank and id.
	AfterKey  string
	AfterID   int64
	AfterRank Rank
	Limit     int
}

// Hit is a search result with the rank it matched at.
type Hit struct {
	Enterprise
	Match Rank `json:"match,omitempty"`
}

// Tx is what the enterprise service needs from storage. Lookups of one
// object return not_found when it does not exist.
type Tx interface {
	audit.Appender
	Enterprise(ctx context.Context, uscc string) (Enterprise, error)
	// Enterprises lists without a query, in the filter's sort order.
	Enterprises(ctx context.Context, f Filter) ([]Enterprise, error)
	// SearchEnterprises returns the matches of one rank of f.Query, by id
	// after f.AfterID.
	SearchEnterprises(ctx context.Context, f Filter, r Rank) ([]Enterprise, error)
	InsertEnterprise(ctx context.Context, e *Enterprise) error
	UpdateEnterprise(ctx context.Context, e Enterprise) error
	// UpsertEnterprises inserts or updates (by credit code) a batch and
	// reports which credit codes were new.
	UpsertEnterprises(ctx context.Context, batch []Enterprise) (created map[string]bool, err error)
	// RegionLevel says whether a region exists and its level.
	RegionLevel(ctx context.Context, code string) (string, error)
	// RegionRefs lists every region.
	RegionRefs(ctx context.Context) ([]RegionRef, error)
	// AnalyzeEnterprises brings the search index and the query planner's
	// statistics of the enterprises up to date after a bulk import (where
	// the engine defers them).
	AnalyzeEnterprises(ctx context.Context) error
}

// Store runs functions on a Tx.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Service is the enterprise registry.
type Service struct {
	store Store
	clock clock.Clock
}

// NewService makes the enterprise service.
func NewService(s Store, c clock.Clock) *Service { return &Service{store: s, clock: c} }

// mayWrite: the city admin and hotline operators register any enterprise,
// platform staff those of their region, an enterprise itself.
func mayWrite(a access.Actor, uscc, region string) bool {
	switch {
	case a.IsAdmin(), a.Role == access.HotlineOperator:
		return true
	case a.Role == access.Enterprise:
		return a.OrgCode == uscc
	case a.Role.OrgKind() == access.OrgPlatform:
		return a.Enterprises().Admits(uscc, region)
	}
	return false
}

// mayReveal: who may see an enterprise's full telephone number.
func mayReveal(a access.Actor, e Enterprise) bool {
	if a.Role == access.Auditor {
		return false
	}
	return mayWrite(a, e.USCC, e.RegionCode)
}

// masked is the enterprise as shown: telephone masked, except to the
// enterprise itself.
func masked(a access.Actor, e Enterprise) Enterprise {
	if !(a.Role == access.Enterprise && a.OrgCode == e.USCC) {
		e.ContactPhone = MaskPhone(e.ContactPhone)
	}
	return e
}

// auditView is what the audit digest covers of an enterprise.
func auditView(e Enterprise) Enterprise { e.SizeChecks = nil; return e }

// Create registers an enterprise. Errors: forbidden; invalid (every field,
// invalid_uscc with its reason, unknown region_code); conflict
// duplicate_uscc.
func (s *Service) Create(ctx context.Context, a access.Actor, e Enterprise) (Enterprise, error) {
	e.Normalize()
	// Permission first: a role that may not register here learns nothing
	// from validation messages.
	if !mayWrite(a, e.USCC, e.RegionCode) {
		return Enterprise{}, apperr.Deny()
	}
	if err := e.Validate(); err != nil {
		return Enterprise{}, err
	}
	now := s.clock.Now()
	e.CreatedAt, e.UpdatedAt = now, now
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.Enterprise(ctx, e.USCC); err == nil {
			return &apperr.Error{Kind: apperr.Conflict, Code: "duplicate_uscc", Field: "uscc", Key: "error.duplicate_uscc"}
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if err := checkRegion(ctx, tx, e.RegionCode); err != nil {
			return err
		}
		if err := tx.InsertEnterprise(ctx, &e); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "enterprise.create", "enterprise", e.USCC, audit.Success).Change(nil, auditView(e)))
	})
	if err != nil {
		return Enterprise{}, err
	}
	return masked(a, e), nil
}

func checkRegion(ctx context.Context, tx Tx, code string) error {
	if _, err := tx.RegionLevel(ctx, code); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Field("region_code", "unknown_reference", "error.unknown_reference")
		}
		return err
	}
	return nil
}

// Patch holds the editable fields of an enterprise; nil means unchanged.
// The credit code is its identity and never changes.
type Patch struct {
	Name         *string  `json:"name"`
	Industry     *string  `json:"industry"`
	Employees    *int64   `json:"employees"`
	RevenueWan   *float64 `json:"revenue_wan"`
	AssetsWan    *float64 `json:"assets_wan"`
	RegionCode   *string  `json:"region_code"`
	Address      *string  `json:"address"`
	ContactName  *string  `json:"contact_name"`
	ContactPhone *string  `json:"contact_phone"`
	USCC         *string  `json:"uscc"`
}

// Update edits an enterprise (its code in any case) and recomputes its
// size. Errors: as Create, plus not_found and uscc_fixed.
func (s *Service) Update(ctx context.Context, a access.Actor, code string, p Patch) (Enterprise, error) {
	code = uscc.Normalize(code)
	var out Enterprise
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.Enterprise(ctx, code)
		if err != nil {
			return err
		}
		if !mayWrite(a, before.USCC, before.RegionCode) {
			return apperr.Deny()
		}
		e := before
		if p.USCC != nil && uscc.Normalize(*p.USCC) != before.USCC {
			return apperr.Field("uscc", "uscc_fixed", "error.uscc_fixed")
		}
		setS := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		setS(&e.Name, p.Name)
		setS(&e.Industry, p.Industry)
		setS(&e.RegionCode, p.RegionCode)
		setS(&e.Address, p.Address)
		setS(&e.ContactName, p.ContactName)
		setS(&e.ContactPhone, p.ContactPhone)
		if p.Employees != nil {
			e.Employees = p.Employees
		}
		if p.RevenueWan != nil {
			e.RevenueWan = p.RevenueWan
		}
		if p.AssetsWan != nil {
			e.AssetsWan = p.AssetsWan
		}
		e.Normalize()
		if err := e.Validate(); err != nil {
			return err
		}
		if e.RegionCode != before.RegionCode {
			if !mayWrite(a, e.USCC, e.RegionCode) {
				return apperr.Field("region_code", "outside_scope", "error.region_outside_scope")
			}
			if err := checkRegion(ctx, tx, e.RegionCode); err != nil {
				return err
			}
		}
		e.UpdatedAt = s.clock.Now()
		if err := tx.UpdateEnterprise(ctx, e); err != nil {
			return err
		}
		out = e
		return tx.AppendAudit(ctx, audit.New(a, e.UpdatedAt, "enterprise.update", "enterprise", e.USCC, audit.Success).
			Change(auditView(before), auditView(e)))
	})
	if err != nil {
		return Enterprise{}, err
	}
	return masked(a, out), nil
}

// Get returns one enterprise inside the actor's scope, telephone masked.
func (s *Service) Get(ctx context.Context, a access.Actor, code string) (Enterprise, error) {
	e, err := s.get(ctx, code)
	if err != nil {
		return Enterprise{}, err
	}
	if !a.Enterprises().Admits(e.USCC, e.RegionCode) {
		return Enterprise{}, apperr.Deny()
	}
	return masked(a, e), nil
}

func (s *Service) get(ctx context.Context, code string) (Enterprise, error) {
	var e Enterprise
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		e, err = tx.Enterprise(ctx, uscc.Normalize(code))
		return err
	})
	return e, err
}

// RevealContact returns the full telephone number to a role allowed to call
// the enterprise; every look is audited (R6.2: personal data shown only
// where needed, and traceably).
func (s *Service) RevealContact(ctx context.Context, a access.Actor, code string) (string, string, error) {
	e, err := s.get(ctx, code)
	if err != nil {
		return "", "", err
	}
	if !a.Enterprises().Admits(e.USCC, e.RegionCode) || !mayReveal(a, e) {
		return "", "", apperr.Deny()
	}
	if !(a.Role == access.Enterprise && a.OrgCode == e.USCC) {
		err = s.store.Write(ctx, func(tx Tx) error {
			return tx.AppendAudit(ctx, audit.New(a, s.clock.Now(), "enterprise.reveal_contact", "enterprise", e.USCC, audit.Success))
		})
	}
	return e.ContactName, e.ContactPhone, err
}

// MayReveal reports whether the actor may reveal an enterprise's number
// (to offer the button).
func MayReveal(a access.Actor, e Enterprise) bool { return mayReveal(a, e) }

// MayEdit reports whether the actor may edit an enterprise.
func MayEdit(a access.Actor, e Enterprise) bool { return mayWrite(a, e.USCC, e.RegionCode) }

const (
	defaultLimit = 50
	maxLimit     = 500
)

// List returns enterprises inside the actor's scope and the cursor of the
// next page. With f.Query set it searches (ranked); a query too short to
// search is refused on field q.
func (s *Service) List(ctx context.Context, a access.Actor, f Filter) ([]Hit, string, error) {
	f.Scope = a.Enterprises()
	if f.Scope.None() {
		return nil, "", apperr.Deny()
	}
	if f.Industry != "" && !ValidIndustry(f.Industry) {
		return nil, "", apperr.Field("industry", "unknown_industry", "error.unknown_industry")
	}
	if f.Size != "" && !f.Size.Valid() {
		return nil, "", apperr.Field("size", "invalid_size", "error.invalid_choice")
	}
	switch f.Sort {
	case "":
		f.Sort = SortNewest
	case SortNewest, SortUSCC, SortName:
	default:
		return nil, "", apperr.Field("sort", "invalid_sort", "error.invalid_choice")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	if f.Query != nil {
		return s.search(ctx, a, f, limit)
	}
	f.Limit = limit + 1
	var items []Enterprise
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		items, err = tx.Enterprises(ctx, f)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		next = sortKey(f.Sort, last) + "|" + strconv.FormatInt(last.ID, 10)
	}
	hits := make([]Hit, len(items))
	for i, e := range items {
		hits[i] = Hit{Enterprise: masked(a, e)}
	}
	return hits, next, nil
}

func sortKey(s Sort, e Enterprise) string {
	switch s {
	case SortUSCC:
		return e.USCC
	case SortName:
		return e.Name
	}
	return ""
}

// ParseCursor splits a list cursor into its key and id.
func ParseCursor(c string) (key string, id int64, ok bool) {
	i := strings.LastIndexByte(c, '|')
	if i < 0 {
		return "", 0, false
	}
	id, err := strconv.ParseInt(c[i+1:], 10, 64)
	return c[:i], id, err == nil
}

// search walks the ranks in order until the page is full. The store finds
// candidates of a rank through the index; an enterprise is listed at the
// best rank it matches, exactly once across pages.
func (s *Service) search(ctx context.Context, a access.Actor, f Filter, limit int) ([]Hit, string, error) {
	q := f.Query
	var hits []Hit
	err := s.store.Read(ctx, func(tx Tx) error {
		for r := RankExactCode; r <= RankContact && len(hits) <= limit; r++ {
			if r < f.AfterRank || !q.searchable(r) {
				continue
			}
			g := f
			if r != f.AfterRank {
				g.AfterID = 0
			}
			for len(hits) <= limit {
				g.Limit = max(2*(limit+1-len(hits)), 20)
				batch, err := tx.SearchEnterprises(ctx, g, r)
				if err != nil {
					return err
				}
				for _, e := range batch {
					g.AfterID = e.ID
					if q.Best(e) != r {
						continue // not a match, or listed at a better rank
					}
					hits = append(hits, Hit{Enterprise: masked(a, e), Match: r})
					if len(hits) > limit {
						break
					}
				}
				if len(batch) < g.Limit {
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(hits) > limit {
		hits = hits[:limit]
		last := hits[limit-1]
		next = strconv.Itoa(int(last.Match)) + "|" + strconv.FormatInt(last.ID, 10)
	}
	return hits, next, nil
}

// searchable reports whether the query can match rank r at all.
func (q *Query) searchable(r Rank) bool {
	switch r {
	case RankExactCode, RankCodePrefix:
		return q.Code != ""
	case RankContact:
		return len(q.Grams) > 0 || q.Phone != ""
	}
	return len(q.Grams) > 0
}

// Batch is the outcome of writing one batch of enterprises.
type Batch struct {
	Created, Updated int
}

// UpsertBatch writes already-validated enterprises (Normalize and Validate
// done, region codes checked by the caller) in one transaction, inserting
// new credit codes and updating known ones, with one audit entry for the
// batch. A credit code may appear once per batch. Errors: forbidden unless
// the actor may register enterprises anywhere (city admin).
func (s *Service) UpsertBatch(ctx context.Context, a access.Actor, what string, batch []Enterprise) (Batch, error) {
	if !a.IsAdmin() {
		return Batch{}, apperr.Deny()
	}
	now := s.clock.Now()
	for i := range batch {
		batch[i].CreatedAt, batch[i].UpdatedAt = now, now
	}
	var out Batch
	err := s.store.Write(ctx, func(tx Tx) error {
		created, err := tx.UpsertEnterprises(ctx, batch)
		if err != nil {
			return err
		}
		for _, e := range batch {
			if created[e.USCC] {
				out.Created++
			} else {
				out.Updated++
			}
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "enterprise.import", "enterprise", what, audit.Success).
			WithDetail(strconv.Itoa(out.Created)+" created, "+strconv.Itoa(out.Updated)+" updated"))
	})
	return out, err
}
