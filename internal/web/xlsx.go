package web

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// xlsxBook is a workbook laid out the way bureaus keep their tables: on
// every sheet a title row, lines saying the unit, the period and who
// exported it (each merged across the table), the header row (frozen), the
// rows and, where it has one, the totals row (合计).
type xlsxBook struct {
	f      *excelize.File
	sheets int
	// Styles of the layout.
	title, head, bold, pct, boldPct, boldNum int
}

func newXLSXBook() (*xlsxBook, error) {
	b := &xlsxBook{f: excelize.NewFile()}
	pct := "0.0%"
	styles := []struct {
		id *int
		s  excelize.Style
	}{
		{&b.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&b.head, excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"},
			Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF1F4"}},
			Border: []excelize.Border{{Type: "bottom", Color: "AAB4BE", Style: 1}}}},
		{&b.bold, excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&b.pct, excelize.Style{CustomNumFmt: &pct}},
		{&b.boldPct, excelize.Style{Font: &excelize.Font{Bold: true}, CustomNumFmt: &pct,
			Border: []excelize.Border{{Type: "top", Color: "AAB4BE", Style: 1}}}},
		{&b.boldNum, excelize.Style{Font: &excelize.Font{Bold: true}, Border: []excelize.Border{{Type: "top", Color: "AAB4BE", Style: 1}}}},
	}
	for _, st := range styles {
		id, err := b.f.NewStyle(&st.s)
		if err != nil {
			b.f.Close()
			return nil, err
		}
		*st.id = id
	}
	return b, nil
}

// close releases the workbook.
func (b *xlsxBook) close() { _ = b.f.Close() }

// xlsxSheet streams the rows of one sheet.
type xlsxSheet struct {
	b     *xlsxBook
	sw    *excelize.StreamWriter
	row   int // the last row written
	cols  int
	lines int // rows above the header
}

// sheetName makes a valid sheet name: at most 31 characters, none of
// []:*?/\.
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, s)
	for utf8.RuneCountInString(s) > 31 {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return s
}

// sheet starts a sheet: the column widths, the title, the lines under it
// and the header row, the rows above the data frozen.
func (b *xlsxBook) sheet(name string, widths []float64, title string, lines []string, headers []string) (*xlsxSheet, error) {
	name = sheetName(name)
	if b.sheets == 0 {
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return nil, err
	}
	b.sheets++
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	s := &xlsxSheet{b: b, sw: sw, cols: len(headers), lines: len(lines)}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return nil, err
		}
	}
	first := len(lines) + 3 // title, lines, header, then the data
	top, _ := excelize.CoordinatesToCellName(1, first)
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: first - 1, TopLeftCell: top, ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if err := s.add(excelize.Cell{StyleID: b.title, Value: title}); err != nil {
		return nil, err
	}
	for _, l := range lines {
		if err := s.add(l); err != nil {
			return nil, err
		}
	}
	head := make([]any, len(headers))
	for i, h := range headers {
		head[i] = excelize.Cell{StyleID: b.head, Value: h}
	}
	return s, s.add(head...)
}

// add writes the next row.
func (s *xlsxSheet) add(cells ...any) error {
	s.row++
	cell, _ := excelize.CoordinatesToCellName(1, s.row)
	return s.sw.SetRow(cell, cells)
}

// end merges the title and the lines across the table and finishes the
// sheet.
func (s *xlsxSheet) end() error {
	last, _ := excelize.ColumnNumberToName(max(s.cols, 1))
	for r := 1; r <= s.lines+1; r++ {
		if err := s.sw.MergeCell("A"+strconv.Itoa(r), last+strconv.Itoa(r)); err != nil {
			return err
		}
	}
	return s.sw.Flush()
}

// finish sets the document's title and writes the workbook out.
func (b *xlsxBook) finish(title, creator string) (*bytes.Buffer, error) {
	if err := b.f.SetDocProps(&excelize.DocProperties{Title: title, Creator: creator}); err != nil {
		return nil, err
	}
	return b.f.WriteToBuffer()
}
