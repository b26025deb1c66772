package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/qifu/qifu/internal/apptest"
	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/store"
)

// Downloads makes the browser save downloads into a fresh directory and
// returns a function that waits for the next download to complete and
// gives its bytes.
func (b *Browser) Downloads() func(step string) []byte {
	b.t.Helper()
	dir := b.t.TempDir()
	done := make(chan string, 8)
	if err := chromedp.ListenBrowser(b.Ctx, func(ev any) {
		if e, ok := ev.(*browser.EventDownloadProgress); ok && e.State == browser.DownloadProgressStateCompleted {
			done <- e.GUID
		}
	}); err != nil {
		b.t.Fatalf("listen for downloads: %v", err)
	}
	on := true
	if _, err := chromedp.CallBrowser(b.Ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &on}); err != nil {
		b.t.Fatalf("allow downloads: %v", err)
	}
	return func(step string) []byte {
		b.t.Helper()
		select {
		case guid := <-done:
			data, err := os.ReadFile(filepath.Join(dir, guid))
			if err != nil {
				b.t.Fatalf("%s: %v", step, err)
			}
			return data
		case <-time.After(30 * time.Second):
			b.t.Fatalf("%s: no download completed", step)
		}
		return nil
	}
}

// sqlInt runs a query giving one number.
func sqlInt(t *testing.T, env *apptest.Env, q string, args ...any) int64 {
	t.Helper()
	var n sql.NullInt64
	err := env.App.DB.Raw(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(store.Rebind(env.App.DB.Dialect(), q), args...).Scan(&n)
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n.Int64
}

// sheetRows reads a workbook's first sheet, raw values.
func sheetRows(t *testing.T, data []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("the download is no workbook: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// totalRow finds the row starting with 合计 and the data rows between the
// header (row 5) and it.
func totalRow(t *testing.T, rows [][]string) (data [][]string, total []string) {
	t.Helper()
	for i, r := range rows {
		if len(r) > 0 && r[0] == "合计" {
			return rows[5:i], r
		}
	}
	t.Fatalf("no totals row (合计) in %q", rows)
	return nil, nil
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}

// The city admin opens the overview from the navigation, sees every
// district with its light and the charts drawn from the embedded ECharts,
// drills down to a district, one of its streets and that street's platform,
// downloads the platform's months as a workbook and its service records
// as another, and both carry the database's totals (REQUIREMENTS R5.2).
// Nothing is loaded from outside the server.
func TestCityAdminDrillsDownToAStreetPlatformAndDownloads(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		if err := demo.LoadWith(context.Background(), env.App, io.Discard, demo.Options{Tickets: 120, Records: 300, NetworkTargets: true}); err != nil {
			t.Fatal(err)
		}
		const year, district, street = 2026, "P370202", "P370202001"
		b := NewBrowser(t, env.Server.URL, "zh-CN")
		download := b.Downloads()
		b.Login("admin", demo.Password)

		b.Do("open the city overview",
			chromedp.Click(chromedp.CSS(`nav.mainnav a[href="/dashboard"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#table-districts`)),
		)
		districts, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](`document.querySelectorAll("#table-districts tbody tr .light").length`))
		if err != nil {
			t.Fatal(err)
		}
		if districts != 10 {
			t.Errorf("%d districts with a traffic light, want 10", districts)
		}
		charted := b.charts("the overview")

		b.Do("drill down to the district",
			chromedp.Click(chromedp.CSS(`#table-districts tr[data-code="`+district+`"] a`)),
			chromedp.WaitVisible(chromedp.CSS(`#table-streets`)),
		)
		if h := b.Text("#dash-heading"); !strings.Contains(h, "市南区") {
			t.Errorf("district heading %q", h)
		}
		b.Do("then to a street and its platform",
			chromedp.Click(chromedp.CSS(`#table-streets tr[data-code="370202001"] a`)),
			chromedp.WaitVisible(chromedp.CSS(`#link-records`)),
		)
		if h := b.Text("#dash-heading"); !strings.Contains(h, "八大关街道") {
			t.Errorf("street platform heading %q", h)
		}
		if crumbs := b.Text("nav.crumbs"); !strings.Contains(crumbs, "全市服务情况") || !strings.Contains(crumbs, "市南区") {
			t.Errorf("crumbs %q", crumbs)
		}
		if charted {
			b.charts("the street platform")
		}

		// The platform's months as a workbook: the totals are the sums of
		// the months and the database's figures.
		b.Do("download the months", chromedp.Click(chromedp.CSS(`#export-months`)))
		rows := sheetRows(t, download("the months workbook"))
		if !strings.Contains(rows[0][0], "2026年月度情况") || !strings.Contains(rows[1][0], "八大关街道") ||
			!strings.HasPrefix(rows[2][0], "统计期间：2026-01-01") {
			t.Errorf("workbook heading %q", rows[:3])
		}
		months, total := totalRow(t, rows)
		if len(months) != 12 {
			t.Fatalf("%d months", len(months))
		}
		var smes, recs, tickets int64
		for _, m := range months {
			smes, recs, tickets = smes+atoi(m[1]), recs+atoi(m[3]), tickets+atoi(m[4])
		}
		y := fmt.Sprint(year, "-%")
		wantSMEs := sqlInt(t, env, `SELECT COUNT(DISTINCT r.enterprise_uscc) FROM service_records r JOIN enterprises e ON e.uscc = r.enterprise_uscc
			WHERE r.platform_code = ? AND r.cancelled_at IS NULL AND e.size <> 'large' AND r.served_on LIKE ?`, street, y)
		wantRecs := sqlInt(t, env, `SELECT COUNT(*) FROM service_records WHERE platform_code = ? AND cancelled_at IS NULL AND served_on LIKE ?`, street, y)
		yearOf := "CAST(strftime('%Y', created_at, '+8 hours') AS INTEGER)"
		if env.App.DB.Dialect() == store.Postgres {
			yearOf = "CAST(EXTRACT(YEAR FROM created_at AT TIME ZONE 'Asia/Shanghai') AS INTEGER)"
		}
		wantTickets := sqlInt(t, env, "SELECT COUNT(*) FROM tickets WHERE assignee_code = ? AND status <> 'merged' AND "+yearOf+" = ?", street, year)
		if got := []int64{atoi(total[1]), atoi(total[3]), atoi(total[4])}; fmt.Sprint(got) != fmt.Sprint([]int64{smes, recs, tickets}) ||
			fmt.Sprint(got) != fmt.Sprint([]int64{wantSMEs, wantRecs, wantTickets}) {
			t.Errorf("months totals (SMEs, records, tickets) %v; the months add up to %v; SQL %v", got, []int64{smes, recs, tickets},
				[]int64{wantSMEs, wantRecs, wantTickets})
		}
		if wantRecs == 0 {
			t.Errorf("the street platform recorded nothing in %d: the journey proves little", year)
		}

		// Its records, listed and downloaded.
		b.Do("open the platform's records",
			chromedp.Click(chromedp.CSS(`#link-records`)),
			chromedp.WaitVisible(chromedp.CSS(`#records`)),
		)
		b.Do("download them", chromedp.Click(chromedp.CSS(`#record-export`)))
		rows = sheetRows(t, download("the records workbook"))
		last := rows[len(rows)-1]
		wantEnts := sqlInt(t, env, `SELECT COUNT(DISTINCT enterprise_uscc) FROM service_records WHERE platform_code = ? AND cancelled_at IS NULL
			AND served_on LIKE ?`, street, y)
		want := fmt.Sprintf("有效记录 %d 条，服务企业 %d 家", wantRecs, wantEnts)
		if last[0] != "合计" || len(last) < 3 || last[2] != want {
			t.Errorf("records workbook total %q, want %q", last, want)
		}
		if n := len(rows) - 5; int64(n) != wantRecs {
			t.Errorf("%d records in the workbook, SQL %d", n, wantRecs)
		}
		b.CheckClean()
	})
}

