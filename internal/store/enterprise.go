package store

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/enterprise"
)

var _ enterprise.Tx = (*Tx)(nil)

const enterpriseCols = `e.id, e.uscc, e.name, e.industry, e.employees, e.revenue_wan, e.assets_wan, e.size,
	e.size_standard, e.size_checks, e.region_code, e.address, e.contact_name, e.contact_phone, e.created_at, e.updated_at`

func scanEnterprise(s interface{ Scan(...any) error }) (enterprise.Enterprise, error) {
	var e enterprise.Enterprise
	var checks string
	err := s.Scan(&e.ID, &e.USCC, &e.Name, &e.Industry, &e.Employees, &e.RevenueWan, &e.AssetsWan, &e.Size,
		&e.SizeStandard, &checks, &e.RegionCode, &e.Address, &e.ContactName, &e.ContactPhone, &e.CreatedAt, &e.UpdatedAt)
	if err == nil && checks != "" {
		err = json.Unmarshal([]byte(checks), &e.SizeChecks)
	}
	return e, err
}

// appendChecksJSON appends the JSON of c, as encoding/json writes it; the
// common case by hand, as an import writes one for every row.
func appendChecksJSON(b []byte, c []enterprise.Check) []byte {
	if len(c) == 0 {
		return append(b, "[]"...)
	}
	start := len(b)
	b = append(b, '[')
	for i, x := range c {
		if !plainJSON(string(x.Class)) || !plainJSON(string(x.Measure)) || !plainFloat(x.Floor) || !plainFloat(x.Value) {
			j, _ := json.Marshal(c)
			return append(b[:start], j...)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"class":"`...)
		b = append(b, x.Class...)
		b = append(b, `","measure":"`...)
		b = append(b, x.Measure...)
		b = append(b, `","floor":`...)
		b = strconv.AppendFloat(b, x.Floor, 'f', -1, 64)
		b = append(b, `,"value":`...)
		b = strconv.AppendFloat(b, x.Value, 'f', -1, 64)
		b = append(b, `,"met":`...)
		b = strconv.AppendBool(b, x.Met)
		b = append(b, '}')
	}
	return append(b, ']')
}

// plainJSON: s needs no escaping in JSON.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// plainFloat: encoding/json writes f in the 'f' format.
func plainFloat(f float64) bool {
	a := math.Abs(f)
	return a == 0 || a >= 1e-6 && a < 1e21
}

// Enterprise returns one enterprise by credit code, or not_found.
func (tx *Tx) Enterprise(ctx context.Context, uscc string) (enterprise.Enterprise, error) {
	e, err := scanEnterprise(tx.queryRow(ctx, "SELECT "+enterpriseCols+" FROM enterprises e WHERE e.uscc = ?", uscc))
	if err != nil {
		return enterprise.Enterprise{}, notFound(err, "object.enterprise", uscc)
	}
	return e, nil
}

// RegionLevel returns a region's level, or not_found.
func (tx *Tx) RegionLevel(ctx context.Context, code string) (string, error) {
	var level string
	if err := tx.queryRow(ctx, "SELECT level FROM regions WHERE code = ?", code).Scan(&level); err != nil {
		return "", notFound(err, "object.region", code)
	}
	return level, nil
}

// RegionRefs lists every region's code, name, level and parent.
func (tx *Tx) RegionRefs(ctx context.Context) ([]enterprise.RegionRef, error) {
	rows, err := tx.query(ctx, "SELECT code, name, level, COALESCE(parent_code, '') FROM regions")
	if err != nil {
		return nil, mapErr(err, "store: region refs")
	}
	return collect(rows, func(s interface{ Scan(...any) error }) (enterprise.RegionRef, error) {
		var r enterprise.RegionRef
		err := s.Scan(&r.Code, &r.Name, &r.Level, &r.ParentCode)
		return r, err
	}, "regions")
}

// enterpriseWhere adds the scope and the filters of f.
func enterpriseWhere(w *where, f enterprise.Filter) {
	switch {
	case f.Scope.All:
	case f.Scope.USCC != "":
		w.add("e.uscc = ?", f.Scope.USCC)
	case f.Scope.RegionPrefix != "":
		w.add(`e.region_code LIKE ? ESCAPE '\'`, likePrefix(f.Scope.RegionPrefix))
	default:
		w.add("1 = 0")
	}
	if f.RegionPrefix != "" {
		w.add(`e.region_code LIKE ? ESCAPE '\'`, likePrefix(access.RegionPrefix(f.RegionPrefix)))
	}
	w.addIf(f.Industry, "e.industry = ?")
	w.addIf(string(f.Size), "e.size = ?")
}

// Enterprises lists enterprises in the filter's sort order (keyset
// pagination: after the cursor's key and id).
func (tx *Tx) Enterprises(ctx context.Context, f enterprise.Filter) ([]enterprise.Enterprise, error) {
	var w where
	enterpriseWhere(&w, f)
	order := " ORDER BY e.id DESC"
	switch f.Sort {
	case enterprise.SortUSCC:
		order = " ORDER BY e.uscc"
		if f.AfterKey != "" {
			w.add("e.uscc > ?", f.AfterKey)
		}
	case enterprise.SortName:
		// Names order by their bytes on both engines (PostgreSQL's
		// collation would otherwise ignore punctuation).
		name := "e.name"
		if tx.dialect == Postgres {
			name = `e.name COLLATE "C"`
		}
		order = " ORDER BY " + name + ", e.id"
		if f.AfterID != 0 {
			w.add("("+name+" > ? OR ("+name+" = ? AND e.id > ?))", f.AfterKey, f.AfterKey, f.AfterID)
		}
	default:
		if f.AfterID != 0 {
			w.add("e.id < ?", f.AfterID)
		}
	}
	rows, err := tx.query(ctx, "SELECT "+enterpriseCols+" FROM enterprises e"+w.String()+order+" LIMIT ?", append(w.args, f.Limit)...)
	if err != nil {
		return nil, mapErr(err, "store: list enterprises")
	}
	return collect(rows, scanEnterprise, "enterprises")
}

// SearchEnterprises returns, by id after f.AfterID, the candidates of one
// rank of f.Query: enterprises whose index holds what the rank needs. The
// service keeps those that truly match. The two engines differ here only:
// SQLite asks its FTS5 table, PostgreSQL the GIN-indexed token array and the
// name key.
func (tx *Tx) SearchEnterprises(ctx context.Context, f enterprise.Filter, r enterprise.Rank) ([]enterprise.Enterprise, error) {
	q := f.Query
	var w where
	enterpriseWhere(&w, f)
	from, order := "enterprises e", " ORDER BY e.id"
	switch r {
	case enterprise.RankExactCode:
		w.add("e.uscc = ?", q.Code)
	case enterprise.RankCodePrefix:
		w.add("e.uscc >= ? AND e.uscc < ?", q.Code, q.Code+"~")
	case enterprise.RankNamePrefix, enterprise.RankName, enterprise.RankContact:
		toks := q.Grams
		if r == enterprise.RankContact && q.Phone != "" {
			toks = []string{q.Phone}
		}
		if tx.dialect == SQLite {
			from = "enterprise_search s JOIN enterprises e ON e.id = s.rowid"
			w.add("s.tokens MATCH ?", ftsQuery(toks, r == enterprise.RankNamePrefix))
			order = " ORDER BY s.rowid"
		} else if r == enterprise.RankNamePrefix {
			w.add(`e.name_key LIKE ? ESCAPE '\'`, likePrefix(q.Text))
		} else {
			w.add("e.tokens @> ?::text[]", pgTextArray(toks))
		}
	}
	if f.AfterID != 0 {
		// On SQLite the search table's rowid (the enterprise id): FTS5
		// then starts its walk there, and returns its matches in rowid
		// order, so the LIMIT ends the walk (ordered by e.id, SQLite
		// collected every match and sorted them: a second for 有限).
		if strings.HasPrefix(order, " ORDER BY s.") {
			w.add("s.rowid > ?", f.AfterID)
		} else {
			w.add("e.id > ?", f.AfterID)
		}
	}
	rows, err := tx.query(ctx, "SELECT "+enterpriseCols+" FROM "+from+w.String()+order+" LIMIT ?", append(w.args, f.Limit)...)
	if err != nil {
		return nil, mapErr(err, "store: search enterprises")
	}
	return collect(rows, scanEnterprise, "enterprises")
}

// ftsQuery writes an FTS5 query: every token (AND), or, anchored, the
// head token of the first (enterprise.HeadPrefix) and, when there are more,
// the tokens as one phrase at the start of the document.
func ftsQuery(toks []string, anchored bool) string {
	quoted := make([]string, len(toks))
	for i, t := range toks {
		quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	if anchored && len(toks) > 0 {
		head := `"` + strings.ReplaceAll(enterprise.HeadPrefix+toks[0], `"`, `""`) + `"`
		if len(toks) == 1 {
			return head
		}
		inner := make([]string, len(toks))
		for i, t := range toks {
			inner[i] = strings.ReplaceAll(t, `"`, `""`)
		}
		return head + ` AND ^"` + strings.Join(inner, " ") + `"`
	}
	return strings.Join(quoted, " AND ")
}

// pgTextArray writes a PostgreSQL text[] literal.
func pgTextArray(toks []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(t))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

const enterpriseInsertCols = `uscc, name, industry, employees, revenue_wan, assets_wan, size, size_standard, size_checks,
	region_code, address, contact_name, contact_phone, created_at, updated_at`

// InsertEnterprise stores a new enterprise and its search tokens, and sets
// its id.
func (tx *Tx) InsertEnterprise(ctx context.Context, e *enterprise.Enterprise) error {
	created, err := tx.UpsertEnterprises(ctx, []enterprise.Enterprise{*e})
	if err != nil {
		return err
	}
	if !created[e.USCC] {
		return &apperr.Error{Kind: apperr.Conflict, Code: "duplicate_uscc", Field: "uscc", Key: "error.duplicate_uscc"}
	}
	got, err := tx.Enterprise(ctx, e.USCC)
	e.ID = got.ID
	return err
}

// UpdateEnterprise stores an enterprise's fields and its search tokens.
func (tx *Tx) UpdateEnterprise(ctx context.Context, e enterprise.Enterprise) error {
	_, err := tx.UpsertEnterprises(ctx, []enterprise.Enterprise{e})
	return err
}

// upsertBatch bounds the rows of one INSERT statement (SQLite allows 32,766
// variables; 15 a row there, 17 on PostgreSQL). 2,000 was measured no
// faster than 500 and keeps larger statement journals in memory.
const upsertBatch = 500

// searchBatch bounds the rows of one statement writing SQLite search
// entries (2 variables a row).
const searchBatch = 16000

// UpsertEnterprises inserts or updates a batch by credit code (the row's
// created_at is kept on update) with its search tokens, and reports which
// credit codes were new. One credit code may appear once per batch.
func (tx *Tx) UpsertEnterprises(ctx context.Context, batch []enterprise.Enterprise) (map[string]bool, error) {
	created := make(map[string]bool, len(batch))
	// SQLite has one writer: a row is new when its id is above the largest
	// id before the batch. PostgreSQL says so itself (xmax = 0).
	var maxID int64
	if tx.dialect == SQLite {
		if err := tx.queryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM enterprises").Scan(&maxID); err != nil {
			return nil, mapErr(err, "store: upsert enterprises")
		}
	}
	ids := make([]int64, len(batch))
	for start := 0; start < len(batch); start += upsertBatch {
		end := min(start+upsertBatch, len(batch))
		if err := tx.upsertRows(ctx, batch[start:end], ids[start:end], created, maxID); err != nil {
			return nil, err
		}
	}
	if tx.dialect == SQLite {
		// The search entries are written after every row, in few large
		// statements: FTS5 writes its pending entries out as a new segment
		// whenever a statement opens a savepoint (every multi-row INSERT
		// does), so interleaving them with the rows made a small segment
		// per statement, and merging those was a third of an import.
		if err := tx.indexTokens(ctx, batch, ids, maxID); err != nil {
			return nil, err
		}
	}
	return created, nil
}

// upsertRows writes part, sets ids (by position in part) and marks in
// created the codes that were inserted rather than updated.
func (tx *Tx) upsertRows(ctx context.Context, part []enterprise.Enterprise, ids []int64, created map[string]bool, maxID int64) error {
	cols := enterpriseInsertCols
	perRow := 15
	if tx.dialect == Postgres {
		cols += ", name_key, tokens"
		perRow = 17
	}
	row := "(" + placeholders(perRow) + ")"
	// On SQLite the values every row of an import shares (the standard's
	// version, the batch's time) are bound once, as ?1 and ?2: binding
	// was a fifth of the statement's time, the two times formatted for
	// every row. A bare ? then numbers on from the largest so far.
	shared := tx.dialect == SQLite && sameStandardAndTimes(part)
	if shared {
		cols = "size_standard, created_at, updated_at, " + strings.NewReplacer(" size_standard,", "", ", created_at, updated_at", "").Replace(cols)
		row = "(?1, ?2, ?2, " + placeholders(perRow-3) + ")"
	}
	var b strings.Builder
	b.Grow(len(part)*(len(row)+1) + 1024)
	b.WriteString("INSERT INTO enterprises (" + cols + ") VALUES ")
	args := make([]any, 0, perRow*len(part))
	if shared {
		args = append(args, part[0].SizeStandard, part[0].CreatedAt)
	}
	pos := make(map[string]int, len(part))
	var checks []byte
	for i, e := range part {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
		pos[e.USCC] = i
		checks = appendChecksJSON(checks[:0], e.SizeChecks)
		if shared {
			args = append(args, e.USCC, e.Name, e.Industry, e.Employees, e.RevenueWan, e.AssetsWan, e.Size,
				string(checks), e.RegionCode, e.Address, e.ContactName, e.ContactPhone)
			continue
		}
		args = append(args, e.USCC, e.Name, e.Industry, e.Employees, e.RevenueWan, e.AssetsWan, e.Size, e.SizeStandard,
			string(checks), e.RegionCode, e.Address, e.ContactName, e.ContactPhone, e.CreatedAt, e.UpdatedAt)
		if tx.dialect == Postgres {
			args = append(args, enterprise.Key(e.Name), pgTextArray(enterprise.Tokens(e)))
		}
	}
	b.WriteString(` ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, industry = excluded.industry,
		employees = excluded.employees, revenue_wan = excluded.revenue_wan, assets_wan = excluded.assets_wan,
		size = excluded.size, size_standard = excluded.size_standard, size_checks = excluded.size_checks,
		region_code = excluded.region_code, address = excluded.address, contact_name = excluded.contact_name,
		contact_phone = excluded.contact_phone, updated_at = excluded.updated_at`)
	if tx.dialect == Postgres {
		b.WriteString(", name_key = excluded.name_key, tokens = excluded.tokens")
	}
	if tx.dialect == Postgres {
		b.WriteString(" RETURNING id, uscc, (xmax = 0)")
	} else {
		b.WriteString(" RETURNING id, uscc, FALSE")
	}
	rows, err := tx.query(ctx, b.String(), args...)
	if err != nil {
		return mapErr(err, "store: upsert enterprises")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var u string
		var inserted bool
		if err := rows.Scan(&id, &u, &inserted); err != nil {
			return mapErr(err, "store: upsert enterprises")
		}
		if i, ok := pos[u]; ok {
			ids[i] = id
		}
		created[u] = inserted || (tx.dialect == SQLite && id > maxID)
	}
	return mapErr(rows.Err(), "store: upsert enterprises")
}

// sameStandardAndTimes: every enterprise of part has the first one's size
// standard, and one time for created_at and updated_at.
func sameStandardAndTimes(part []enterprise.Enterprise) bool {
	for _, e := range part {
		if e.SizeStandard != part[0].SizeStandard || !e.CreatedAt.Equal(part[0].CreatedAt) || !e.UpdatedAt.Equal(part[0].CreatedAt) {
			return false
		}
	}
	return len(part) > 0
}

// indexTokens writes the SQLite search entries of batch (ids by position):
// new enterprises (id above maxID) get theirs inserted, known ones have
// theirs replaced.
func (tx *Tx) indexTokens(ctx context.Context, batch []enterprise.Enterprise, ids []int64, maxID int64) error {
	var fresh, known []int
	for i, id := range ids {
		if id > maxID {
			fresh = append(fresh, i)
		} else {
			known = append(known, i)
		}
	}
	var text []byte
	for _, w := range []struct {
		verb string
		rows []int
	}{{"INSERT", fresh}, {"INSERT OR REPLACE", known}} {
		for start := 0; start < len(w.rows); start += searchBatch {
			part := w.rows[start:min(start+searchBatch, len(w.rows))]
			var b strings.Builder
			b.Grow(len(part)*7 + 64)
			b.WriteString(w.verb + " INTO enterprise_search (rowid, tokens) VALUES ")
			args := make([]any, 0, 2*len(part))
			for j, i := range part {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString("(?, ?)")
				text = searchText(text[:0], batch[i])
				args = append(args, ids[i], string(text))
			}
			if _, err := tx.exec(ctx, b.String(), args...); err != nil {
				return mapErr(err, "store: index enterprises")
			}
		}
	}
	return nil
}

// AnalyzeEnterprises, on PostgreSQL, moves the GIN index's pending entries
// into the index proper and refreshes the statistics of the enterprises
// (their search tokens' frequencies decide between walking the table by id
// and asking the GIN index). Both are autovacuum's work, done at once after
// a bulk import: until then every search read the pending list (up to
// gin_pending_list_limit, 4 MB; measured 12 ms for one credit code). SQLite
// needs neither: the app never runs ANALYZE there, and its plans here do
// not depend on it.
func (tx *Tx) AnalyzeEnterprises(ctx context.Context) error {
	if tx.dialect != Postgres {
		return nil
	}
	if _, err := tx.exec(ctx, "SELECT gin_clean_pending_list('enterprises_tokens'::regclass)"); err != nil {
		return mapErr(err, "store: analyze enterprises")
	}
	_, err := tx.exec(ctx, "ANALYZE enterprises")
	return mapErr(err, "store: analyze enterprises")
}

// searchText appends the SQLite search entry of e: its tokens, then its
// head token (enterprise.HeadPrefix).
func searchText(b []byte, e enterprise.Enterprise) []byte {
	return enterprise.AppendHeadToken(enterprise.AppendTokenText(b, e), e.Name)
}

// rebuildEnterpriseSearch writes the SQLite search entry of every
// enterprise into an empty enterprise_search, reading the enterprises by id
// in chunks.
func (tx *Tx) rebuildEnterpriseSearch(ctx context.Context) error {
	const chunk = 10_000
	var after int64
	var text []byte
	for {
		rows, err := tx.query(ctx, `SELECT id, name, contact_name, contact_phone FROM enterprises
			WHERE id > ? ORDER BY id LIMIT ?`, after, chunk)
		if err != nil {
			return mapErr(err, "store: rebuild enterprise search")
		}
		var ids []int64
		var part []enterprise.Enterprise
		for rows.Next() {
			var id int64
			var e enterprise.Enterprise
			if err := rows.Scan(&id, &e.Name, &e.ContactName, &e.ContactPhone); err != nil {
				rows.Close()
				return mapErr(err, "store: rebuild enterprise search")
			}
			ids, part = append(ids, id), append(part, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mapErr(err, "store: rebuild enterprise search")
		}
		if len(part) == 0 {
			return nil
		}
		after = ids[len(ids)-1]
		var b strings.Builder
		b.WriteString("INSERT INTO enterprise_search (rowid, tokens) VALUES ")
		args := make([]any, 0, 2*len(part))
		for i, e := range part {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?, ?)")
			text = searchText(text[:0], e)
			args = append(args, ids[i], string(text))
		}
		if _, err := tx.exec(ctx, b.String(), args...); err != nil {
			return mapErr(err, "store: rebuild enterprise search")
		}
	}
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
