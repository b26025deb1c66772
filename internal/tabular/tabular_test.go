package tabular

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func rows(t *testing.T, r Reader) [][]string {
	t.Helper()
	var out [][]string
	for {
		row, _, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, row)
	}
}

func TestCSVEncodingsAndDelimiters(t *testing.T) {
	gbk, _ := simplifiedchinese.GB18030.NewEncoder().String("企业名称,从业人员\n青岛海纳,35\n")
	cases := []struct {
		name, input, encoding string
	}{
		{"utf-8", "企业名称,从业人员\n青岛海纳,35\n", "UTF-8"},
		{"utf-8 with BOM", "\ufeff企业名称,从业人员\r\n青岛海纳,35\r\n", "UTF-8"},
		{"gb18030", gbk, "GB18030"},
		{"tab separated", "企业名称\t从业人员\n青岛海纳\t35\n", "UTF-8"},
		{"blank lines and spaces", "\n 企业名称 , 从业人员 \n\n青岛海纳, 35\n,\n", "UTF-8"},
	}
	for _, c := range cases {
		r, err := Open(strings.NewReader(c.input), int64(len(c.input)))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := rows(t, r)
		if r.Encoding() != c.encoding || strings.Join(r.Header(), "|") != "企业名称|从业人员" || len(got) != 1 || strings.Join(got[0], "|") != "青岛海纳|35" {
			t.Errorf("%s: encoding %s header %q rows %q", c.name, r.Encoding(), r.Header(), got)
		}
	}
}

func TestQuotedFieldsKeepNewlinesAndRowNumbersCountLines(t *testing.T) {
	in := "名称,地址\n\"A公司\",\"第一行\n第二行\"\nB公司,x\n"
	r, _ := Open(strings.NewReader(in), -1)
	row, n, _ := r.Next()
	if row[1] != "第一行\n第二行" || n != 2 {
		t.Errorf("quoted: %q at row %d", row, n)
	}
	_, n, _ = r.Next()
	if n != 3 {
		t.Errorf("second data row numbered %d, want 3 (records, as a spreadsheet counts rows)", n)
	}
	if r.Progress() != -1 {
		t.Errorf("progress with unknown size = %v", r.Progress())
	}
}

func TestFindHeaderBelowATitle(t *testing.T) {
	in := "2026年企业名录\n\n序号,统一社会信用代码,企业名称\n1,X,甲\n"
	r, _ := Open(strings.NewReader(in), int64(len(in)))
	cols, unknown, missing, err := FindHeader(r, map[string][]string{"uscc": {"统一社会信用代码"}, "name": {"企业名称"}}, "uscc", "name")
	if err != nil || len(missing) != 0 || len(unknown) != 1 {
		t.Fatalf("FindHeader: %v missing %v unknown %v", err, missing, unknown)
	}
	row, n, _ := r.Next()
	if cols.Get(row, "name") != "甲" || n != 4 || cols.Heading("uscc") != "统一社会信用代码" {
		t.Errorf("row %q (%d)", row, n)
	}
}

func TestRefusals(t *testing.T) {
	for name, in := range map[string]string{"empty": "", "only blank lines": "\n\n,\n"} {
		if _, err := Open(strings.NewReader(in), 0); !errors.Is(err, ErrEmpty) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Open(bytes.NewReader([]byte{0x89, 'P', 'N', 'G', 0, 0, 0, 0}), 8); !errors.Is(err, ErrFormat) {
		t.Errorf("a PNG: %v", err)
	}
	if _, err := Open(strings.NewReader("PK\x03\x04not really a zip"), 22); !errors.Is(err, ErrFormat) {
		t.Errorf("a broken zip: %v", err)
	}
}

func TestReportRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	err := WriteReport(&buf, ReportLabels{Title: "导入报告", Row: "行号", Column: "列", Value: "值", Reason: "原因", Class: "处理", Rejected: "拒绝", Warning: "提示"},
		[]Problem{{Row: 3, Column: "统一社会信用代码", Value: "X", Reason: "长度须为18位"}, {Row: 9, Column: "名称", Reason: "重复", Warning: true}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(&buf, int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	cols, _, _, err := FindHeader(r, map[string][]string{"row": {"行号"}, "reason": {"原因"}, "class": {"处理"}}, "row", "reason")
	if err != nil {
		t.Fatal(err)
	}
	got := rows(t, r)
	if len(got) != 2 || cols.Get(got[0], "reason") != "长度须为18位" || cols.Get(got[1], "class") != "提示" {
		t.Errorf("report rows %q", got)
	}
}