// charts checks the page's charts: drawn on a canvas when this build
// embeds ECharts (make assets), which it reports; otherwise the tables
// stand alone and the chart areas stay hidden.
func (b *Browser) charts(where string) bool {
	b.t.Helper()
	embedded, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`!!document.querySelector('script[src*="/vendor/echarts.min.js"]')`))
	if err != nil {
		b.t.Fatal(err)
	}
	if !embedded {
		b.t.Logf("%s: ECharts is not embedded in this build (make assets); checking the tables stand alone", where)
		hidden, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`Array.prototype.every.call(document.querySelectorAll("[data-chart]"), function (e) { return e.hidden; })`))
		if err != nil || !hidden {
			b.t.Errorf("%s: chart areas shown without a charting library", where)
		}
		return false
	}
	b.Do(where+": the charts are drawn",
		chromedp.Poll[chromedp.Void](`document.querySelectorAll("[data-chart]").length > 0 &&
			Array.prototype.every.call(document.querySelectorAll("[data-chart]"), function (e) {
				var c = e.querySelector("canvas");
				return e.getAttribute("data-rendered") === "true" && c && c.width > 0 && c.height > 0;
			})`),
	)
	// A drawn chart has coloured pixels, not only a blank canvas.
	painted, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`(function () {
		var c = document.querySelector("#chart-months-trend canvas"), d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
		for (var i = 3; i < d.length; i += 4) { if (d[i] !== 0) { return true; } }
		return false;
	})()`))
	if err != nil || !painted {
		b.t.Errorf("%s: the months chart's canvas is blank (%v)", where, err)
	}
	return true
}
