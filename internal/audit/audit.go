// Package audit is the tamper-evident audit log of REQUIREMENTS R3.6 and
// R6.2: every login, failed login, permission denial and data change becomes
// an Entry. Entries are appended in the same transaction as the change they
// describe, then sealed into a hash chain in commit order by one sealer at a
// time; Verify walks the chain and reports the first broken link.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
)

// Result says how an audited attempt ended.
type Result string

const (
	Success Result = "success"
	Failure Result = "failure" // bad input, wrong password …
	Denied  Result = "denied"  // outside the caller's role or scope
)

// Entry is one audit log line. Seq, PrevHash and Hash are set when the entry
// is sealed into the chain; until then Seq is 0.
type Entry struct {
	ID           int64
	At           time.Time
	UserID       int64
	Username     string
	Role         string
	IP           string
	Action       string
	ObjectType   string
	ObjectID     string
	Result       Result
	BeforeDigest string
	AfterDigest  string
	Detail       string
	RequestID    string
	Seq          int64
	PrevHash     string
	Hash         string
}

// Appender appends entries; stores implement it inside write transactions so
// an entry commits or rolls back with the change it describes.
type Appender interface {
	AppendAudit(ctx context.Context, e Entry) error
}

// New starts an entry for an action by actor on an object at time at.
func New(actor access.Actor, at time.Time, action, objectType, objectID string, result Result) Entry {
	name := actor.Username
	if name == "" {
		name = "anonymous"
	}
	role := string(actor.Role)
	if actor.System {
		role = "system"
	}
	return Entry{
		At: at.UTC(), UserID: actor.UserID, Username: name, Role: role, IP: actor.IP,
		Action: action, ObjectType: objectType, ObjectID: objectID, Result: result,
		RequestID: actor.RequestID,
	}
}

// Change records the digests of an object before and after a change (nil
// for "did not exist").
func (e Entry) Change(before, after any) Entry {
	e.BeforeDigest = Digest(before)
	e.AfterDigest = Digest(after)
	return e
}

// WithDetail adds a short free-text detail (never secrets).
func (e Entry) WithDetail(detail string) Entry {
	if len(detail) > 500 {
		detail = detail[:500]
	}
	e.Detail = detail
	return e
}

// Digest is the SHA-256 of v's JSON form, "" for nil. It lets an auditor prove
// what an object looked like without the log holding personal data.
func Digest(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Hash computes an entry's link in the chain from the previous link's hash.
// Every field an auditor reads is covered.
func Hash(prev string, e Entry) string {
	var b strings.Builder
	for _, f := range []string{
		strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.ID, 10),
		e.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(e.UserID, 10),
		e.Username, e.Role, e.IP, e.Action, e.ObjectType, e.ObjectID, string(e.Result),
		e.BeforeDigest, e.AfterDigest, e.Detail, e.RequestID, prev,
	} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// Anchor is where the verifiable chain starts: after retention purges the
// oldest entries, the last purged link (zero at the very start).
type Anchor struct {
	Seq  int64
	Hash string
}

// Break describes the first broken link found by Verify.
type Break struct {
	Seq    int64
	ID     int64
	Reason string // "hash", "prev_hash", "gap"
}

// Report is the result of verifying the chain.
type Report struct {
	Checked  int64
	Unsealed int64
	Broken   *Break
}

// OK reports whether the chain verified without a break.
func (r Report) OK() bool { return r.Broken == nil }

// Verifier checks sealed entries fed to it in seq order.
type Verifier struct {
	prevSeq  int64
	prevHash string
	report   Report
}

// NewVerifier starts verifying after the anchor.
func NewVerifier(a Anchor) *Verifier {
	return &Verifier{prevSeq: a.Seq, prevHash: a.Hash}
}

// Next checks one entry; it returns false once a break is found.
func (v *Verifier) Next(e Entry) bool {
	if v.report.Broken != nil {
		return false
	}
	v.report.Checked++
	switch {
	case e.Seq != v.prevSeq+1:
		v.report.Broken = &Break{Seq: e.Seq, ID: e.ID, Reason: "gap"}
	case e.PrevHash != v.prevHash:
		v.report.Broken = &Break{Seq: e.Seq, ID: e.ID, Reason: "prev_hash"}
	case Hash(e.PrevHash, e) != e.Hash:
		v.report.Broken = &Break{Seq: e.Seq, ID: e.ID, Reason: "hash"}
	}
	if v.report.Broken != nil {
		return false
	}
	v.prevSeq, v.prevHash = e.Seq, e.Hash
	return true
}

// Report returns the result so far.
func (v *Verifier) Report() Report { return v.report }
