package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/ticket"
)

var _ record.Tx = (*Tx)(nil)

// recordCols reads a record with its enterprise's name, its platform's path
// (scope) and its ticket's creation time (the ticket's number).
const recordCols = `r.id, COALESCE(r.platform_code, ''), COALESCE(r.department_code, ''), r.enterprise_uscc,
	COALESCE(e.name, ''), r.kind, r.service_area, r.served_on, r.note, r.source, r.ticket_id, t.created_at, r.corrects,
	r.corrected_by, r.created_by, r.created_at, r.cancelled_at, r.cancelled_by, r.cancel_reason, COALESCE(p.path, '')`

const recordFrom = ` FROM service_records r
	LEFT JOIN enterprises e ON e.uscc = r.enterprise_uscc
	LEFT JOIN platforms p ON p.code = r.platform_code
	LEFT JOIN tickets t ON t.id = r.ticket_id`

func scanRecord(s interface{ Scan(...any) error }) (record.Record, error) {
	var r record.Record
	var ticketID, corrects, correctedBy sql.NullInt64
	var ticketCreated, cancelled nullTime
	err := s.Scan(&r.ID, &r.PlatformCode, &r.DepartmentCode, &r.EnterpriseUSCC, &r.EnterpriseName, &r.Kind, &r.ServiceArea,
		&r.Date, &r.Note, &r.Source, &ticketID, &ticketCreated, &corrects, &correctedBy, &r.CreatedBy, &r.CreatedAt,
		&cancelled, &r.CancelledBy, &r.CancelReason, &r.PlatformPath)
	if ticketID.Valid {
		r.TicketID = &ticketID.Int64
		if ticketCreated.Valid {
			r.TicketNumber = ticket.NumberOf(ticketID.Int64, ticketCreated.Time)
		}
	}
	if corrects.Valid {
		r.Corrects = &corrects.Int64
	}
	if correctedBy.Valid {
		r.CorrectedBy = &correctedBy.Int64
	}
	r.CancelledAt, r.Cancelled = cancelled.Ptr(), cancelled.Valid
	return r, err
}

