package enterprise_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
)

var sys = access.SystemActor("test")

func setup(t *testing.T, db *store.DB) *enterprise.Service {
	t.Helper()
	c := clock.NewFake(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	o := org.NewService(store.Repo[org.Tx]{DB: db}, c)
	ctx := context.Background()
	for _, r := range []org.Region{
		{Code: "370200", Name: "青岛市", Level: org.LevelCity},
		{Code: "370202", Name: "市南区", Level: org.LevelDistrict, ParentCode: "370200"},
		{Code: "370203", Name: "市北区", Level: org.LevelDistrict, ParentCode: "370200"},
		{Code: "370202001", Name: "八大关街道", Level: org.LevelStreet, ParentCode: "370202"},
		{Code: "370202002", Name: "湛山街道", Level: org.LevelStreet, ParentCode: "370202"},
		{Code: "370202003", Name: "香港中路街道", Level: org.LevelStreet, ParentCode: "370202"},
		{Code: "370203001", Name: "辽宁路街道", Level: org.LevelStreet, ParentCode: "370203"},
	} {
		if _, err := o.CreateRegion(ctx, sys, r); err != nil {
			t.Fatal(err)
		}
	}
	return enterprise.NewService(store.Repo[enterprise.Tx]{DB: db}, c)
}

func i64(v int64) *int64     { return &v }
func f64(v float64) *float64 { return &v }
func code(i int) string      { return demo.MakeUSCC("91", "370202", fmt.Sprintf("T%07d", i)) }
func names(h []enterprise.Hit) string {
	var s []string
	for _, x := range h {
		s = append(s, x.Name)
	}
	return strings.Join(s, ",")
}

func add(t *testing.T, s *enterprise.Service, i int, name, region, contact, phone string) enterprise.Enterprise {
	t.Helper()
	e, err := s.Create(context.Background(), sys, enterprise.Enterprise{USCC: code(i), Name: name, Industry: "software_it",
		Employees: i64(int64(5 + i)), RevenueWan: f64(float64(40 * i)), RegionCode: region, ContactName: contact, ContactPhone: phone})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return e
}

func TestCreateUpdateAndSize(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		ctx := context.Background()
		e := add(t, s, 1, "青岛海纳融资担保有限公司", "370202001", "王芳", "13800138000")
		if e.ID == 0 || e.Size != enterprise.Micro || e.SizeStandard != "2011-300" || e.ContactPhone != "138****8000" {
			t.Fatalf("created %+v", e)
		}
		if _, err := s.Create(ctx, sys, enterprise.Enterprise{USCC: code(1), Name: "重复", Industry: "other", Employees: i64(1), RegionCode: "370202001"}); !apperr.HasCode(err, "duplicate_uscc") {
			t.Errorf("duplicate: %v", err)
		}
		if _, err := s.Create(ctx, sys, enterprise.Enterprise{USCC: code(2), Name: "无区划", Industry: "other", Employees: i64(1), RegionCode: "370299001"}); apperr.As(err).Field != "region_code" {
			t.Errorf("unknown region: %v", err)
		}
		// New figures reclassify: 150 people and 2000 万元 make it medium.
		emp, rev := int64(150), 2000.0
		u, err := s.Update(ctx, sys, code(1), enterprise.Patch{Employees: &emp, RevenueWan: &rev})
		if err != nil || u.Size != enterprise.Medium {
			t.Fatalf("update: %v size %s", err, u.Size)
		}
		other := code(9)
		if _, err := s.Update(ctx, sys, code(1), enterprise.Patch{USCC: &other}); !apperr.HasCode(err, "uscc_fixed") {
			t.Errorf("changing the credit code: %v", err)
		}
		got, _ := s.Get(ctx, sys, strings.ToLower(code(1)))
		if got.Size != enterprise.Medium || got.CreatedAt.IsZero() || !got.UpdatedAt.Equal(got.CreatedAt) && got.UpdatedAt.Before(got.CreatedAt) {
			t.Errorf("read back %+v", got)
		}
	})
}

