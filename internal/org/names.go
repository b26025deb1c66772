package org

import (
	"context"

	"github.com/qifu/qifu/internal/access"
)

// Names returns the name of every platform and of every department, by
// code: what a ticket's handler is called on its page, to the enterprise
// too. The network's organisations are public by name (R1.3, R1.4);
// nothing else of them is given here.
func (s *Service) Names(ctx context.Context) (platforms, departments map[string]string, err error) {
	platforms, departments = map[string]string{}, map[string]string{}
	const batch = 500
	err = s.store.Read(ctx, func(tx Tx) error {
		for after := ""; ; {
			items, err := tx.Platforms(ctx, PlatformFilter{Scope: access.PlatformScope{All: true}, After: after, Limit: batch})
			if err != nil {
				return err
			}
			for _, p := range items {
				platforms[p.Code] = p.Name
			}
			if len(items) < batch {
				break
			}
			after = items[len(items)-1].Code
		}
		for after := ""; ; {
			items, err := tx.Departments(ctx, DepartmentFilter{After: after, Limit: batch})
			if err != nil {
				return err
			}
			for _, d := range items {
				departments[d.Code] = d.Name
			}
			if len(items) < batch {
				return nil
			}
			after = items[len(items)-1].Code
		}
	})
	return platforms, departments, err
}
