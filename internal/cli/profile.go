package cli

import (
	"os"
	"runtime/pprof"
	"time"
)

// startProfiles starts the diagnostics of a long command: a CPU profile of
// the whole run into cpu, and a heap profile into mem rewritten every two
// seconds (the last one shows the heap as the command was finishing, not
// after it let its data go; a run shorter than that writes one at the end).
// Either may be empty. stop ends both.
func startProfiles(cpu, mem string) (stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			return stop, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return stop, err
		}
		stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
	}
	if mem != "" {
		wrote := false
		write := func() {
			wrote = true
			f, err := os.Create(mem + ".tmp")
			if err != nil {
				return
			}
			err = pprof.Lookup("heap").WriteTo(f, 0)
			if cerr := f.Close(); err == nil && cerr == nil {
				os.Rename(mem+".tmp", mem)
			}
		}
		done, finished := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(finished)
			t := time.NewTicker(2 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					write()
				}
			}
		}()
		stops = append(stops, func() {
			close(done)
			<-finished
			if !wrote {
				write()
			}
		})
	}
	return stop, nil
}