func int64Ptr(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// InsertServiceRecord stores a new record and sets its id.
func (tx *Tx) InsertServiceRecord(ctx context.Context, r *record.Record) error {
	err := tx.queryRow(ctx, `INSERT INTO service_records (platform_code, department_code, enterprise_uscc, kind, service_area,
		served_on, note, source, ticket_id, corrects, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		nullString(r.PlatformCode), nullString(r.DepartmentCode), r.EnterpriseUSCC, r.Kind, r.ServiceArea, r.Date, r.Note, r.Source,
		int64Ptr(r.TicketID), int64Ptr(r.Corrects), r.CreatedBy, r.CreatedAt).Scan(&r.ID)
	if err != nil {
		return mapErr(err, "store: insert service record")
	}
	return tx.statsRecord(ctx, *r, 1)
}

// TicketRecordExists reports whether a ticket has a live record.
func (tx *Tx) TicketRecordExists(ctx context.Context, ticketID int64) (bool, error) {
	var one int
	err := tx.queryRow(ctx, "SELECT 1 FROM service_records WHERE ticket_id = ? AND cancelled_at IS NULL", ticketID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, mapErr(err, "store: ticket record")
}

const recordPlatformCols = "code, name, tier, path, established_on, created_at"

func scanRecordPlatform(s interface{ Scan(...any) error }) (record.PlatformRef, error) {
	var p record.PlatformRef
	err := s.Scan(&p.Code, &p.Name, &p.Tier, &p.Path, &p.EstablishedOn, &p.CreatedAt)
	return p, err
}

// RecordPlatform returns what records need of a platform, or not_found.
func (tx *Tx) RecordPlatform(ctx context.Context, code string) (record.PlatformRef, error) {
	p, err := scanRecordPlatform(tx.queryRow(ctx, "SELECT "+recordPlatformCols+" FROM platforms WHERE code = ?", code))
	if err != nil {
		return record.PlatformRef{}, notFound(err, "object.platform", code)
	}
	return p, nil
}

// RecordPlatforms lists every platform, by code.
func (tx *Tx) RecordPlatforms(ctx context.Context) ([]record.PlatformRef, error) {
	rows, err := tx.query(ctx, "SELECT "+recordPlatformCols+" FROM platforms ORDER BY code")
	if err != nil {
		return nil, mapErr(err, "store: record platforms")
	}
	return collect(rows, scanRecordPlatform, "platforms")
}

// ServiceRecord returns one record, or not_found.
func (tx *Tx) ServiceRecord(ctx context.Context, id int64) (record.Record, error) {
	r, err := scanRecord(tx.queryRow(ctx, "SELECT "+recordCols+recordFrom+" WHERE r.id = ?", id))
	if err != nil {
		return record.Record{}, notFound(err, "object.service_record", strconv.FormatInt(id, 10))
	}
	return r, nil
}

// ServiceRecords lists records by the filter, the newest service date
// first (keyset pagination after the cursor's date and id).
func (tx *Tx) ServiceRecords(ctx context.Context, f record.Filter) ([]record.Record, error) {
	var w where
	switch {
	case f.All:
	case f.PathPrefix != "":
		// The subtree's codes first: a street platform's staff then read
		// one platform's index range in date order, not the whole city's.
		cond, args := hasPrefix("path", f.PathPrefix)
		rows, err := tx.query(ctx, "SELECT code FROM platforms WHERE "+cond+" ORDER BY code", args...)
		if err != nil {
			return nil, mapErr(err, "store: record scope")
		}
		codes, err := collect(rows, scanString, "platforms")
		if err != nil {
			return nil, err
		}
		switch len(codes) {
		case 0:
			w.add("1 = 0")
		case 1:
			w.add("r.platform_code = ?", codes[0])
		default:
			in := make([]any, len(codes))
			for i, c := range codes {
				in[i] = c
			}
			w.add("r.platform_code IN ("+placeholders(len(in))+")", in...)
		}
	case f.Department != "":
		w.add("r.department_code = ?", f.Department)
	case f.Enterprise != "":
		w.add("r.enterprise_uscc = ?", f.Enterprise)
	default:
		w.add("1 = 0")
	}
	w.addIf(f.Platform, "r.platform_code = ?")
	w.addIf(f.ForDept, "r.department_code = ?")
	w.addIf(f.USCC, "r.enterprise_uscc = ?")
	w.addIf(f.Kind, "r.kind = ?")
	w.addIf(f.ServiceArea, "r.service_area = ?")
	if f.Year != 0 {
		w.add("r.served_on >= ? AND r.served_on < ?", strconv.Itoa(f.Year)+"-01-01", strconv.Itoa(f.Year+1)+"-01-01")
	}
	if f.TicketID != 0 {
		w.add("r.ticket_id = ?", f.TicketID)
	}
	if !f.WithCanceled {
		w.add("r.cancelled_at IS NULL")
	}
	if f.AfterID != 0 {
		w.add("(r.served_on < ? OR (r.served_on = ? AND r.id < ?))", f.AfterDate, f.AfterDate, f.AfterID)
	}
	rows, err := tx.query(ctx, "SELECT "+recordCols+recordFrom+w.String()+" ORDER BY r.served_on DESC, r.id DESC LIMIT ?",
		append(w.args, f.Limit)...)
	if err != nil {
		return nil, mapErr(err, "store: list service records")
	}
	return collect(rows, scanRecord, "service records")
}

// CancelServiceRecord marks a live record cancelled; conflict
// already_cancelled when it is not live.
func (tx *Tx) CancelServiceRecord(ctx context.Context, id int64, c record.Cancellation) error {
	var r record.Record
	err := tx.queryRow(ctx, `UPDATE service_records SET cancelled_at = ?, cancelled_by = ?, cancel_reason = ?
		WHERE id = ? AND cancelled_at IS NULL RETURNING COALESCE(platform_code, ''), COALESCE(department_code, ''),
		enterprise_uscc, served_on, kind, service_area`, c.At, c.By, c.Reason, id).Scan(&r.PlatformCode, &r.DepartmentCode,
		&r.EnterpriseUSCC, &r.Date, &r.Kind, &r.ServiceArea)
	if errors.Is(err, sql.ErrNoRows) {
		return &apperr.Error{Kind: apperr.Conflict, Code: "already_cancelled", Key: "error.record_already_cancelled"}
	}
	if err != nil {
		return mapErr(err, "store: cancel service record")
	}
	return tx.statsRecord(ctx, r, -1)
}

// LinkServiceRecordCorrection records which record replaced a cancelled one.
func (tx *Tx) LinkServiceRecordCorrection(ctx context.Context, oldID, newID int64) error {
	_, err := tx.exec(ctx, "UPDATE service_records SET corrected_by = ? WHERE id = ?", newID, oldID)
	return mapErr(err, "store: link service record correction")
}

// chunkArgs splits credit codes into groups small enough for one IN list.
func chunkArgs(codes []string, n int) [][]any {
	var out [][]any
	for start := 0; start < len(codes); start += n {
		part := codes[start:min(start+n, len(codes))]
		args := make([]any, len(part))
		for i, c := range part {
			args[i] = c
		}
		out = append(out, args)
	}
	return out
}

// RegisteredEnterprises returns the names of the registered ones among the
// credit codes.
func (tx *Tx) RegisteredEnterprises(ctx context.Context, codes []string) (map[string]string, error) {
	out := map[string]string{}
	for _, args := range chunkArgs(codes, 500) {
		rows, err := tx.query(ctx, "SELECT uscc, name FROM enterprises WHERE uscc IN ("+placeholders(len(args))+")", args...)
		if err != nil {
			return nil, mapErr(err, "store: registered enterprises")
		}
		for rows.Next() {
			var code, name string
			if err := rows.Scan(&code, &name); err != nil {
				rows.Close()
				return nil, mapErr(err, "store: registered enterprises")
			}
			out[code] = name
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, mapErr(err, "store: registered enterprises")
		}
	}
	return out, nil
}

// LiveServiceRecordsOf lists the live records of some enterprises dated
// between from and to, inclusive.
func (tx *Tx) LiveServiceRecordsOf(ctx context.Context, codes []string, from, to string) ([]record.Record, error) {
	var out []record.Record
	for _, args := range chunkArgs(codes, 500) {
		rows, err := tx.query(ctx, "SELECT "+recordCols+recordFrom+" WHERE r.enterprise_uscc IN ("+placeholders(len(args))+
			") AND r.served_on >= ? AND r.served_on <= ? AND r.cancelled_at IS NULL", append(args, from, to)...)
		if err != nil {
			return nil, mapErr(err, "store: live service records")
		}
		part, err := collect(rows, scanRecord, "service records")
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

// InsertRecordImport keeps the outcome of an import and sets its id.
func (tx *Tx) InsertRecordImport(ctx context.Context, run *record.ImportRun) error {
	problems, err := json.Marshal(run.Problems)
	if err != nil {
		return apperr.Wrap(err, "store: encode import problems")
	}
	var report any
	if run.Report != nil {
		report = run.Report
	}
	err = tx.queryRow(ctx, `INSERT INTO service_record_imports (file_name, created_by, created_at, rows_read, created, skipped,
		rejected, problems, truncated, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, run.Name, run.CreatedBy, run.CreatedAt,
		run.Rows, run.Created, run.Skipped, run.Rejected, string(problems), run.Truncated, report).Scan(&run.ID)
	return mapErr(err, "store: insert record import")
}

// RecordImport returns a kept import with its report, or not_found.
func (tx *Tx) RecordImport(ctx context.Context, id int64) (record.ImportRun, error) {
	var run record.ImportRun
	var problems string
	err := tx.queryRow(ctx, `SELECT id, file_name, created_by, created_at, rows_read, created, skipped, rejected, problems, truncated,
		report FROM service_record_imports WHERE id = ?`, id).Scan(&run.ID, &run.Name, &run.CreatedBy, &run.CreatedAt, &run.Rows,
		&run.Created, &run.Skipped, &run.Rejected, &problems, &run.Truncated, &run.Report)
	if err != nil {
		return record.ImportRun{}, notFound(err, "object.record_import", strconv.FormatInt(id, 10))
	}
	run.Fraction = 1
	if err := json.Unmarshal([]byte(problems), &run.Problems); err != nil {
		return record.ImportRun{}, apperr.Wrap(err, "store: decode import problems")
	}
	return run, nil
}
