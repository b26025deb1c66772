package enterprise_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/enterprise"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
	"github.com/qifu/qifu/internal/tabular"
)

// BenchmarkImport imports b.N generated rows into a fresh SQLite database
// (qifuload import measures the full target; this is for profiling).
func BenchmarkImport(b *testing.B) {
	var buf strings.Builder
	w := csv.NewWriter(&buf)
	w.Write([]string{"统一社会信用代码", "企业名称", "所属行业", "从业人员", "营业收入(万元)", "资产总额(万元)", "所在街道/区划代码", "地址", "联系人", "联系电话"})
	g := demo.NewGenerator(11)
	for i := 0; i < b.N; i++ {
		e := g.Next()
		w.Write([]string{e.USCC, e.Name, e.Industry, strconv.FormatInt(*e.Employees, 10), fmt.Sprint(*e.RevenueWan),
			fmt.Sprint(*e.AssetsWan), e.RegionCode, e.Address, e.ContactName, e.ContactPhone})
	}
	w.Flush()
	db := storetest.Open(b, store.SQLite)
	s := setupDemoRegions(b, db)
	b.ResetTimer()
	r, err := tabular.Open(strings.NewReader(buf.String()), int64(buf.Len()))
	if err != nil {
		b.Fatal(err)
	}
	res, err := s.Import(context.Background(), sys, r, enterprise.ImportOptions{})
	if err != nil || res.Created != b.N {
		b.Fatalf("%+v %v", res.ImportProgress, err)
	}
}

func setupDemoRegions(b *testing.B, db *store.DB) *enterprise.Service {
	b.Helper()
	c := clock.System{}
	o := org.NewService(store.Repo[org.Tx]{DB: db}, c)
	for _, r := range demo.Regions() {
		if _, err := o.CreateRegion(context.Background(), sys, r); err != nil {
			b.Fatal(err)
		}
	}
	return enterprise.NewService(store.Repo[enterprise.Tx]{DB: db}, c)
}
