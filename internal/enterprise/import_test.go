package enterprise_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
	"github.com/qifu/qifu/internal/tabular"
)

// importFile runs an import of a testdata file; problems are described by
// their error code so the expectations read plainly.
func importFile(t *testing.T, s *enterprise.Service, name string) (enterprise.ImportResult, error) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	r, err := tabular.Open(f, st.Size())
	if err != nil {
		return enterprise.ImportResult{}, err
	}
	defer r.Close()
	return s.Import(context.Background(), sys, r, enterprise.ImportOptions{Name: name,
		Describe: func(err error) string { return apperr.As(err).ErrorCode() }})
}

func TestImportGoodFiles(t *testing.T) {
	for _, file := range []string{"good.csv", "good_gbk.csv"} {
		t.Run(file, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				s := setup(t, db)
				res, err := importFile(t, s, file)
				if err != nil {
					t.Fatal(err)
				}
				if res.Rows != 5 || res.Created != 5 || res.Rejected != 0 || len(res.Problems) != 0 {
					t.Fatalf("result %+v problems %+v", res.ImportProgress, res.Problems)
				}
				ctx := context.Background()
				cases := map[string]struct {
					size   enterprise.Size
					region string
				}{
					"914403001922038216": {enterprise.Small, "370202001"},  // leasing: 35 people, 2600 万元 assets
					"91350100M000100Y43": {enterprise.Micro, "370202001"},  // street given by name
					"91440300708461136T": {enterprise.Large, "370202002"},  // "1,200" people, "35,000.5" 万元
					"91110000802100433B": {enterprise.Small, "370202003"},  // "市南区香港中路街道": district + street
					"91110108558521630L": {enterprise.Medium, "370203001"}, // "150人", "2100万元"
				}
				for code, want := range cases {
					e, err := s.Get(ctx, sys, code)
					if err != nil || e.Size != want.size || e.RegionCode != want.region {
						t.Errorf("%s: %v size %s region %s, want %s %s", code, err, e.Size, e.RegionCode, want.size, want.region)
					}
				}
				// A re-import updates, never duplicates.
				again, err := importFile(t, s, file)
				if err != nil || again.Created != 0 || again.Updated != 5 {
					t.Errorf("re-import: %+v %v", again.ImportProgress, err)
				}
				all, _, _ := s.List(ctx, sys, enterprise.Filter{Limit: 100})
				if len(all) != 5 {
					t.Errorf("%d enterprises after two imports, want 5", len(all))
				}
			})
		})
	}
}

func TestImportXLSXWithTitleRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		res, err := importFile(t, s, "list.xlsx")
		if err != nil {
			t.Fatal(err)
		}
		if res.Format != tabular.XLSX || res.Created != 3 || res.Rejected != 0 || !slices.Contains(res.Unknown, "序号") {
			t.Fatalf("result %+v unknown %v problems %+v", res.ImportProgress, res.Unknown, res.Problems)
		}
		e, _ := s.Get(context.Background(), sys, "91110000100010433L") // written in lower case in the sheet
		if e.Size != enterprise.Medium || e.Industry != "construction" {
			t.Errorf("construction enterprise: %+v", e)
		}
	})
}

func TestImportMixedFileReportsEveryBadRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		res, err := importFile(t, s, "mixed.csv")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range res.Problems {
			kind := "rejected"
			if p.Warning {
				kind = "warning"
			}
			got = append(got, fmt.Sprintf("%d %s %s %s", p.Row, p.Column, p.Reason, kind))
		}
		want := []string{
			"3 统一社会信用代码 invalid_uscc rejected",
			"4 统一社会信用代码 invalid_uscc rejected",
			"5 统一社会信用代码 invalid_uscc rejected",
			"6 行业 unknown_industry rejected",
			"7 从业人员数 out_of_range rejected",
			"8 从业人员数 out_of_range rejected",
			"9 营业收入 invalid_number rejected",
			"10 企业名称 required rejected",
			"11 所在街道 unknown_reference rejected",
			"12 营业收入 required rejected",
			"13 统一社会信用代码 duplicate_in_file warning",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if res.Rows != 12 || res.Rejected != 10 || res.Created != 1 || res.Duplicates != 1 || !slices.Contains(res.Unknown, "备注") {
			t.Errorf("counts %+v duplicates %d unknown %v", res.ImportProgress, res.Duplicates, res.Unknown)
		}
		// The later row of the duplicated code won.
		e, err := s.Get(context.Background(), sys, "91440300192317458F")
		if err != nil || e.Name != "青岛正确一号有限公司（更名）" || e.RegionCode != "370202002" || *e.Employees != 320 {
			t.Errorf("duplicate code kept %+v %v", e, err)
		}
	})
}

func TestImportBrokenFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		for file, want := range map[string]error{"empty.csv": tabular.ErrEmpty, "binary.csv": tabular.ErrFormat} {
			if _, err := importFile(t, s, file); !errors.Is(err, want) {
				t.Errorf("%s: %v, want %v", file, err, want)
			}
		}
		_, err := importFile(t, s, "missing_columns.csv")
		if e := apperr.As(err); e == nil || e.ErrorCode() != "missing_columns" || !strings.Contains(fmt.Sprint(e.Params["columns"]), "uscc") {
			t.Errorf("missing columns: %v", err)
		}
		if _, err := s.Import(context.Background(), access.Actor{Role: access.StreetStaff}, nil, enterprise.ImportOptions{}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("street staff imported: %v", err)
		}
		// Nothing was written by any of these.
		if all, _, _ := s.List(context.Background(), sys, enterprise.Filter{}); len(all) != 0 {
			t.Errorf("%d enterprises after failed imports", len(all))
		}
	})
}

// TestInterruptedImportIsSafeToRerun cancels an import after its first
// batch: what was written stays whole, and running again completes it.
func TestInterruptedImportIsSafeToRerun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		var csv strings.Builder
		csv.WriteString("统一社会信用代码,企业名称,所属行业,从业人员,所在街道\n")
		for i := 0; i < 50; i++ {
			fmt.Fprintf(&csv, "%s,中断测试%02d有限公司,other,%d,370202001\n", code(1000+i), i, 5+i)
		}
		run := func(ctx context.Context) (enterprise.ImportResult, error) {
			r, err := tabular.Open(strings.NewReader(csv.String()), int64(csv.Len()))
			if err != nil {
				t.Fatal(err)
			}
			return s.Import(ctx, sys, r, enterprise.ImportOptions{BatchSize: 10, Progress: func(p enterprise.ImportProgress) {}})
		}
		ctx, cancel := context.WithCancel(context.Background())
		first, err := s.Import(ctx, sys, mustOpen(t, csv.String()), enterprise.ImportOptions{BatchSize: 10,
			Progress: func(p enterprise.ImportProgress) { cancel() }})
		if !errors.Is(err, context.Canceled) || first.Created < 10 || first.Created >= 50 {
			t.Fatalf("interrupted import: created %d, %v", first.Created, err)
		}
		res, err := run(context.Background())
		if err != nil || res.Created+res.Updated != 50 || res.Created != 50-first.Created {
			t.Fatalf("rerun: %+v %v (first created %d)", res.ImportProgress, err, first.Created)
		}
		all, _, _ := s.List(context.Background(), sys, enterprise.Filter{Limit: 100})
		if len(all) != 50 {
			t.Errorf("%d enterprises, want 50", len(all))
		}
	})
}

func mustOpen(t *testing.T, text string) tabular.Reader {
	r, err := tabular.Open(strings.NewReader(text), int64(len(text)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}
