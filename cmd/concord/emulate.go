package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	emulators "github.com/concordhub/concord/emulator/all"
)

// runningEmulator is an emulator served on a loopback port.
type runningEmulator struct {
	Connector string
	URL       string
	emu       emulators.Emulator
	srv       *http.Server
}

func (r *runningEmulator) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
	r.emu.Close()
}

// startEmulator serves f on addr ("127.0.0.1:0" picks a free port).
func startEmulator(f emulators.Factory, addr string) (*runningEmulator, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("emulate %s: %w", f.Connector, err)
	}
	emu := f.New()
	srv := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &runningEmulator{Connector: f.Connector, URL: "http://" + ln.Addr().String(), emu: emu, srv: srv}, nil
}

func runEmulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("emulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:12111", "listen address; with all, emulators take consecutive ports from it")
	if len(args) == 0 {
		return usageError("emulate: name a connector or all")
	}
	name := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(err.Error())
	}
	var chosen []emulators.Factory
	for _, f := range emulators.Factories() {
		if name == "all" || f.Connector == name {
			chosen = append(chosen, f)
		}
	}
	if len(chosen) == 0 {
		return usageError(fmt.Sprintf("emulate: no emulator for %q", name))
	}
	host, portStr, err := net.SplitHostPort(*addr)
	if err != nil {
		return usageError("emulate: --addr must be host:port")
	}
	port, _ := strconv.Atoi(portStr)
	var running []*runningEmulator
	defer func() {
		for _, r := range running {
			r.close()
		}
	}()
	for i, f := range chosen {
		p := port
		if port != 0 {
			p = port + i
		}
		r, err := startEmulator(f, net.JoinHostPort(host, strconv.Itoa(p)))
		if err != nil {
			return err
		}
		running = append(running, r)
		fmt.Fprintf(stdout, "%s emulator: %s (credentials: %s/_emulator/credentials)\n", f.Connector, r.URL, r.URL)
	}
	<-ctx.Done()
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil
	}
	return ctx.Err()
}
