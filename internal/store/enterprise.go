package store

import (
	"context"
	"encoding/json"
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

func checksJSON(c []enterprise.Check) string {
	if len(c) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(c)
	return string(b)
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
	if f.AfterID != 0 {
		w.add("e.id > ?", f.AfterID)
	}
	from := "enterprises e"
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
		} else if r == enterprise.RankNamePrefix {
			w.add(`e.name_key LIKE ? ESCAPE '\'`, likePrefix(q.Text))
		} else {
			w.add("e.tokens @> ?::text[]", pgTextArray(toks))
		}
	}
	rows, err := tx.query(ctx, "SELECT "+enterpriseCols+" FROM "+from+w.String()+" ORDER BY e.id LIMIT ?", append(w.args, f.Limit)...)
	if err != nil {
		return nil, mapErr(err, "store: search enterprises")
	}
	return collect(rows, scanEnterprise, "enterprises")
}

// ftsQuery writes an FTS5 query: every token (AND), or, anchored, the
// tokens as one phrase at the start of the document.
func ftsQuery(toks []string, anchored bool) string {
	quoted := make([]string, len(toks))
	for i, t := range toks {
		quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	if anchored {
		inner := make([]string, len(toks))
		for i, t := range toks {
			inner[i] = strings.ReplaceAll(t, `"`, `""`)
		}
		return `^"` + strings.Join(inner, " ") + `"`
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

func enterpriseArgs(e enterprise.Enterprise) []any {
	return []any{e.USCC, e.Name, e.Industry, e.Employees, e.RevenueWan, e.AssetsWan, e.Size, e.SizeStandard,
		checksJSON(e.SizeChecks), e.RegionCode, e.Address, e.ContactName, e.ContactPhone, e.CreatedAt, e.UpdatedAt}
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
// variables; 17 a row).
const upsertBatch = 500

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
	for start := 0; start < len(batch); start += upsertBatch {
		part := batch[start:min(start+upsertBatch, len(batch))]
		ids, err := tx.upsertRows(ctx, part, created, maxID)
		if err != nil {
			return nil, err
		}
		if tx.dialect == SQLite {
			if err := tx.indexTokens(ctx, part, ids); err != nil {
				return nil, err
			}
		}
	}
	return created, nil
}

// upsertRows writes part, returns the ids by credit code and marks in
// created the codes that were inserted rather than updated.
func (tx *Tx) upsertRows(ctx context.Context, part []enterprise.Enterprise, created map[string]bool, maxID int64) (map[string]int64, error) {
	cols := enterpriseInsertCols
	perRow := 15
	if tx.dialect == Postgres {
		cols += ", name_key, tokens"
		perRow = 17
	}
	row := "(" + placeholders(perRow) + ")"
	var b strings.Builder
	b.WriteString("INSERT INTO enterprises (" + cols + ") VALUES ")
	args := make([]any, 0, perRow*len(part))
	for i, e := range part {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
		args = append(args, enterpriseArgs(e)...)
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
		return nil, mapErr(err, "store: upsert enterprises")
	}
	defer rows.Close()
	ids := make(map[string]int64, len(part))
	for rows.Next() {
		var id int64
		var u string
		var inserted bool
		if err := rows.Scan(&id, &u, &inserted); err != nil {
			return nil, mapErr(err, "store: upsert enterprises")
		}
		ids[u] = id
		created[u] = inserted || (tx.dialect == SQLite && id > maxID)
	}
	return ids, mapErr(rows.Err(), "store: upsert enterprises")
}

// indexTokens writes the SQLite search entries of part (replacing any).
func (tx *Tx) indexTokens(ctx context.Context, part []enterprise.Enterprise, ids map[string]int64) error {
	var b strings.Builder
	b.WriteString("INSERT OR REPLACE INTO enterprise_search (rowid, tokens) VALUES ")
	args := make([]any, 0, 2*len(part))
	for i, e := range part {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?, ?)")
		args = append(args, ids[e.USCC], strings.Join(enterprise.Tokens(e), " "))
	}
	_, err := tx.exec(ctx, b.String(), args...)
	return mapErr(err, "store: index enterprises")
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
