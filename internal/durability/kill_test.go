// Package durability holds tests of the real binary against crashes: an
// acknowledged ticket survives kill -9 of the server (issue 4, "Bad input").
package durability

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/qifu/qifu/internal/demo"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
)

// build compiles cmd/qifu into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "qifu")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/qifu/qifu/cmd/qifu").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// qifu runs a one-shot CLI command and returns its standard output.
func qifu(t *testing.T, bin string, dbArgs []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append(args, dbArgs...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("qifu %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

var listeningRe = regexp.MustCompile(`listening on http://(\S+)`)

// server is a running `qifu serve`.
type server struct {
	cmd    *exec.Cmd
	base   string
	exited chan struct{} // closed when the process has ended
	err    error         // what Wait returned, once exited
}

// wait waits for the process to end.
func (s *server) wait(d time.Duration) bool {
	select {
	case <-s.exited:
		return true
	case <-time.After(d):
		return false
	}
}

// serve starts the server on a free port and waits until /healthz answers.
func serve(t *testing.T, bin string, dbArgs []string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, dbArgs...)...)
	cmd.Stderr = io.Discard
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listeningRe.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() {
		s.err = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		// Only this test's own process, by its pid.
		select {
		case <-s.exited:
		default:
			cmd.Process.Signal(syscall.SIGTERM)
			if !s.wait(10 * time.Second) {
				cmd.Process.Kill()
				s.wait(10 * time.Second)
			}
		}
	})
	select {
	case a := <-addr:
		s.base = "http://" + a
	case <-s.exited:
		t.Fatalf("qifu serve exited before listening: %v", s.err)
	case <-time.After(20 * time.Second):
		t.Fatal("qifu serve did not print its address")
	}
	for i := 0; ; i++ {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if i > 100 {
			t.Fatalf("/healthz not ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// acked is a ticket the server acknowledged with 201.
type acked struct {
	id     int64
	number string
}

// TestAcknowledgedTicketsSurviveKill9 fires concurrent ticket intakes at
// the real server, kills it with SIGKILL while requests are in flight,
// restarts it on the same database and finds every acknowledged ticket with
// its creation event.
func TestAcknowledgedTicketsSurviveKill9(t *testing.T) {
	bin := build(t)
	for _, d := range storetest.Engines {
		t.Run(string(d), func(t *testing.T) {
			dialect, dsn := storetest.DSN(t, d)
			dbArgs := []string{"--db", dsn}
			if dialect == store.SQLite {
				dbArgs = []string{"--data", filepath.Dir(dsn)}
			}
			qifu(t, bin, dbArgs, "demo")
			srv := serve(t, bin, dbArgs)
			token := strings.TrimSpace(qifu(t, bin, dbArgs, "token", "create", "--username", "hotline", "--name", "kill-test"))
			if token == "" || strings.Contains(token, "\n") {
				t.Fatalf("token create printed %q", token)
			}

			const total, workers, killAfter = 200, 16, 60
			var (
				mu       sync.Mutex
				acks     []acked
				inFlight atomic.Int64
				next     atomic.Int64
				killOnce sync.Once
				killed   = make(chan struct{})
				atKill   int64
				wg       sync.WaitGroup
			)
			kill := func() {
				killOnce.Do(func() {
					atKill = inFlight.Load()
					close(killed) // before the signal: failures from here on are the kill's
					if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
						t.Errorf("kill: %v", err)
					}
				})
			}
			client := &http.Client{Timeout: 20 * time.Second}
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						n := next.Add(1)
						if n > total {
							return
						}
						body, _ := json.Marshal(map[string]any{"channel": "api", "enterprise_uscc": demo.DemoEnterprise,
							"category": "help", "title": fmt.Sprintf("断电测试 %d", n),
							"content":     fmt.Sprintf("第 %d 件：服务器被强制结束前已确认受理的工单必须保留。", n),
							"region_code": demo.StreetCode("370202", int(n%6)), "contact_name": "测试", "contact_phone": "13800000000"})
						req, _ := http.NewRequest("POST", srv.base+"/api/v1/tickets", bytes.NewReader(body))
						req.Header.Set("Authorization", "Bearer "+token)
						req.Header.Set("Content-Type", "application/json")
						inFlight.Add(1)
						resp, err := client.Do(req)
						if err != nil {
							inFlight.Add(-1)
							select {
							case <-killed: // the server is gone: stop
								return
							default:
								t.Errorf("request %d before the kill: %v", n, err)
								return
							}
						}
						var out struct {
							ID     int64  `json:"id"`
							Number string `json:"number"`
						}
						raw, rerr := io.ReadAll(resp.Body)
						resp.Body.Close()
						inFlight.Add(-1)
						// Acknowledged: a 201 whose whole body arrived.
						if rerr == nil && resp.StatusCode == http.StatusCreated && json.Unmarshal(raw, &out) == nil && out.ID > 0 {
							mu.Lock()
							acks = append(acks, acked{out.ID, out.Number})
							n := len(acks)
							mu.Unlock()
							if n == killAfter {
								kill()
							}
						} else if rerr == nil && resp.StatusCode != http.StatusCreated {
							t.Errorf("request %d: %d %s", n, resp.StatusCode, raw)
						}
					}
				}()
			}
			wg.Wait()
			kill() // in case every request finished first
			if !srv.wait(10 * time.Second) {
				t.Fatal("the killed server did not exit")
			}
			if st := srv.cmd.ProcessState; st == nil || st.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("server did not die of SIGKILL: %v", st)
			}
			t.Logf("%s: %d tickets acknowledged, %d requests in flight at the kill", d, len(acks), atKill)
			if len(acks) < killAfter {
				t.Fatalf("only %d tickets acknowledged", len(acks))
			}

			// Restart on the same database: every acknowledged ticket is
			// there, with its creation event.
			again := serve(t, bin, dbArgs)
			for _, a := range acks {
				req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/tickets/%d", again.base, a.id), nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("GET ticket %d: %v", a.id, err)
				}
				var got struct {
					Number string `json:"number"`
					Status string `json:"status"`
					Events []struct {
						Action   string `json:"action"`
						ToStatus string `json:"to_status"`
					} `json:"events"`
				}
				err = json.NewDecoder(resp.Body).Decode(&got)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || err != nil {
					t.Errorf("acknowledged ticket %d (%s) after the restart: %d %v", a.id, a.number, resp.StatusCode, err)
					continue
				}
				if got.Number != a.number || got.Status != "dispatched" || len(got.Events) == 0 ||
					got.Events[0].Action != "create" || got.Events[0].ToStatus != "dispatched" {
					t.Errorf("ticket %d after the restart: %+v, want %s dispatched with its create event", a.id, got, a.number)
				}
			}
			if err := again.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if !again.wait(20 * time.Second) {
				t.Error("restarted server did not stop")
			} else if again.err != nil {
				t.Errorf("restarted server did not stop cleanly: %v", again.err)
			}
		})
	}
}

func init() {
	// The binary needs no environment of the test's (QIFU_DB would
	// override --data).
	os.Unsetenv("QIFU_DB")
	os.Unsetenv("QIFU_ADDR")
}
