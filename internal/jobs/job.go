package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Status is where a job is in its life.
type Status string

const (
	Ready   Status = "ready"   // waiting for its run_at
	Running Status = "running" // claimed by a worker until locked_until
	Done    Status = "done"    // its handler returned nil
	Failed  Status = "failed"  // it failed max_attempts times
)

// DefaultMaxAttempts is how often a job runs before it is failed, when the
// job does not say.
const DefaultMaxAttempts = 5

// Job is one durable unit of background work. Kind names the handler; Key
// makes the job unique within its kind (a time slot, an object): a job is
// enqueued once per kind and key, however often and by however many app
// instances it is enqueued. Payload is JSON for the handler.
type Job struct {
	ID          int64
	Kind        string
	Key         string
	Payload     json.RawMessage
	RunAt       time.Time
	Status      Status
	Attempts    int // runs started, the current one included
	MaxAttempts int
	LockedBy    string
	LockedUntil *time.Time
	LastError   string
	CreatedAt   time.Time
	FinishedAt  *time.Time
}

// NewJob makes a job of a kind for a key, due at runAt, with v encoded as
// its JSON payload (nil for none).
func NewJob(kind, key string, v any, runAt time.Time) (Job, error) {
	j := Job{Kind: kind, Key: key, RunAt: runAt}
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return Job{}, fmt.Errorf("jobs: payload of %s: %w", kind, err)
		}
		j.Payload = b
	}
	return j, nil
}

// Decode reads the job's payload into v.
func (j Job) Decode(v any) error {
	if err := json.Unmarshal(j.Payload, v); err != nil {
		return fmt.Errorf("jobs: payload of %s %s: %w", j.Kind, j.Key, err)
	}
	return nil
}

// Normalize checks a job to enqueue and fills its defaults: a random key
// when none is given (a job that is never a duplicate), an empty object as
// payload, DefaultMaxAttempts, CreatedAt = RunAt. Kind and RunAt are
// required.
func (j Job) Normalize() (Job, error) {
	if j.Kind == "" {
		return Job{}, errors.New("jobs: a job needs a kind")
	}
	if j.RunAt.IsZero() {
		return Job{}, fmt.Errorf("jobs: job %s needs a run_at", j.Kind)
	}
	if j.Key == "" {
		var b [12]byte
		rand.Read(b[:])
		j.Key = "r:" + hex.EncodeToString(b[:])
	}
	if len(j.Payload) == 0 {
		j.Payload = json.RawMessage("{}")
	} else if !json.Valid(j.Payload) {
		return Job{}, fmt.Errorf("jobs: job %s %s: payload is not JSON", j.Kind, j.Key)
	}
	if j.MaxAttempts <= 0 {
		j.MaxAttempts = DefaultMaxAttempts
	}
	j.RunAt = j.RunAt.UTC()
	if j.CreatedAt.IsZero() {
		j.CreatedAt = j.RunAt
	}
	j.CreatedAt = j.CreatedAt.UTC()
	return j, nil
}

// Enqueuer adds a job inside a write transaction that is already open, so
// the job commits or rolls back with the change that calls for it. The
// store's write transaction implements it; a domain package embeds it in
// its own Tx interface. Enqueueing a kind and key that exist does nothing.
// Kind and RunAt are required (see Normalize).
type Enqueuer interface {
	EnqueueJob(ctx context.Context, j Job) error
}

// Claim asks for due jobs of some kinds for one worker.
type Claim struct {
	Owner string    // instance id, recorded as locked_by
	Kinds []string  // only kinds this instance can run
	Now   time.Time // ready jobs with run_at <= Now, running ones with locked_until <= Now
	Until time.Time // the lease: locked_until of the claimed jobs
	Limit int
}

// Store keeps jobs durable. Every state change after the claim is fenced by
// the job's owner and attempt number: a worker whose lease ran out and whose
// job was claimed again changes nothing (ErrLostLease).
type Store interface {
	// Enqueue adds a job unless one of its kind and key exists; it reports
	// whether it added one.
	Enqueue(ctx context.Context, j Job) (bool, error)
	// Claim marks up to c.Limit due jobs running for c.Owner (attempts
	// counted up) and returns them, oldest run_at first. Two instances never
	// claim one job at the same time.
	Claim(ctx context.Context, c Claim) ([]Job, error)
	// Complete marks a claimed job done.
	Complete(ctx context.Context, j Job, at time.Time) error
	// Retry puts a claimed job back to ready at runAt with its error.
	Retry(ctx context.Context, j Job, runAt time.Time, errText string) error
	// Fail marks a claimed job failed for good.
	Fail(ctx context.Context, j Job, at time.Time, errText string) error
	// Release puts a claimed job back to ready at once, the attempt not
	// counted (the instance is shutting down).
	Release(ctx context.Context, j Job) error
	// Job returns one job by kind and key (apperr not_found).
	Job(ctx context.Context, kind, key string) (Job, error)
	// Count reports how many jobs are in each status.
	Count(ctx context.Context) (map[Status]int, error)
	// Purge deletes done jobs finished before doneBefore and failed ones
	// finished before failedBefore.
	Purge(ctx context.Context, doneBefore, failedBefore time.Time) (int64, error)
}

// ErrLostLease says a worker no longer owned the job it tried to change:
// its lease ran out and another worker claimed the job.
var ErrLostLease = errors.New("jobs: lease lost")
