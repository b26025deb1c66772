package tabular

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Problem is one rejected value of an import (or a warning about a row that
// was kept).
type Problem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Value   string `json:"value"`
	Reason  string `json:"reason"`
	Warning bool   `json:"warning"` // kept, but worth a look (a duplicate replaced)
}

// ReportLabels are the localized texts of a report.
type ReportLabels struct {
	Title, Subtitle                   string
	Row, Column, Value, Reason, Class string
	Rejected, Warning                 string
}

// WriteReport writes the problems of an import as an XLSX workbook: a title
// row, a subtitle (file, time, counts), the heading row, one row per
// problem. It streams, so a long report does not sit in memory twice.
func WriteReport(w io.Writer, l ReportLabels, problems []Problem) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	title, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	sw.SetColWidth(1, 1, 8)
	sw.SetColWidth(2, 2, 22)
	sw.SetColWidth(3, 3, 30)
	sw.SetColWidth(4, 4, 60)
	sw.SetColWidth(5, 5, 10)
	if err := sw.SetRow("A1", []any{excelize.Cell{Value: l.Title, StyleID: title}}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", []any{l.Subtitle}); err != nil {
		return err
	}
	head := []any{}
	for _, h := range []string{l.Row, l.Column, l.Value, l.Reason, l.Class} {
		head = append(head, excelize.Cell{Value: h, StyleID: bold})
	}
	if err := sw.SetRow("A4", head); err != nil {
		return err
	}
	for i, p := range problems {
		class := l.Rejected
		if p.Warning {
			class = l.Warning
		}
		cell, _ := excelize.CoordinatesToCellName(1, 5+i)
		if err := sw.SetRow(cell, []any{p.Row, p.Column, p.Value, p.Reason, class}); err != nil {
			return fmt.Errorf("tabular: report row %d: %w", i, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
