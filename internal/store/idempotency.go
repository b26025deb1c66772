package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/qifu/qifu/internal/api"
	"github.com/qifu/qifu/internal/apperr"
)

// IdempotencyStore keeps answers to POSTs sent with an Idempotency-Key.
type IdempotencyStore struct{ DB *DB }

var _ api.IdempotencyStore = IdempotencyStore{}

// ReserveIdempotency inserts a placeholder for (user, key), or returns the
// record already there.
func (s IdempotencyStore) ReserveIdempotency(ctx context.Context, userID int64, key string, rec api.IdempotencyRecord, at time.Time) (*api.IdempotencyRecord, error) {
	var prev *api.IdempotencyRecord
	err := s.DB.Write(ctx, func(tx *Tx) error {
		var p api.IdempotencyRecord
		err := tx.queryRow(ctx, "SELECT method, path, body_hash, status, response FROM idempotency_keys WHERE user_id = ? AND key = ?",
			userID, key).Scan(&p.Method, &p.Path, &p.BodyHash, &p.Status, &p.Response)
		if err == nil {
			prev = &p
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return mapErr(err, "store: idempotency lookup")
		}
		_, err = tx.exec(ctx, "INSERT INTO idempotency_keys (user_id, key, method, path, body_hash, status, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
			userID, key, rec.Method, rec.Path, rec.BodyHash, at)
		return mapErr(err, "store: idempotency reserve")
	})
	if apperr.Is(err, apperr.Conflict) {
		// Another request with the same key won the race: it is in progress.
		return &api.IdempotencyRecord{Method: rec.Method, Path: rec.Path, BodyHash: rec.BodyHash}, nil
	}
	return prev, err
}

// CompleteIdempotency stores the answer for the key.
func (s IdempotencyStore) CompleteIdempotency(ctx context.Context, userID int64, key string, status int, body []byte) error {
	return s.DB.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "UPDATE idempotency_keys SET status = ?, response = ? WHERE user_id = ? AND key = ?", status, body, userID, key)
		return mapErr(err, "store: idempotency complete")
	})
}

// ReleaseIdempotency forgets a key whose request failed on the server side.
func (s IdempotencyStore) ReleaseIdempotency(ctx context.Context, userID int64, key string) error {
	return s.DB.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "DELETE FROM idempotency_keys WHERE user_id = ? AND key = ?", userID, key)
		return mapErr(err, "store: idempotency release")
	})
}

// PurgeIdempotency forgets keys older than t.
func (s IdempotencyStore) PurgeIdempotency(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := s.DB.Write(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "DELETE FROM idempotency_keys WHERE created_at < ?", t)
		if err != nil {
			return mapErr(err, "store: idempotency purge")
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}
