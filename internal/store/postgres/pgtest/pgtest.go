// Package pgtest gives tests a private PostgreSQL server: one started from
// Debian's postgresql binaries (/usr/lib/postgresql/*/bin) in a temporary
// directory on a free 127.0.0.1 port, owned by the postgres user when the
// tests run as root (initdb refuses root), and stopped when the tests end.
// STAGECOACH_TEST_POSTGRES=postgres://… uses an existing server instead.
//
// Without PostgreSQL, tests skip locally and fail under CI=true: CI
// installs it (scripts/test-deps.sh), so missing binaries there are a bug.
package pgtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a running PostgreSQL server.
type Server struct {
	// DSN connects to its "postgres" database as the superuser.
	DSN  string
	dir  string
	bin  string
	user string // run pg_ctl as this user ("" = as ourselves)

	mu  sync.Mutex
	dbs map[string]bool
}

var (
	once    sync.Once
	shared  *Server
	skipMsg string
	failMsg string
)

// Main wraps a package's TestMain: it runs the tests and stops the
// private server, if one was started, after them.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	os.Exit(code)
}

// Start returns the package's shared server, starting it on first use.
// It skips t (or fails it under CI=true) when no PostgreSQL is available.
func Start(t testing.TB) *Server {
	t.Helper()
	once.Do(func() {
		if dsn := os.Getenv("STAGECOACH_TEST_POSTGRES"); dsn != "" {
			shared = &Server{DSN: dsn, dbs: map[string]bool{}}
			return
		}
		s, err := startPrivate()
		if err != nil {
			msg := "PostgreSQL tests need Debian's postgresql package (apt-get install -y postgresql) or STAGECOACH_TEST_POSTGRES: " + err.Error()
			if os.Getenv("CI") == "true" {
				failMsg = msg
			} else {
				skipMsg = msg
			}
			return
		}
		shared = s
	})
	if failMsg != "" {
		t.Fatal(failMsg)
	}
	if skipMsg != "" {
		t.Skip(skipMsg)
	}
	return shared
}

// Database returns the DSN of a database named after key, creating it the
// first time: the same key opens the same data (store contract tests key
// by directory).
func (s *Server) Database(t testing.TB, key string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(key))
	name := "t_" + hex.EncodeToString(sum[:8])
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := pgx.ParseConfig(s.DSN)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if !s.dbs[name] {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Fatalf("pgtest: connect: %v", err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name); err != nil {
			t.Fatalf("pgtest: drop database: %v", err)
		}
		if _, err := conn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
			t.Fatalf("pgtest: create database: %v", err)
		}
		s.dbs[name] = true
	}
	cfg.Database = name
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", cfg.User, net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), name)
}

// findBin returns the newest /usr/lib/postgresql/*/bin holding initdb.
func findBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return a > b
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("no initdb under /usr/lib/postgresql/*/bin")
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func startPrivate() (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "stagecoach-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, bin: bin, dbs: map[string]bool{}}
	if os.Geteuid() == 0 {
		// initdb refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		s.user = "postgres"
	}
	data := filepath.Join(dir, "data")
	if out, err := s.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	// The port is free when picked; another process may take it before
	// the server binds, so try a few.
	for range 3 {
		port, err := freePort()
		if err != nil {
			break
		}
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
		out, err := s.run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start")
		if err == nil {
			s.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
			return s, nil
		}
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		err = fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log)
		if port == 0 {
			return nil, err
		}
		fmt.Fprintln(os.Stderr, "pgtest:", err)
	}
	os.RemoveAll(dir)
	return nil, fmt.Errorf("pg_ctl could not start a server (see above)")
}

func (s *Server) run(tool string, args ...string) ([]byte, error) {
	path := filepath.Join(s.bin, tool)
	var cmd *exec.Cmd
	if s.user != "" {
		cmd = exec.Command("runuser", append([]string{"-u", s.user, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = s.dir
	return cmd.CombinedOutput()
}

func (s *Server) stop() {
	if s.dir == "" {
		return // not ours
	}
	s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(s.dir)
}
