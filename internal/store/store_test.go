package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
)

func TestRebind(t *testing.T) {
	cases := map[string]string{
		"SELECT ? , ?":                     "SELECT $1 , $2",
		"WHERE a = '?' AND b = ?":          "WHERE a = '?' AND b = $1",
		"WHERE a LIKE ? ESCAPE '\\' AND ?": "WHERE a LIKE $1 ESCAPE '\\' AND $2",
	}
	for in, want := range cases {
		if got := store.Rebind(store.Postgres, in); got != want {
			t.Errorf("Rebind(%q) = %q, want %q", in, got, want)
		}
		if got := store.Rebind(store.SQLite, in); got != in {
			t.Errorf("SQLite changed %q to %q", in, got)
		}
	}
}

func TestMigrateTwiceAndStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		list, err := db.MigrationStatus(ctx)
		if err != nil || len(list) == 0 {
			t.Fatalf("status %v %v", list, err)
		}
		for _, m := range list {
			if m.AppliedAt == "" {
				t.Errorf("migration %s pending after Migrate", m.Name)
			}
		}
	})
}

func TestResolveDSN(t *testing.T) {
	cases := []struct {
		db, data string
		d        store.Dialect
		dsn      string
		bad      bool
	}{
		{"", "", store.SQLite, "qifu-data/qifu.db", false},
		{"", "/var/lib/qifu", store.SQLite, "/var/lib/qifu/qifu.db", false},
		{"sqlite:/tmp/x.db", "ignored", store.SQLite, "/tmp/x.db", false},
		{"postgres://u@h/db", "", store.Postgres, "postgres://u@h/db", false},
		{"mysql://x", "", "", "", true},
	}
	for _, c := range cases {
		d, dsn, err := store.ResolveDSN(c.db, c.data)
		if (err != nil) != c.bad || d != c.d || dsn != c.dsn {
			t.Errorf("ResolveDSN(%q, %q) = %s %q %v", c.db, c.data, d, dsn, err)
		}
	}
}

// Times come back as the instant stored, to the microsecond, on both engines;
// text with LIKE wildcards is matched literally.
func TestTimesAndLiteralSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		at := time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.FixedZone("CST", 8*3600))
		s := org.NewService(store.Repo[org.Tx]{DB: db}, clock.NewFake(at))
		ctx := context.Background()
		sys := access.SystemActor("t")
		if _, err := s.CreateRegion(ctx, sys, org.Region{Code: "370200", Name: "青岛_100%市", Level: org.LevelCity}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateRegion(ctx, sys, org.Region{Code: "370202", Name: "市南区", Level: org.LevelDistrict, ParentCode: "370200"}); err != nil {
			t.Fatal(err)
		}
		r, err := s.Region(ctx, sys, "370200")
		if err != nil {
			t.Fatal(err)
		}
		if !r.CreatedAt.Equal(at) {
			t.Errorf("created_at %v, want the instant %v to the microsecond", r.CreatedAt, at.UTC())
		}
		for q, want := range map[string]int{"_100%": 1, "%": 1, "南": 1, "x%": 0} {
			items, _, err := s.Regions(ctx, sys, org.RegionFilter{Q: q})
			if err != nil || len(items) != want {
				t.Errorf("search %q found %d (%v), want %d", q, len(items), err, want)
			}
		}
	})
}
