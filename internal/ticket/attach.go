package ticket

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
)

// MaxAttachmentBytes bounds one attachment.
const MaxAttachmentBytes = 10 << 20

// Attachment is a file attached to a ticket (a photo, a contract, a
// notice): stored in the database, its type decided from its content.
type Attachment struct {
	ID          int64     `json:"id"`
	TicketID    int64     `json:"-"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
	Data        []byte    `json:"-"`
}

// AttachTx is what attachments need from storage.
type AttachTx interface {
	InsertAttachment(ctx context.Context, a *Attachment) error
	Attachments(ctx context.Context, ticketID int64) ([]Attachment, error)
	Attachment(ctx context.Context, ticketID, id int64) (Attachment, error)
}

// sniff decides a file's type from its first bytes; "" when refused.
// Accepted: PDF, PNG, JPEG, GIF, Office files (new and old), plain text.
func sniff(b []byte, name string) string {
	ext := strings.ToLower(path.Ext(name))
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "image/gif"
	case bytes.HasPrefix(b, []byte("PK\x03\x04")) && bytes.Contains(b[:min(len(b), 4096)], []byte("[Content_Types].xml")):
		switch ext {
		case ".docx":
			return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		case ".xlsx":
			return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		case ".pptx":
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
		}
	case bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}) && (ext == ".doc" || ext == ".xls"):
		return "application/msword"
	case (ext == ".txt" || ext == ".csv") && utf8.Valid(b) && !bytes.ContainsRune(b, 0):
		return "text/plain; charset=utf-8"
	}
	return ""
}

// cleanName keeps a file name safe to show and to send back.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." {
		name = "attachment"
	}
	if utf8.RuneCountInString(name) > 100 {
		name = string([]rune(name)[:100])
	}
	return name
}

// Attach stores a file on a ticket for those who may add to it: the city
// admin, hotline operators, the organisations handling or helping, and the
// enterprise itself. Errors: forbidden; invalid file (empty, too_large,
// type refused).
func (s *Service) Attach(ctx context.Context, a access.Actor, ticketID int64, name string, data []byte) (Attachment, error) {
	if len(data) == 0 {
		return Attachment{}, apperr.Required("file")
	}
	if len(data) > MaxAttachmentBytes {
		return Attachment{}, apperr.Field("file", "too_large", "error.upload_too_large").With("max", strconv.Itoa(MaxAttachmentBytes>>20)+" MB")
	}
	name = cleanName(name)
	ct := sniff(data, name)
	if ct == "" {
		return Attachment{}, apperr.Field("file", "invalid_type", "error.attachment_type")
	}
	sum := sha256.Sum256(data)
	att := Attachment{TicketID: ticketID, Name: name, ContentType: ct, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), UploadedBy: a.Username, UploadedAt: s.clock.Now(), Data: data}
	err := s.store.Write(ctx, func(tx Tx) error {
		t, r, err := s.load(ctx, tx, a, ticketID)
		if err != nil {
			return err
		}
		if !MayAttach(a, r) {
			return apperr.Deny()
		}
		if err := tx.(AttachTx).InsertAttachment(ctx, &att); err != nil {
			return err
		}
		if err := s.event(ctx, tx, a, t, "attach", t.Status, t.Status, name, false, map[string]any{"attachment": att.ID}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, att.UploadedAt, "ticket.attach", "ticket", t.Number, audit.Success).
			WithDetail(strconv.FormatInt(att.ID, 10)+" "+att.SHA256))
	})
	att.Data = nil
	return att, err
}

// MayAttach reports whether the actor may add files to a ticket it stands
// to as r: the city admin, hotline operators, the organisations handling or
// helping, and the enterprise itself.
func MayAttach(a access.Actor, r Relation) bool {
	return a.IsAdmin() || a.Role == access.HotlineOperator || r.Assignee || r.CoHandler || r.Own
}

// Attachments lists a ticket's attachments (without their data).
func (s *Service) Attachments(ctx context.Context, a access.Actor, ticketID int64) ([]Attachment, error) {
	var out []Attachment
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, _, err := s.load(ctx, tx, a, ticketID); err != nil {
			return err
		}
		var err error
		out, err = tx.(AttachTx).Attachments(ctx, ticketID)
		return err
	})
	if out == nil {
		out = []Attachment{}
	}
	return out, err
}

// Download returns one attachment with its data, for those who may read the
// ticket.
func (s *Service) Download(ctx context.Context, a access.Actor, ticketID, id int64) (Attachment, error) {
	var out Attachment
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, _, err := s.load(ctx, tx, a, ticketID); err != nil {
			return err
		}
		var err error
		out, err = tx.(AttachTx).Attachment(ctx, ticketID, id)
		return err
	})
	return out, err
}
