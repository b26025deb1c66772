package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/qifu/qifu/internal/audit"
)

// auditChainLock is the PostgreSQL advisory lock held while sealing or
// purging, so two app instances never fork the chain.
const auditChainLock = 7302_2002

const auditCols = `id, at, COALESCE(user_id, 0), username, role, ip, action, object_type, object_id, result,
	before_digest, after_digest, detail, request_id, COALESCE(seq, 0), COALESCE(prev_hash, ''), COALESCE(hash, '')`

func scanAudit(s interface{ Scan(...any) error }) (audit.Entry, error) {
	var e audit.Entry
	err := s.Scan(&e.ID, &e.At, &e.UserID, &e.Username, &e.Role, &e.IP, &e.Action, &e.ObjectType, &e.ObjectID,
		&e.Result, &e.BeforeDigest, &e.AfterDigest, &e.Detail, &e.RequestID, &e.Seq, &e.PrevHash, &e.Hash)
	e.At = e.At.UTC()
	return e, err
}

// AppendAudit inserts an unsealed entry in the current transaction.
func (tx *Tx) AppendAudit(ctx context.Context, e audit.Entry) error {
	var uid any
	if e.UserID != 0 {
		uid = e.UserID
	}
	_, err := tx.exec(ctx, `INSERT INTO audit_entries (at, user_id, username, role, ip, action, object_type, object_id,
		result, before_digest, after_digest, detail, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At.UTC().Truncate(time.Microsecond), uid, e.Username, e.Role, e.IP, e.Action, e.ObjectType, e.ObjectID,
		string(e.Result), e.BeforeDigest, e.AfterDigest, e.Detail, e.RequestID)
	return mapErr(err, "store: append audit")
}

// AuditStore implements audit.Store.
type AuditStore struct{ DB *DB }

var _ audit.Store = AuditStore{}

// AppendAudit appends one entry in its own transaction.
func (s AuditStore) AppendAudit(ctx context.Context, e audit.Entry) error {
	return s.DB.Write(ctx, func(tx *Tx) error { return tx.AppendAudit(ctx, e) })
}

// ListAudit returns entries matching f, newest first.
func (s AuditStore) ListAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	var w where
	if !f.From.IsZero() {
		w.add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		w.add("at < ?", f.To.UTC())
	}
	w.addIf(f.Username, "username = ?")
	if f.Action != "" {
		w.add(`action LIKE ? ESCAPE '\'`, likePrefix(f.Action))
	}
	w.addIf(f.ObjectType, "object_type = ?")
	w.addIf(f.ObjectID, "object_id = ?")
	w.addIf(string(f.Result), "result = ?")
	if f.BeforeID > 0 {
		w.add("id < ?", f.BeforeID)
	}
	var out []audit.Entry
	err := s.DB.Read(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT "+auditCols+" FROM audit_entries"+w.String()+" ORDER BY id DESC LIMIT ?", append(w.args, f.Limit)...)
		if err != nil {
			return mapErr(err, "store: list audit")
		}
		out, err = collect(rows, scanAudit, "audit")
		return err
	})
	return out, err
}

// SealAudit links up to limit pending entries into the chain in id order.
func (s AuditStore) SealAudit(ctx context.Context, limit int) (int, error) {
	n := 0
	err := s.DB.Write(ctx, func(tx *Tx) error {
		if got, err := tx.chainLock(ctx); err != nil || !got {
			return err
		}
		seq, prev, err := tx.chainHead(ctx)
		if err != nil {
			return err
		}
		rows, err := tx.query(ctx, "SELECT "+auditCols+" FROM audit_entries WHERE seq IS NULL ORDER BY id LIMIT ?", limit)
		if err != nil {
			return mapErr(err, "store: seal audit")
		}
		pending, err := collect(rows, scanAudit, "audit")
		if err != nil {
			return err
		}
		for _, e := range pending {
			seq++
			e.Seq, e.PrevHash = seq, prev
			e.Hash = audit.Hash(prev, e)
			if _, err := tx.exec(ctx, "UPDATE audit_entries SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?", e.Seq, e.PrevHash, e.Hash, e.ID); err != nil {
				return mapErr(err, "store: seal audit")
			}
			prev = e.Hash
		}
		n = len(pending)
		return nil
	})
	return n, err
}

