package ticket

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
)

// ConfigTx is what editing the routing rules and time limits needs.
type ConfigTx interface {
	InsertRule(ctx context.Context, r *Rule) error
	DeleteRule(ctx context.Context, id int64) error
	SaveTicketLimit(ctx context.Context, l Limit, at time.Time) error
}

// Rules lists the routing rules (every staff role may read them).
func (s *Service) Rules(ctx context.Context, a access.Actor) ([]Rule, error) {
	if !a.SeesNetwork() {
		return nil, apperr.Deny()
	}
	var out []Rule
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.RoutingRules(ctx)
		return err
	})
	return out, err
}

// AddRule adds a routing rule (city admin). Errors: forbidden; invalid
// (category, an unknown region or target, priority).
func (s *Service) AddRule(ctx context.Context, a access.Actor, r Rule) (Rule, error) {
	if !a.IsAdmin() {
		return Rule{}, apperr.Deny()
	}
	r.RegionCode, r.Note = strings.TrimSpace(r.RegionCode), strings.TrimSpace(r.Note)
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	r.CreatedAt = s.clock.Now()
	err := s.store.Write(ctx, func(tx Tx) error {
		if r.RegionCode != "" {
			if _, err := tx.RouteRegions(ctx, r.RegionCode); err != nil {
				return unknownField(err, "region_code")
			}
		}
		if r.Target.Type == ToPlatform {
			if _, err := tx.RoutePlatformPath(ctx, r.Target.Code); err != nil {
				return unknownField(err, "target")
			}
		} else if ok, err := tx.RouteDepartmentExists(ctx, r.Target.Code); err != nil {
			return err
		} else if !ok {
			return apperr.Field("target", "unknown_reference", "error.unknown_reference")
		}
		if err := tx.(ConfigTx).InsertRule(ctx, &r); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, r.CreatedAt, "rule.create", "rule", strconv.FormatInt(r.ID, 10), audit.Success).Change(nil, r))
	})
	return r, err
}

// DeleteRule removes a routing rule (city admin).
func (s *Service) DeleteRule(ctx context.Context, a access.Actor, id int64) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	return s.store.Write(ctx, func(tx Tx) error {
		if err := tx.(ConfigTx).DeleteRule(ctx, id); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, s.clock.Now(), "rule.delete", "rule", strconv.FormatInt(id, 10), audit.Success))
	})
}

// Limits returns the time limit of every category and urgency.
func (s *Service) Limits(ctx context.Context, a access.Actor) ([]Limit, error) {
	if !a.SeesNetwork() {
		return nil, apperr.Deny()
	}
	var out []Limit
	err := s.store.Read(ctx, func(tx Tx) error {
		for _, d := range DefaultLimits() {
			l, err := tx.TicketLimit(ctx, d.Category, d.Urgency)
			if err != nil {
				return err
			}
			out = append(out, l)
		}
		return nil
	})
	return out, err
}

// SaveLimit changes one category and urgency's time limit (city admin);
// new deadlines use it, existing ones stand.
func (s *Service) SaveLimit(ctx context.Context, a access.Actor, l Limit) (Limit, error) {
	if !a.IsAdmin() {
		return Limit{}, apperr.Deny()
	}
	if err := l.Validate(); err != nil {
		return Limit{}, err
	}
	now := s.clock.Now()
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.TicketLimit(ctx, l.Category, l.Urgency)
		if err != nil {
			return err
		}
		if err := tx.(ConfigTx).SaveTicketLimit(ctx, l, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "limit.update", "limit", l.Category+"/"+l.Urgency, audit.Success).Change(before, l))
	})
	return l, err
}

func unknownField(err error, field string) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field(field, "unknown_reference", "error.unknown_reference")
	}
	return err
}
