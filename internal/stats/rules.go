package stats

import (
	"strings"

	"github.com/qifu/qifu/internal/record"
	"github.com/qifu/qifu/internal/ticket"
)

// OwnerOf is the handler of a ticket now.
func OwnerOf(t ticket.Ticket) Owner {
	if t.Assignee.Type == ticket.ToDepartment {
		return Owner{OwnerDepartment, t.Assignee.Code}
	}
	return Owner{OwnerPlatform, t.Assignee.Code}
}

// TicketState is what a ticket in its present state adds to its handler's
// month of creation (see the package comment): nothing for a merged
// duplicate.
func TicketState(t ticket.Ticket) (Counts, bool) {
	var c Counts
	if t.Status == ticket.Merged {
		return c, false
	}
	one := func(b bool) int64 {
		if b {
			return 1
		}
		return 0
	}
	c.Tickets = 1
	c.Closed = one(t.Status == ticket.Closed)
	c.SignDue = one(t.SignedAt != nil || t.SignOverdue)
	c.SignOnTime = one(t.SignedAt != nil && !t.SignedAt.After(t.SignDueAt))
	c.HandleDue = one(t.RepliedAt != nil || t.Overdue)
	c.HandleOnTime = one(t.RepliedAt != nil && !t.RepliedAt.After(t.DueAt))
	c.Overdue = one(t.Overdue)
	if t.Status == ticket.Closed && t.RatedBy != "" && t.RatedBy != "not_rated" {
		c.RatedFinal = 1
		sat := t.Satisfied != nil && *t.Satisfied
		c.FinalSatisfied = one(sat)
		if t.Score != nil && *t.Score >= 1 && *t.Score <= 5 {
			c.Scores[*t.Score-1] = 1
		} else {
			c.FinalNoScoreSatisfy = one(sat)
		}
	}
	return c, true
}

// TicketChanges is what a ticket's change adds to the rollups: its state
// leaves the old handler's month and joins the new one's (nothing when
// neither moved), and the events the change is — a dispatch (created, or
// transferred to another handler), a return, an extension, a reopen — count
// for the handler that held the ticket. old is nil for a new ticket.
func TicketChanges(old *ticket.Ticket, t ticket.Ticket) []Change {
	year, month := YearMonth(t.CreatedAt)
	var out []Change
	add := func(o Owner, c Counts, items []Item) {
		if c.IsZero() && len(items) == 0 {
			return
		}
		for i := range out {
			if out[i].Owner == o {
				out[i].Counts.Add(c)
				out[i].Items = mergeItems(out[i].Items, items)
				return
			}
		}
		out = append(out, Change{Owner: o, Year: year, Month: month, Counts: c, Items: mergeItems(nil, items)})
	}
	volumes := func(t ticket.Ticket, n int64) []Item {
		return []Item{{Dim: DimChannel, Key: t.Channel, N: n}, {Dim: DimCategory, Key: t.Category, N: n}}
	}
	if old != nil {
		if c, ok := TicketState(*old); ok {
			add(OwnerOf(*old), c.Neg(), volumes(*old, -1))
		}
	}
	if c, ok := TicketState(t); ok {
		add(OwnerOf(t), c, volumes(t, 1))
	}
	var ev Counts
	switch {
	case old == nil:
		ev.Dispatched = 1
	case old.Assignee != t.Assignee:
		add(OwnerOf(t), Counts{Dispatched: 1}, nil)
	}
	if old != nil {
		if t.Status == ticket.Returned && old.Status != ticket.Returned {
			ev.Returns = 1
		}
		if t.ExtendedDays > old.ExtendedDays {
			ev.Extensions = 1
		}
		if t.ReopenCount > old.ReopenCount {
			ev.Reopens = int64(t.ReopenCount - old.ReopenCount)
		}
	}
	holder := OwnerOf(t)
	if old != nil {
		holder = OwnerOf(*old)
	}
	add(holder, ev, nil)
	return out
}

// mergeItems adds items to list, one entry per dimension and key, dropping
// entries that cancel out.
func mergeItems(list, items []Item) []Item {
	for _, it := range items {
		found := false
		for i := range list {
			if list[i].Dim == it.Dim && list[i].Key == it.Key {
				list[i].N += it.N
				found = true
			}
		}
		if !found {
			list = append(list, it)
		}
	}
	out := list[:0]
	for _, it := range list {
		if it.N != 0 {
			out = append(out, it)
		}
	}
	return out
}

// RecordOwner is the handler of a service record.
func RecordOwner(r record.Record) Owner {
	if r.DepartmentCode != "" {
		return Owner{OwnerDepartment, r.DepartmentCode}
	}
	return Owner{OwnerPlatform, r.PlatformCode}
}

// RecordChange is what a live record adds (sign 1) or, cancelled, takes
// away (sign -1) from its handler's month of service: the record and its
// service area and kind.
func RecordChange(r record.Record, sign int64) Change {
	y, m := DateYearMonth(r.Date)
	return Change{Owner: RecordOwner(r), Year: y, Month: m, Counts: Counts{Records: sign},
		Items: []Item{{Dim: DimServiceArea, Key: r.ServiceArea, N: sign}, {Dim: DimKind, Key: r.Kind, N: sign}}}
}

// ReachScopes lists the scopes whose SMEs served a record counts in: its
// platform's own, the tree of every platform above it and of itself when it
// is a city or district platform (street and specialised platforms have
// none below them), the city; or its department's and the city. path and
// tier are those of the record's platform.
func ReachScopes(r record.Record, path, tier string) []Scope {
	if r.DepartmentCode != "" {
		return []Scope{{ScopeDepartment, r.DepartmentCode}, {ScopeCity, ""}}
	}
	out := []Scope{{ScopePlatform, r.PlatformCode}}
	for _, code := range strings.Split(strings.Trim(path, "/"), "/") {
		if code != "" && (code != r.PlatformCode || HasTree(tier)) {
			out = append(out, Scope{ScopeTree, code})
		}
	}
	return append(out, Scope{ScopeCity, ""})
}

// HasTree reports whether platforms of a tier may have platforms below them
// (and so a tree of their own).
func HasTree(tier string) bool { return tier == "city" || tier == "district" }