// chainLock takes the chain lock for the transaction; on SQLite the write
// transaction is already exclusive. It reports false when another instance
// holds it.
func (tx *Tx) chainLock(ctx context.Context) (bool, error) {
	if tx.dialect != Postgres {
		return true, nil
	}
	var got bool
	// Keyed by schema too: two Qifu databases in one PostgreSQL database
	// (as the tests have) must not share the lock.
	err := tx.queryRow(ctx, "SELECT pg_try_advisory_xact_lock(?, hashtext(current_schema()))", auditChainLock).Scan(&got)
	return got, mapErr(err, "store: audit chain lock")
}

// chainHead returns the last sealed link, or the anchor when none is left.
func (tx *Tx) chainHead(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	err := tx.queryRow(ctx, "SELECT seq, hash FROM audit_entries WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1").Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		a, err := tx.auditAnchor(ctx)
		return a.Seq, a.Hash, err
	}
	return seq, hash, mapErr(err, "store: audit chain head")
}

func (tx *Tx) auditAnchor(ctx context.Context) (audit.Anchor, error) {
	var a audit.Anchor
	err := tx.queryRow(ctx, "SELECT seq, hash FROM audit_anchor WHERE id = 1").Scan(&a.Seq, &a.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Anchor{}, nil
	}
	return a, mapErr(err, "store: audit anchor")
}

// ScanAudit reads the anchor and the sealed entries in one snapshot.
func (s AuditStore) ScanAudit(ctx context.Context, start func(audit.Anchor), fn func(audit.Entry) bool) (int64, error) {
	opts := &sql.TxOptions{}
	if s.DB.dialect == Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	sqlTx, err := s.DB.reader.BeginTx(ctx, opts)
	if err != nil {
		return 0, mapErr(err, "store: scan audit")
	}
	defer sqlTx.Rollback()
	tx := &Tx{q: sqlTx, dialect: s.DB.dialect}
	a, err := tx.auditAnchor(ctx)
	if err != nil {
		return 0, err
	}
	start(a)
	after := a.Seq
	for {
		rows, err := tx.query(ctx, "SELECT "+auditCols+" FROM audit_entries WHERE seq > ? ORDER BY seq LIMIT 1000", after)
		if err != nil {
			return 0, mapErr(err, "store: scan audit")
		}
		batch, err := collect(rows, scanAudit, "audit")
		if err != nil {
			return 0, err
		}
		stop := false
		for _, e := range batch {
			if !fn(e) {
				stop = true
				break
			}
			after = e.Seq
		}
		if stop || len(batch) < 1000 {
			break
		}
	}
	var unsealed int64
	err = tx.queryRow(ctx, "SELECT COUNT(*) FROM audit_entries WHERE seq IS NULL").Scan(&unsealed)
	return unsealed, mapErr(err, "store: scan audit")
}

// PurgeAudit deletes sealed entries older than t and moves the anchor to the
// last deleted link, so the remaining chain still verifies.
func (s AuditStore) PurgeAudit(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := s.DB.Write(ctx, func(tx *Tx) error {
		if got, err := tx.chainLock(ctx); err != nil || !got {
			return err
		}
		var seq int64
		var hash string
		err := tx.queryRow(ctx, "SELECT seq, hash FROM audit_entries WHERE seq IS NOT NULL AND at < ? ORDER BY seq DESC LIMIT 1", t.UTC()).Scan(&seq, &hash)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return mapErr(err, "store: purge audit")
		}
		res, err := tx.exec(ctx, "DELETE FROM audit_entries WHERE seq IS NOT NULL AND seq <= ?", seq)
		if err != nil {
			return mapErr(err, "store: purge audit")
		}
		n, _ = res.RowsAffected()
		_, err = tx.exec(ctx, `INSERT INTO audit_anchor (id, seq, hash, purged_at) VALUES (1, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, purged_at = excluded.purged_at`, seq, hash, time.Now().UTC())
		return mapErr(err, "store: purge audit anchor")
	})
	return n, err
}

// Setting returns a configuration value (audit.Store).
func (s AuditStore) Setting(ctx context.Context, key string) (v string, ok bool, err error) {
	err = s.DB.Read(ctx, func(tx *Tx) error {
		v, ok, err = tx.Setting(ctx, key)
		return err
	})
	return v, ok, err
}

// SaveSetting stores a configuration value and its audit entry in one
// transaction (audit.Store).
func (s AuditStore) SaveSetting(ctx context.Context, key, value string, e audit.Entry) error {
	return s.DB.Write(ctx, func(tx *Tx) error {
		if err := tx.SetSetting(ctx, key, value, e.At); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, e)
	})
}
