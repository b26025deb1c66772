package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/qifu/qifu/internal/apperr"
)

// Repo adapts the DB to a domain package's Store interface, whose functions
// take that package's Tx interface (which *Tx implements).
type Repo[T any] struct{ DB *DB }

// Read runs fn on the read pool.
func (r Repo[T]) Read(ctx context.Context, fn func(T) error) error {
	return r.DB.Read(ctx, func(tx *Tx) error { return fn(any(tx).(T)) })
}

// Write runs fn in one write transaction.
func (r Repo[T]) Write(ctx context.Context, fn func(T) error) error {
	return r.DB.Write(ctx, func(tx *Tx) error { return fn(any(tx).(T)) })
}

// mapErr turns driver errors into application errors: unique violations
// into conflict, foreign-key violations into invalid, anything else
// internal with the prefix.
func mapErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	switch constraintKind(err) {
	case "unique":
		return &apperr.Error{Kind: apperr.Conflict, Code: "duplicate", Key: "error.duplicate", Err: err}
	case "foreign_key":
		return &apperr.Error{Kind: apperr.Invalid, Code: "unknown_reference", Key: "error.unknown_reference", Err: err}
	}
	return apperr.Wrap(err, format, args...)
}

func constraintKind(err error) string {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case 2067, 1555: // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
			return "unique"
		case 787: // SQLITE_CONSTRAINT_FOREIGNKEY
			return "foreign_key"
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return "unique"
		case "23503":
			return "foreign_key"
		}
	}
	return ""
}

// notFound maps sql.ErrNoRows to the domain's not_found error.
func notFound(err error, object, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundOf(object, id)
	}
	return apperr.Wrap(err, "store: get %s %s", object, id)
}

// where builds a conjunction of conditions with their arguments; values are
// never concatenated into SQL.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// addIf adds the condition only when v is not the zero string.
func (w *where) addIf(v string, cond string) {
	if v != "" {
		w.add(cond, v)
	}
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// addSearch adds a case-insensitive "contains q" over several columns, the
// same on both engines (SQLite's LIKE ignores ASCII case, PostgreSQL's does
// not, so both sides are lower-cased).
func (w *where) addSearch(q string, cols ...string) {
	if q == "" {
		return
	}
	p := strings.ToLower(likeContains(q))
	parts := make([]string, len(cols))
	args := make([]any, len(cols))
	for i, c := range cols {
		parts[i] = "LOWER(" + c + `) LIKE ? ESCAPE '\'`
		args[i] = p
	}
	w.add("("+strings.Join(parts, " OR ")+")", args...)
}

// likeContains escapes s for a LIKE '%s%' pattern with ESCAPE '\'.
func likeContains(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// hasPrefix is the condition that col starts with prefix, compared exactly.
// SQLite's LIKE ignores ASCII case, so LIKE cannot bound a platform scope:
// "/p370200/" would fall inside "/P370200/".
func hasPrefix(col, prefix string) (string, []any) {
	return "SUBSTR(" + col + ", 1, ?) = ?", []any{utf8.RuneCountInString(prefix), prefix}
}

// pathPrefix is the condition that col, a materialised path, starts with
// prefix, compared byte by byte, as a range an index can seek. A LIKE
// cannot stand in: SQLite's ignores ASCII case (so "/p1/" would take in
// "/P1/…") and uses no ordinary index; PostgreSQL's uses one only for a
// pattern known when planning. PostgreSQL compares in the "C" collation, as
// the indexes on paths do: the database's own may order punctuation
// otherwise.
func pathPrefix(d Dialect, col, prefix string) (string, []any) {
	if d == Postgres {
		col += ` COLLATE "C"`
	}
	if end, ok := prefixEnd(prefix); ok {
		return col + " >= ? AND " + col + " < ?", []any{prefix, end}
	}
	return col + " >= ?", []any{prefix}
}

// prefixEnd is the least string above every string that starts with p: p
// with its last character raised by one (UTF-8 orders bytes as it orders
// code points), or its last byte if that is not UTF-8. ok is false when no
// string is above them all.
func prefixEnd(p string) (string, bool) {
	for p != "" {
		r, size := utf8.DecodeLastRuneInString(p)
		head := p[:len(p)-size]
		switch {
		case r == utf8.RuneError && size == 1:
			if b := p[len(p)-1]; b < 0xff {
				return head + string([]byte{b + 1}), true
			}
		case r == 0xD7FF: // the next code point is past the surrogates
			return head + "\uE000", true
		case r < utf8.MaxRune:
			return head + string(r+1), true
		}
		p = head
	}
	return "", false
}

// likePrefix escapes s for a LIKE 's%' pattern with ESCAPE '\'.
func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

// nullTime scans a nullable time; SQLite returns times of aggregates and
// untyped expressions as text, which it also parses.
type nullTime struct {
	Time  time.Time
	Valid bool
}

func (n *nullTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		n.Time, n.Valid = time.Time{}, false
	case time.Time:
		n.Time, n.Valid = x.UTC(), true
	case string:
		t, err := parseTime(x)
		if err != nil {
			return err
		}
		n.Time, n.Valid = t, true
	case []byte:
		t, err := parseTime(string(x))
		if err != nil {
			return err
		}
		n.Time, n.Valid = t, true
	default:
		return fmt.Errorf("store: cannot scan %T into a time", v)
	}
	return nil
}

// Ptr returns the time or nil.
func (n nullTime) Ptr() *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time
	return &t
}

var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

func parseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("store: unparsable time %q", s)
}

// timePtr is the value to store for an optional time.
func timePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// nullString stores "" as NULL (for nullable references).
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
