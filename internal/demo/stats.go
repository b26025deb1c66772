package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/app"
	"github.com/qifu/qifu/internal/stats"
)

// networkTargets are the notice's targets (R1.8) over the demo's three
// years, the last this one: 15 specialised demonstration platforms, then 20
// with 60 % of the key streets covered, then 30 with all of them.
func networkTargets(year int) []stats.Targets {
	return []stats.Targets{
		{Year: year - 2, DemonstrationPlatforms: ptr(15)},
		{Year: year - 1, DemonstrationPlatforms: ptr(20), KeyStreetCoverage: ptr(0.6)},
		{Year: year, DemonstrationPlatforms: ptr(30), KeyStreetCoverage: ptr(1.0)},
	}
}

// demonstrations are the demo's specialised platforms certified as
// demonstration platforms (one of them since revoked), dated back from
// today.
func demonstrations(today time.Time) []stats.Demonstration {
	day := func(years, days int) string { return today.AddDate(-years, 0, -days).In(cst).Format(time.DateOnly) }
	y := today.In(cst).Year()
	return []stats.Demonstration{
		{PlatformCode: "S-TEST", CertifiedOn: day(2, 160), Note: fmt.Sprintf("青经信字〔%d〕31号", y-2)},
		{PlatformCode: "S-FIN", CertifiedOn: day(1, 250), Note: fmt.Sprintf("青经信字〔%d〕12号", y-1)},
		{PlatformCode: "S-LAW", CertifiedOn: day(2, 160), RevokedOn: day(0, 210), Note: "年度复核未通过"},
		{PlatformCode: "S-DESIGN", CertifiedOn: day(0, 180), Note: fmt.Sprintf("青经信字〔%d〕18号", y)},
	}
}

func ptr[T any](v T) *T { return &v }

// loadNetworkTargets sets the yearly targets and the demonstration
// platforms, unless the city has set targets already.
func loadNetworkTargets(ctx context.Context, a *app.App, sys access.Actor) error {
	if have, err := a.Stats.Targets(ctx, sys); err != nil || len(have) > 0 {
		return err
	}
	now := a.Config.Clock.Now()
	year := now.In(cst).Year()
	for _, t := range networkTargets(year) {
		if _, err := a.Stats.SaveTargets(ctx, sys, t); err != nil {
			return err
		}
	}
	for _, d := range demonstrations(now) {
		if _, err := a.Stats.SaveDemonstration(ctx, sys, d); err != nil {
			return err
		}
	}
	return nil
}
