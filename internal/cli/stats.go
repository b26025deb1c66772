package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/qifu/qifu/internal/app"
)

// statsCmd is `qifu stats rebuild`: every statistics rollup recomputed
// from the raw records and tickets, in one transaction (writers wait while
// it runs). The rollups are kept in step by every write Qifu makes; this is
// the remedy after rows were changed behind its back, and the proof that
// they were right (the figures do not move).
func statsCmd(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return &UsageError{"usage: qifu stats rebuild [--data DIR | --db DSN]"}
	}
	return oneShot(ctx, "stats rebuild", args[1:], getenv, stderr, nil, func(a *app.App) error {
		rep, err := a.Stats.Rebuild(ctx, cliActor(getenv))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "statistics rebuilt from %d service records, %d tickets and %d of their events (%d enterprises served counted across platforms, districts, departments and the city, year by year) in %.1f s\n",
			rep.Records, rep.Tickets, rep.Events, rep.Members, rep.Duration.Seconds())
		return nil
	})
}
