package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/clock"
)

// memStore keeps settings and appended entries in memory; the chain
// methods are not used by these tests.
type memStore struct {
	settings map[string]string
	entries  []audit.Entry
}

func newMemStore() *memStore { return &memStore{settings: map[string]string{}} }

func (m *memStore) AppendAudit(_ context.Context, e audit.Entry) error {
	m.entries = append(m.entries, e)
	return nil
}

func (m *memStore) ListAudit(context.Context, audit.Filter) ([]audit.Entry, error) { return nil, nil }
func (m *memStore) SealAudit(context.Context, int) (int, error)                    { return 0, nil }
func (m *memStore) ScanAudit(context.Context, func(audit.Anchor), func(audit.Entry) bool) (int64, error) {
	return 0, nil
}
func (m *memStore) PurgeAudit(context.Context, time.Time) (int64, error) { return 0, nil }

func (m *memStore) Setting(_ context.Context, key string) (string, bool, error) {
	v, ok := m.settings[key]
	return v, ok, nil
}

func (m *memStore) SetSetting(_ context.Context, key, value string, _ time.Time) error {
	m.settings[key] = value
	return nil
}

func TestSetRetention(t *testing.T) {
	ctx := context.Background()
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
			st := newMemStore()
			s := audit.NewService(st, clock.NewFake(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)))
			err := s.SetRetention(ctx, tt.actor, tt.days)
			if tt.wantKind == "" && err != nil {
				t.Fatalf("SetRetention(%d) = %v", tt.days, err)
			}
			if tt.wantKind != "" && !apperr.Is(err, tt.wantKind) {
				t.Fatalf("SetRetention(%d) = %v, want %s", tt.days, err, tt.wantKind)
			}
			got, err := s.Retention(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Retention() = %d, want %d", got, tt.want)
			}
			wantEntries := 0
			if tt.wantKind == "" {
				wantEntries = 1
			}
			if len(st.entries) != wantEntries {
				t.Fatalf("audit entries = %d, want %d", len(st.entries), wantEntries)
			}
			if wantEntries == 1 {
				e := st.entries[0]
				if e.Action != "settings.update" || e.Username != "admin" || e.Result != audit.Success || e.ObjectID != "audit.retention_days" {
					t.Errorf("audit entry = %+v", e)
				}
			}
		})
	}
}
