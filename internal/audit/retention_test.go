package audit_test

import (
	"context"
	"testing"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
)

func TestSetRetention(t *testing.T) {
	admin := access.Actor{UserID: 1, Username: "admin", Role: access.CityAdmin}
	tests := []struct {
		name     string
		actor    access.Actor
		days     int
		wantKind apperr.Kind // "" for success
		want     int         // retention afterwards
	}{
		{"admin sets a year", admin, 365, "", 365},
		{"the six-month floor is allowed", admin, audit.MinRetentionDays, "", audit.MinRetentionDays},
		{"below six months is refused", admin, 100, apperr.Invalid, audit.DefaultRetentionDays},
		{"above the ceiling is refused", admin, audit.MaxRetentionDays + 1, apperr.Invalid, audit.DefaultRetentionDays},
		{"an auditor may not change it", access.Actor{Username: "auditor", Role: access.Auditor}, 365, apperr.Forbidden, audit.DefaultRetentionDays},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				s, _ := newService(db)
				err := s.SetRetention(ctx, tt.actor, tt.days)
				if tt.wantKind == "" && err != nil {
					t.Fatalf("SetRetention(%d) = %v", tt.days, err)
				}
				if tt.wantKind != "" && !apperr.Is(err, tt.wantKind) {
					t.Fatalf("SetRetention(%d) = %v, want %s", tt.days, err, tt.wantKind)
				}
				if got, err := s.Retention(ctx); err != nil || got != tt.want {
					t.Errorf("Retention() = %d, %v; want %d", got, err, tt.want)
				}
				entries, _, err := s.List(ctx, admin, audit.Filter{Action: "settings.update"})
				if err != nil {
					t.Fatal(err)
				}
				wantEntries := 0
				if tt.wantKind == "" {
					wantEntries = 1
				}
				if len(entries) != wantEntries {
					t.Fatalf("audit entries = %d, want %d", len(entries), wantEntries)
				}
				if wantEntries == 1 {
					e := entries[0]
					if e.Username != "admin" || e.Result != audit.Success || e.ObjectID != "audit.retention_days" {
						t.Errorf("audit entry = %+v", e)
					}
				}
			})
		})
	}
}
