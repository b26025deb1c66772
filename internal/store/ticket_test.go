package store_test

import (
	"context"
	"maps"
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
// differs only in case, on either engine; the queue and its counts by
// status agree, for departments and assignee filters too.
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
				as := ticket.Assignee{Type: ticket.ToPlatform, Code: "X"}
				if p == "" {
					as = ticket.Assignee{Type: ticket.ToDepartment, Code: "D1"}
				} else if p == "/P1/S1/" {
					as.Code = "S1"
				}
				tk := ticket.Ticket{Channel: "hotline", Category: "help", Urgency: "normal", Title: p, Content: "c",
					RegionCode: "370200", Status: status[i], Assignee: as,
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
		s1 := &ticket.Assignee{Type: ticket.ToPlatform, Code: "S1"}
		for _, c := range []struct {
			f    ticket.Filter
			want []string // open ones, nearest deadline first
		}{
			{ticket.Filter{PathPrefix: "/P1/"}, []string{"/P1/S1/", "/P1/"}},
			{ticket.Filter{PathPrefix: "/P1/S1/"}, []string{"/P1/S1/"}},
			{ticket.Filter{PathPrefix: "/p1/"}, []string{"/p1/"}},
			{ticket.Filter{PathPrefix: "/P"}, []string{"/P2/", "/P0/", "/P1-/", "/P10/", "/P1/S1/", "/P1/"}},
			{ticket.Filter{PathPrefix: "/P1/", Assignee: s1}, []string{"/P1/S1/"}},
			{ticket.Filter{PathPrefix: "/P2/", Assignee: s1}, nil},
			{ticket.Filter{Department: "D1"}, []string{""}},
			{ticket.Filter{All: true, Assignee: &ticket.Assignee{Type: ticket.ToDepartment, Code: "D1"}}, []string{""}},
		} {
			var got []string
			var counts map[ticket.Status]int
			err := db.Read(ctx, func(tx *store.Tx) error {
				f := c.f
				f.Sort, f.Limit = "due", 50
				items, err := tx.Tickets(ctx, f)
				for _, tk := range items {
					got = append(got, tk.AssigneePath)
				}
				if err == nil {
					counts, err = tx.CountTickets(ctx, c.f)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("queue of %+v lists %q, want %q", c.f, got, c.want)
			}
			want := map[ticket.Status]int{}
			for _, p := range c.want {
				want[status[slices.Index(paths, p)]]++
			}
			if !maps.Equal(counts, want) {
				t.Errorf("counts of %+v %v, want %v", c.f, counts, want)
			}
		}
	})
}