// TestSearchRanks: exact code, code prefix, name prefix, name contains and
// contact, in that order, with two-character Chinese queries, paginated
// without repeats — the same on both engines.
func TestSearchRanks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		ctx := context.Background()
		add(t, s, 1, "青岛海纳融资担保有限公司", "370202001", "王芳", "13800138000")
		add(t, s, 2, "融资租赁（青岛）有限公司", "370202001", "李强", "13900139000")
		add(t, s, 3, "青岛明策企业管理咨询有限公司", "370203001", "融资达", "0532-81001000")
		add(t, s, 4, "山东青法律师事务所", "370203001", "赵敏", "13700137000")
		search := func(a access.Actor, q string, limit int, after string) ([]enterprise.Hit, string) {
			t.Helper()
			pq, ok := enterprise.ParseQuery(q)
			if !ok {
				t.Fatalf("query %q refused", q)
			}
			f := enterprise.Filter{Query: &pq, Limit: limit}
			if after != "" {
				k, id, _ := enterprise.ParseCursor(after)
				var r int
				fmt.Sscan(k, &r)
				f.AfterRank, f.AfterID = enterprise.Rank(r), id
			}
			hits, next, err := s.List(ctx, a, f)
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			return hits, next
		}
		hits, _ := search(sys, "融资", 10, "")
		if names(hits) != "融资租赁（青岛）有限公司,青岛海纳融资担保有限公司,青岛明策企业管理咨询有限公司" {
			t.Errorf("融资 → %s", names(hits))
		}
		if hits[0].Match != enterprise.RankNamePrefix || hits[1].Match != enterprise.RankName || hits[2].Match != enterprise.RankContact {
			t.Errorf("ranks %d %d %d", hits[0].Match, hits[1].Match, hits[2].Match)
		}
		// Page by page, one at a time: the same list, no repeats.
		var paged []enterprise.Hit
		after := ""
		for i := 0; i < 5; i++ {
			h, next := search(sys, "融资", 1, after)
			paged = append(paged, h...)
			if next == "" {
				break
			}
			after = next
		}
		if names(paged) != names(hits) {
			t.Errorf("paged %s, want %s", names(paged), names(hits))
		}
		if h, _ := search(sys, code(3), 10, ""); len(h) != 1 || h[0].Match != enterprise.RankExactCode {
			t.Errorf("exact code: %v", names(h))
		}
		if h, _ := search(sys, code(3)[:10], 10, ""); len(h) != 4 || h[0].Match != enterprise.RankCodePrefix {
			t.Errorf("code prefix %s: %d hits", code(3)[:10], len(h))
		}
		if h, _ := search(sys, "8000", 10, ""); names(h) != "青岛海纳融资担保有限公司" {
			t.Errorf("phone suffix: %s", names(h))
		}
		if h, _ := search(sys, "0532-81001000", 10, ""); names(h) != "青岛明策企业管理咨询有限公司" {
			t.Errorf("full phone: %s", names(h))
		}
		if h, _ := search(sys, "深圳", 10, ""); len(h) != 0 {
			t.Errorf("深圳 found %s", names(h))
		}
		// Name prefixes of any length; a bigram found everywhere but at
		// the start (有限) is a name match, never a prefix one.
		for _, c := range []struct{ q, want string }{
			{"青岛", "青岛海纳融资担保有限公司 3,青岛明策企业管理咨询有限公司 3,融资租赁（青岛）有限公司 4"},
			{"青岛海纳", "青岛海纳融资担保有限公司 3"},
			{"青岛明策企业", "青岛明策企业管理咨询有限公司 3"},
			{"山东青", "山东青法律师事务所 3"},
			{"法律师", "山东青法律师事务所 4"},
			{"有限公司", "青岛海纳融资担保有限公司 4,融资租赁（青岛）有限公司 4,青岛明策企业管理咨询有限公司 4"},
		} {
			h, _ := search(sys, c.q, 10, "")
			var got []string
			for _, x := range h {
				got = append(got, fmt.Sprintf("%s %d", x.Name, x.Match))
			}
			if strings.Join(got, ",") != c.want {
				t.Errorf("%s → %s, want %s", c.q, strings.Join(got, ","), c.want)
			}
		}
		// A renamed enterprise is found by its new name's start only.
		renamed := "海纳青岛融资担保有限公司"
		if _, err := s.Update(ctx, sys, code(1), enterprise.Patch{Name: &renamed}); err != nil {
			t.Fatal(err)
		}
		if h, _ := search(sys, "海纳", 10, ""); len(h) != 1 || h[0].Match != enterprise.RankNamePrefix {
			t.Errorf("海纳 after the rename: %s", names(h))
		}
		if h, _ := search(sys, "青岛海纳", 10, ""); len(h) != 0 {
			t.Errorf("青岛海纳 after the rename: %s", names(h))
		}
		// A street's staff search only their street.
		street := access.Actor{Role: access.StreetStaff, OrgCode: "P1", PlatformPath: "/P0/P1/", RegionCode: "370202001"}
		if h, _ := search(street, "有限", 10, ""); names(h) != "海纳青岛融资担保有限公司,融资租赁（青岛）有限公司" {
			t.Errorf("street staff 有限 → %s", names(h))
		}
	})
}

func TestListFiltersSortAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		ctx := context.Background()
		for i := 1; i <= 7; i++ {
			region := "370202001"
			if i%2 == 0 {
				region = "370203001"
			}
			add(t, s, i, fmt.Sprintf("企业%02d有限公司", 8-i), region, "", "")
		}
		list := func(a access.Actor, f enterprise.Filter) []enterprise.Hit {
			t.Helper()
			var all []enterprise.Hit
			f.Limit = 3
			for {
				h, next, err := s.List(ctx, a, f)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, h...)
				if next == "" {
					return all
				}
				f.AfterKey, f.AfterID, _ = enterprise.ParseCursor(next)
			}
		}
		if got := names(list(sys, enterprise.Filter{Sort: enterprise.SortName})); got != "企业01有限公司,企业02有限公司,企业03有限公司,企业04有限公司,企业05有限公司,企业06有限公司,企业07有限公司" {
			t.Errorf("by name: %s", got)
		}
		if got := list(sys, enterprise.Filter{}); len(got) != 7 || got[0].Name != "企业01有限公司" {
			t.Errorf("newest first: %s", names(got))
		}
		if got := list(sys, enterprise.Filter{RegionPrefix: "370203"}); len(got) != 3 {
			t.Errorf("district filter: %d", len(got))
		}
		district := access.Actor{Role: access.DistrictStaff, OrgCode: "P2", PlatformPath: "/P0/P2/", RegionCode: "370202"}
		if got := list(district, enterprise.Filter{}); len(got) != 4 {
			t.Errorf("district staff see %d, want the 4 of 市南区", len(got))
		}
		if _, err := s.Get(ctx, district, code(2)); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("district reads another district's enterprise: %v", err)
		}
		own := access.Actor{Role: access.Enterprise, OrgCode: code(3)}
		if got := list(own, enterprise.Filter{}); len(got) != 1 || got[0].USCC != code(3) {
			t.Errorf("an enterprise sees %s", names(got))
		}
		if _, _, err := s.List(ctx, access.Actor{Role: access.DepartmentStaff, OrgCode: "X"}, enterprise.Filter{}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("department staff listed enterprises: %v", err)
		}
	})
}

func TestRevealIsAuditedAndLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		ctx := context.Background()
		add(t, s, 1, "青岛海纳融资担保有限公司", "370202001", "王芳", "13800138000")
		hotline := access.Actor{Username: "hotline", Role: access.HotlineOperator}
		if name, phone, err := s.RevealContact(ctx, hotline, code(1)); err != nil || phone != "13800138000" || name != "王芳" {
			t.Fatalf("hotline reveal: %q %q %v", name, phone, err)
		}
		if _, _, err := s.RevealContact(ctx, access.Actor{Role: access.Auditor}, code(1)); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("auditor revealed a number: %v", err)
		}
		a := audit.NewService(store.AuditStore{DB: db}, clock.System{})
		items, _, _ := a.List(ctx, sys, audit.Filter{Action: "enterprise.reveal_contact"})
		if len(items) != 1 || items[0].Username != "hotline" || items[0].ObjectID != code(1) {
			t.Errorf("reveal audit entries %+v", items)
		}
	})
}

// Migration 0011 writes SQLite's search entries anew (with their head
// tokens) for the enterprises already registered: after it they are found
// as before, name prefixes included.
func TestSearchEntriesRebuiltByMigration(t *testing.T) {
	ctx := context.Background()
	_, path := storetest.DSN(t, store.SQLite)
	db, err := store.Open(ctx, store.SQLite, path)
	if err != nil {
		t.Fatal(err)
	}
	s := setup(t, db)
	add(t, s, 1, "青岛海纳融资担保有限公司", "370202001", "王芳", "13800138000")
	add(t, s, 2, "融资租赁（青岛）有限公司", "370202001", "李强", "13900139000")
	db.Close()
	// The database as it was before 0011: entries without head tokens
	// (here none at all), the migration not applied.
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DELETE FROM schema_migrations WHERE name = '0011_enterprise_search_head.sql'",
		"DROP TABLE enterprise_search",
		"CREATE VIRTUAL TABLE enterprise_search USING fts5(tokens, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0')"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	db, err = store.Open(ctx, store.SQLite, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s = enterprise.NewService(store.Repo[enterprise.Tx]{DB: db}, clock.System{})
	for q, want := range map[string]string{"融资": "融资租赁（青岛）有限公司 3,青岛海纳融资担保有限公司 4",
		"青岛海纳": "青岛海纳融资担保有限公司 3", "王芳": "青岛海纳融资担保有限公司 5"} {
		pq, _ := enterprise.ParseQuery(q)
		h, _, err := s.List(ctx, sys, enterprise.Filter{Query: &pq})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, x := range h {
			got = append(got, fmt.Sprintf("%s %d", x.Name, x.Match))
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s → %s, want %s", q, strings.Join(got, ","), want)
		}
	}
}

// A large import ends by refreshing the planner's statistics, inside a
// write transaction, on both engines.
func TestAnalyzeEnterprisesInAWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		setup(t, db)
		ctx := context.Background()
		if err := (store.Repo[enterprise.Tx]{DB: db}).Write(ctx, func(tx enterprise.Tx) error {
			return tx.AnalyzeEnterprises(ctx)
		}); err != nil {
			t.Fatal(err)
		}
	})
}
