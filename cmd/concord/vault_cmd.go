package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/concordhub/concord/store"
	"github.com/concordhub/concord/vault"
)

// runVault implements `concord vault rotate-key`: a new master key is made (or read from
// --new-key-file), every credential is resealed under it in one transaction, and then the
// key file is switched. The new key is written to disk before the transaction commits, so a
// crash at any point leaves a key that opens every value: before the commit the old key
// does, after it the new one (kept at <key file>.next until the switch).
func runVault(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate-key" {
		return usageError("vault: the only subcommand is rotate-key")
	}
	var cfg config
	fs := flag.NewFlagSet("vault rotate-key", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.bindFlags(fs)
	newKeyFile := fs.String("new-key-file", "", "where the new key is written (required when the current key comes from CONCORD_MASTER_KEY)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	log := cfg.logger(stderr)
	current, src, err := cfg.keyring(log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "current master key %s\n", current.PrimaryID())
	if src.file == "" && *newKeyFile == "" {
		return usageError("vault rotate-key: the current key comes from CONCORD_MASTER_KEY; give --new-key-file for the new one")
	}
	target := *newKeyFile
	if target == "" {
		target = src.file + ".next"
	}
	newKey, err := vault.CreateKeyFile(target)
	if err != nil {
		return fmt.Errorf("write the new key to %s: %w", target, err)
	}
	oldKey, err := keyOf(cfg, src)
	if err != nil {
		return err
	}
	older := [][]byte{oldKey}
	if cfg.PreviousKeyFile != "" {
		prev, err := vault.LoadKeyFile(cfg.PreviousKeyFile)
		if err != nil {
			return err
		}
		older = append(older, prev)
	}
	ring, err := vault.NewKeyring(newKey, older...)
	if err != nil {
		return err
	}
	db, err := cfg.openDB(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	var stats vault.RotationStats
	err = db.InTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.AllCredentials(ctx)
		if err != nil {
			return err
		}
		values := make([]vault.SealedValue, len(rows))
		for i, r := range rows {
			values[i] = vault.SealedValue{ConnectionID: r.ConnectionID, Field: r.Field, Sealed: r.Sealed}
		}
		changed, st, err := vault.ResealAll(ring, values)
		if err != nil {
			return err
		}
		stats = st
		for _, v := range changed {
			if err := tx.UpdateSealed(ctx, store.SealedCredential{ConnectionID: v.ConnectionID, Field: v.Field, Sealed: v.Sealed}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		os.Remove(target) // nothing was resealed: the new key is not needed
		return fmt.Errorf("reseal: %w (nothing was changed)", err)
	}
	fmt.Fprintf(stdout, "resealed %d credential values under key %s (%d already under it)\n", stats.Resealed, ring.PrimaryID(), stats.Unchanged)
	if *newKeyFile != "" {
		fmt.Fprintf(stdout, "the new master key is in %s; point concord at it (--master-key-file, or CONCORD_MASTER_KEY with its content) before the next start\n", target)
		return nil
	}
	retired := src.file + ".retired-" + vault.KeyID(oldKey)
	if err := os.Rename(src.file, retired); err != nil {
		return fmt.Errorf("retire the old key: %w (the new key is in %s)", err, target)
	}
	if err := os.Rename(target, src.file); err != nil {
		return fmt.Errorf("install the new key: %w (it is in %s; the old one in %s)", err, target, retired)
	}
	fmt.Fprintf(stdout, "installed the new key at %s; the old key is kept at %s — delete it once backups no longer need it\n", src.file, retired)
	return nil
}

// keyOf reloads the current primary key bytes from where the config says they are.
func keyOf(cfg config, src keySource) ([]byte, error) {
	if src.file != "" {
		return vault.LoadKeyFile(src.file)
	}
	return vault.ParseKey(os.Getenv("CONCORD_MASTER_KEY"))
}
