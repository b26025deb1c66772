// Package apperr defines the one error type of Qifu. Domain code returns an
// *Error with a kind (which decides the HTTP status), a specific snake_case
// code (which API clients match on), the field at fault, and a locale key with
// parameters that the edge turns into a zh-CN or en message. Internal causes
// are wrapped for logs and never shown to users.
package apperr

import (
	"errors"
	"fmt"

	"github.com/qifu/qifu/internal/locale"
)

// Kind classifies an error; every kind maps to exactly one HTTP status.
type Kind string

const (
	Invalid      Kind = "invalid"      // 422: a field is invalid
	BadRequest   Kind = "bad_request"  // 400: malformed request (JSON, query)
	NotFound     Kind = "not_found"    // 404
	Conflict     Kind = "conflict"     // 409: duplicate or state conflict
	Forbidden    Kind = "forbidden"    // 403: outside role or scope
	Unauthorized Kind = "unauthorized" // 401: no or bad credentials
	TooLarge     Kind = "too_large"    // 413: body over the limit
	TooMany      Kind = "too_many"     // 429: rate limited or locked out
	Internal     Kind = "internal"     // 500: our fault; cause logged only
)

// Error is the application error. Code defaults to the kind's name; Key is a
// locale catalog key for the human message, Params fill its placeholders.
type Error struct {
	Kind   Kind
	Code   string
	Field  string
	Key    string
	Params map[string]any
	Err    error
}

func (e *Error) Error() string {
	msg := string(e.Kind)
	if e.Code != "" && e.Code != string(e.Kind) {
		msg += "/" + e.Code
	}
	if e.Field != "" {
		msg += " field=" + e.Field
	}
	if e.Key != "" {
		msg += " key=" + e.Key
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the specific code, or the kind when none was set.
func (e *Error) ErrorCode() string {
	if e.Code != "" {
		return e.Code
	}
	return string(e.Kind)
}

// With returns a copy carrying one more message parameter.
func (e *Error) With(name string, value any) *Error {
	c := *e
	c.Params = make(map[string]any, len(e.Params)+1)
	for k, v := range e.Params {
		c.Params[k] = v
	}
	c.Params[name] = value
	return &c
}

// New builds an error of a kind with a specific code and locale key.
func New(kind Kind, code, key string) *Error {
	return &Error{Kind: kind, Code: code, Key: key}
}

// Field builds a 422 for one field. code is the API code (e.g. "required",
// "weak_password"); key the locale message key.
func Field(field, code, key string) *Error {
	return &Error{Kind: Invalid, Code: code, Field: field, Key: key}
}

// Required is the 422 for a missing field.
func Required(field string) *Error {
	return Field(field, "required", "error.required")
}

// NotFoundOf is the 404 for an unknown object of a type; objectKey is the
// locale key of the type's name ("object.region"), translated in the message.
func NotFoundOf(objectKey, id string) *Error {
	return &Error{Kind: NotFound, Code: "not_found", Key: "error.not_found",
		Params: map[string]any{"object": locale.Key(objectKey), "id": id}}
}

// Deny is the 403 for an action outside the caller's role or scope.
func Deny() *Error {
	return &Error{Kind: Forbidden, Code: "forbidden", Key: "error.forbidden"}
}

// Wrap makes an internal error from a cause, with a short prefix for logs.
func Wrap(cause error, format string, args ...any) error {
	if cause == nil {
		return nil
	}
	var ae *Error
	if errors.As(cause, &ae) {
		return cause
	}
	return &Error{Kind: Internal, Code: "internal", Key: "error.internal",
		Err: fmt.Errorf(format+": %w", append(args, cause)...)}
}

// As returns the *Error inside err, or an internal error wrapping err.
func As(err error) *Error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	return &Error{Kind: Internal, Code: "internal", Key: "error.internal", Err: err}
}

// Is reports whether err is an *Error of the kind.
func Is(err error, kind Kind) bool {
	var ae *Error
	return errors.As(err, &ae) && ae.Kind == kind
}

// HasCode reports whether err is an *Error with the specific code.
func HasCode(err error, code string) bool {
	var ae *Error
	return errors.As(err, &ae) && ae.ErrorCode() == code
}
