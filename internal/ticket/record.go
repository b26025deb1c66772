package ticket

import (
	"context"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/record"
)

// writeRecord writes the service record of a ticket that has just closed
// (R4.3), in the closing transaction, for the platform or department that
// handled it: see record.ForTicket for the rules (one live record per
// ticket, none for an enterprise not registered). A ticket reopened before
// it closes (an unsatisfied rating) closes once, so it counts once.
func (s *Service) writeRecord(ctx context.Context, tx Tx, a access.Actor, t Ticket) error {
	if t.ClosedAt == nil {
		return nil
	}
	c := record.TicketClose{TicketID: t.ID, Number: t.Number, EnterpriseUSCC: t.EnterpriseUSCC, Category: t.Category,
		Title: t.Title, Content: t.Content, ClosedAt: *t.ClosedAt}
	switch t.Assignee.Type {
	case ToPlatform:
		c.PlatformCode = t.Assignee.Code
	case ToDepartment:
		c.DepartmentCode = t.Assignee.Code
	}
	_, err := record.ForTicket(ctx, tx, a, c)
	return err
}
