// Package tabular reads the spreadsheets bureaus already keep — CSV (UTF-8,
// or GBK/GB18030 as Chinese Excel writes it) and XLSX — row by row, maps
// their Chinese or English column headings to field names, and writes the
// rejection report of an import as XLSX. It knows nothing of enterprises;
// importers of each kind of record build on it.
package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Format is a file format.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Errors of Open, for the caller to explain.
var (
	ErrEmpty   = errors.New("tabular: the file is empty")
	ErrFormat  = errors.New("tabular: the file is neither CSV nor XLSX")
	ErrNoSheet = errors.New("tabular: the workbook has no sheet")
)

// Reader yields a file's rows after its header row.
type Reader interface {
	// Header is the first non-empty row.
	Header() []string
	// Next returns the next data row and its 1-based row number in the
	// file; io.EOF after the last.
	Next() ([]string, int, error)
	// Progress is how far through the file reading is, 0–1 (-1 unknown).
	// It may be called from another goroutine while Next runs.
	Progress() float64
	Format() Format
	Encoding() string
	Close() error
}

// Open detects the format of r (size bytes, or -1 when unknown) from its
// content and returns a reader positioned after the header row.
func Open(r io.Reader, size int64) (Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(4096)
	if len(head) == 0 {
		if err == nil || errors.Is(err, io.EOF) {
			return nil, ErrEmpty
		}
		return nil, err
	}
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return openXLSX(br)
	}
	if looksBinary(head) {
		return nil, ErrFormat
	}
	return openCSV(br, size)
}

// looksBinary: a NUL byte, or too many control characters for text.
func looksBinary(b []byte) bool {
	ctrl := 0
	for _, c := range b {
		if c == 0 {
			return true
		}
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			ctrl++
		}
	}
	return ctrl > len(b)/20
}

// ---- CSV ----

type csvReader struct {
	cr       *csv.Reader
	counter  *countingReader
	size     int64
	header   []string
	encoding string
	row      int // the row number a spreadsheet would show
	lastLine int // the text line the previous record ended on
}

// advance counts a record the way a spreadsheet numbers rows: one row per
// record (a quoted field may span lines), plus one per blank line skipped.
func (c *csvReader) advance(rec []string) {
	line, _ := c.cr.FieldPos(0)
	c.row += line - c.lastLine
	c.lastLine = line
	for _, f := range rec {
		c.lastLine += strings.Count(f, "\n")
	}
}

type countingReader struct {
	r io.Reader
	n atomic.Int64 // read by Progress from another goroutine
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func openCSV(br *bufio.Reader, size int64) (Reader, error) {
	peek, _ := br.Peek(64 << 10)
	counter := &countingReader{r: br}
	var text io.Reader = counter
	enc := "UTF-8"
	if bytes.HasPrefix(peek, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	} else if !validUTF8Prefix(peek) {
		// Chinese Excel saves CSV in GBK; GB18030 is its superset.
		text = transform.NewReader(counter, simplifiedchinese.GB18030.NewDecoder())
		enc = "GB18030"
	}
	cr := csv.NewReader(text)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	if firstLine := string(peek[:max(0, bytes.IndexByte(peek, '\n'))]); strings.Count(firstLine, "\t") > strings.Count(firstLine, ",") {
		cr.Comma = '\t'
	}
	c := &csvReader{cr: cr, counter: counter, size: size, encoding: enc}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil, ErrEmpty
		}
		if err != nil {
			return nil, fmt.Errorf("tabular: %w", err)
		}
		c.advance(rec)
		if !blank(rec) {
			c.header = trimAll(rec)
			return c, nil
		}
	}
}

// validUTF8Prefix reports whether b is UTF-8, ignoring a rune cut at the end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < 4 && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

func (c *csvReader) Header() []string { return c.header }

func (c *csvReader) Next() ([]string, int, error) {
	for {
		rec, err := c.cr.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, 0, io.EOF
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, 0, fmt.Errorf("tabular: line %d: %w", pe.Line, pe.Err)
			}
			return nil, 0, err
		}
		c.advance(rec)
		if !blank(rec) {
			return trimAll(rec), c.row, nil
		}
	}
}

func (c *csvReader) Progress() float64 {
	if c.size <= 0 {
		return -1
	}
	return min(1, float64(c.counter.n.Load())/float64(c.size))
}

func (c *csvReader) Format() Format   { return CSV }
func (c *csvReader) Encoding() string { return c.encoding }
func (c *csvReader) Close() error     { return nil }

// ---- XLSX ----

type xlsxReader struct {
	f      *excelize.File
	rows   *excelize.Rows
	header []string
	row    int
	done   atomic.Int64 // row, published for Progress from another goroutine
	total  int
}

func openXLSX(r io.Reader) (Reader, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, ErrFormat
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, ErrNoSheet
	}
	// The first visible sheet holds the list.
	sheet := sheets[0]
	for _, s := range sheets {
		if v, err := f.GetSheetVisible(s); err == nil && v {
			sheet = s
			break
		}
	}
	x := &xlsxReader{f: f, total: -1}
	if dim, err := f.GetSheetDimension(sheet); err == nil {
		if _, last, ok := strings.Cut(dim, ":"); ok {
			if _, rowN, err := excelize.CellNameToCoordinates(last); err == nil {
				x.total = rowN
			}
		}
	}
	if x.rows, err = f.Rows(sheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("tabular: %w", err)
	}
	for {
		rec, row, err := x.next()
		if err != nil {
			x.Close()
			if errors.Is(err, io.EOF) {
				return nil, ErrEmpty
			}
			return nil, err
		}
		_ = row
		x.header = rec
		return x, nil
	}
}

func (x *xlsxReader) next() ([]string, int, error) {
	for x.rows.Next() {
		x.row++
		x.done.Store(int64(x.row))
		rec, err := x.rows.Columns()
		if err != nil {
			return nil, 0, fmt.Errorf("tabular: row %d: %w", x.row, err)
		}
		if !blank(rec) {
			return trimAll(rec), x.row, nil
		}
	}
	if err := x.rows.Error(); err != nil {
		return nil, 0, fmt.Errorf("tabular: %w", err)
	}
	return nil, 0, io.EOF
}

func (x *xlsxReader) Header() []string             { return x.header }
func (x *xlsxReader) Next() ([]string, int, error) { return x.next() }
func (x *xlsxReader) Format() Format               { return XLSX }
func (x *xlsxReader) Encoding() string             { return "" }

func (x *xlsxReader) Progress() float64 {
	if x.total <= 0 {
		return -1
	}
	return min(1, float64(x.done.Load())/float64(x.total))
}

func (x *xlsxReader) Close() error {
	if x.rows != nil {
		x.rows.Close()
	}
	return x.f.Close()
}

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

func trimAll(rec []string) []string {
	out := make([]string, len(rec))
	for i, s := range rec {
		out[i] = strings.TrimSpace(s)
	}
	return out
}
