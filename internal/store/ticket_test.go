package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
	"github.com/qifu/qifu/internal/ticket"
)

// A platform's scope is its path and everything below it, compared
// exactly: not a sibling whose code extends its own, nor one whose code
// differs only in case, on either engine; lists and counts agree.
func TestTicketPathScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		s := org.NewService(store.Repo[org.Tx]{DB: db}, clock.NewFake(at))
		if _, err := s.CreateRegion(ctx, access.SystemActor("t"), org.Region{Code: "370200", Name: "青岛市", Level: org.LevelCity}); err != nil {
			t.Fatal(err)
		}
		paths := []string{"/P1/", "/P1/S1/", "/P1/S1/X-2/", "/P10/", "/p1/", "/P1-/", "/P0/", "/P2/", ""}
		status := []ticket.Status{ticket.Dispatched, ticket.Signed, ticket.Closed, ticket.Signed, ticket.Signed,
			ticket.Replied, ticket.Signed, ticket.Signed, ticket.Signed}
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i, p := range paths {
				tk := ticket.Ticket{Channel: "hotline", Category: "help", Urgency: "normal", Title: p, Content: "c",
					RegionCode: "370200", Status: status[i], Assignee: ticket.Assignee{Type: ticket.ToPlatform, Code: "X"},
					AssigneePath: p, SignDueAt: at, DueAt: at.Add(time.Duration(len(paths)-i) * time.Hour), DispatchedAt: at,
					CreatedBy: "t", CreatedAt: at, UpdatedAt: at, Version: 1}
				if err := tx.InsertTicket(ctx, &tk); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			prefix string
			want   []string // open ones, nearest deadline first
		}{
			{"/P1/", []string{"/P1/S1/", "/P1/"}},
			{"/P1/S1/", []string{"/P1/S1/"}},
			{"/p1/", []string{"/p1/"}},
			{"/P", []string{"/P2/", "/P0/", "/P1-/", "/P10/", "/P1/S1/", "/P1/"}},
		} {
			var got []string
			var counts map[ticket.Status]int
			err := db.Read(ctx, func(tx *store.Tx) error {
				items, err := tx.Tickets(ctx, ticket.Filter{PathPrefix: c.prefix, Sort: "due", Limit: 50})
				for _, tk := range items {
					got = append(got, tk.AssigneePath)
				}
				if err == nil {
					counts, err = tx.CountTickets(ctx, ticket.Filter{PathPrefix: c.prefix})
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("queue of %s lists %q, want %q", c.prefix, got, c.want)
			}
			n := 0
			for _, k := range counts {
				n += k
			}
			if n != len(c.want) {
				t.Errorf("counts of %s %v, want %d open", c.prefix, counts, len(c.want))
			}
		}
	})
}
