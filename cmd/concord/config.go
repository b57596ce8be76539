package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/vault"
)

// config is the server's settings: flags win over environment, environment over defaults
// (CONTRACT.md, "Settings").
type config struct {
	Addr               string
	DB                 string
	MasterKeyFile      string
	PreviousKeyFile    string
	PublicURL          string
	AllowCustomAPIBase bool
	LogRetention       time.Duration
	LogLevel           string
	AdminToken         string
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// defaultDB is the embedded database in the data folder.
const defaultDB = "sqlite://./concord-data/concord.db"

// bindFlags registers the server settings on fs.
func (c *config) bindFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", envOr("CONCORD_ADDR", "127.0.0.1:8080"), "listen address (CONCORD_ADDR)")
	fs.StringVar(&c.DB, "db", envOr("CONCORD_DB", defaultDB), "database URL: sqlite://path or postgres://user@host:port/db (CONCORD_DB)")
	fs.StringVar(&c.MasterKeyFile, "master-key-file", "", "file holding the base64 master key (else CONCORD_MASTER_KEY, else a key file in the data folder)")
	fs.StringVar(&c.PreviousKeyFile, "previous-master-key-file", envOr("CONCORD_PREVIOUS_MASTER_KEY_FILE", ""), "an older master key still accepted for reading while values are resealed")
	fs.StringVar(&c.PublicURL, "public-url", envOr("CONCORD_PUBLIC_URL", ""), "externally reachable base URL, for webhook URLs (CONCORD_PUBLIC_URL; default http://<addr>)")
	fs.BoolVar(&c.AllowCustomAPIBase, "allow-custom-api-base", os.Getenv("CONCORD_ALLOW_CUSTOM_API_BASE") == "true", "allow config.api_base and private addresses on production connections")
	fs.DurationVar(&c.LogRetention, "log-retention", durationEnv("CONCORD_LOG_RETENTION", concord.LogRetention), "how long connector logs are kept (CONCORD_LOG_RETENTION)")
	fs.StringVar(&c.LogLevel, "log-level", envOr("CONCORD_LOG_LEVEL", "info"), "debug, info, warn or error (CONCORD_LOG_LEVEL)")
	c.AdminToken = os.Getenv("CONCORD_ADMIN_TOKEN")
}

func durationEnv(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

// dataDir is the folder of the SQLite file, or ./concord-data for PostgreSQL.
func (c *config) dataDir() string {
	if path, ok := strings.CutPrefix(c.DB, "sqlite://"); ok {
		return filepath.Dir(path)
	}
	if !strings.Contains(c.DB, "://") {
		return filepath.Dir(c.DB)
	}
	return "concord-data"
}

func (c *config) publicURL(addr string) string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	return "http://" + addr
}

func (c *config) logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl}))
}

// keySource says where the master key came from, for rotation.
type keySource struct {
	file string // "" when from the environment
}

// keyring loads the master key: the flag's file, else CONCORD_MASTER_KEY, else a key file
// created 0600 in the data folder with a warning that production needs a managed key.
func (c *config) keyring(log *slog.Logger) (*vault.Keyring, keySource, error) {
	var key []byte
	var src keySource
	var err error
	switch {
	case c.MasterKeyFile != "":
		src.file = c.MasterKeyFile
		key, err = vault.LoadKeyFile(c.MasterKeyFile)
	case os.Getenv("CONCORD_MASTER_KEY") != "":
		key, err = vault.ParseKey(os.Getenv("CONCORD_MASTER_KEY"))
		if err != nil {
			err = fmt.Errorf("CONCORD_MASTER_KEY: %w", err)
		}
	default:
		src.file = filepath.Join(c.dataDir(), "master.key")
		if err := os.MkdirAll(c.dataDir(), 0o700); err != nil {
			return nil, src, err
		}
		var created bool
		key, created, err = vault.LoadOrCreateKeyFile(src.file)
		if created {
			log.Warn("created a master key file in the data folder; production needs a managed key (CONCORD_MASTER_KEY or --master-key-file)",
				"path", src.file)
		}
	}
	if err != nil {
		return nil, src, err
	}
	var older [][]byte
	if c.PreviousKeyFile != "" {
		prev, err := vault.LoadKeyFile(c.PreviousKeyFile)
		if err != nil {
			return nil, src, fmt.Errorf("previous master key: %w", err)
		}
		older = append(older, prev)
	}
	k, err := vault.NewKeyring(key, older...)
	return k, src, err
}

// openDB opens and migrates the database.
func (c *config) openDB(ctx context.Context, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, c.DB, store.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
