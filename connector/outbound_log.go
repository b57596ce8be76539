package connector

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/concordhub/concord"
)

const (
	// excerptBytes is how much of an error body the log keeps: enough for a service's error
	// code and message, short enough to keep the log small.
	excerptBytes = 300
	// peekBytes is how much is read for redaction before cutting to excerptBytes, so a
	// secret that straddles the cut is still recognised and masked whole.
	peekBytes = 4 << 10
)

// attemptLog is what one attempt leaves for the log.
type attemptLog struct {
	start   time.Time
	latency time.Duration
	status  int
	err     error
	body    []byte
}

// attemptClass is the error class of one attempt, "" when it succeeded.
func attemptClass(a attemptLog) concord.ErrorClass {
	if a.err != nil {
		return networkClass(a.err)
	}
	return ClassForStatus(a.status)
}

// operation names the call: the caller's name for it, or "<METHOD> <path>".
func (t *boundTransport) operation(req *http.Request) string {
	if op := ctxString(req.Context(), operationKey); op != "" {
		return op
	}
	return Redact(req.Method+" "+req.URL.Path, t.b.Secrets...)
}

// logAttempt sends one entry to the sink and counts it. Authorization and other headers are
// never logged; the excerpt is built only from redacted parts.
func (t *boundTransport) logAttempt(req *http.Request, a attemptLog) {
	class := attemptClass(a)
	outcome := concord.OutcomeOK
	if class != concord.ClassNone || a.status >= 400 {
		outcome = concord.OutcomeError
	}
	t.o.metrics.observe(t.b.Connector, outcome, class, a.latency)
	if t.o.opts.Sink == nil {
		return
	}
	excerpt := Redact(redactedTarget(req.Method, req.URL), t.b.Secrets...)
	switch {
	case a.err != nil:
		var ee *ExternalError
		msg := a.err.Error()
		if errors.As(a.err, &ee) {
			msg = ee.Message
		}
		excerpt += ": " + cut(Redact(msg, t.b.Secrets...), excerptBytes)
	case outcome == concord.OutcomeError:
		excerpt += " -> " + strconv.Itoa(a.status)
		if len(a.body) > 0 {
			body := strings.ToValidUTF8(string(a.body), "?")
			excerpt += ": " + cut(Redact(body, t.b.Secrets...), excerptBytes)
		}
	}
	t.o.opts.Sink.RecordCall(req.Context(), concord.LogEntry{
		ConnectionID:  t.b.ConnectionID,
		Time:          a.start,
		Direction:     concord.DirectionOutbound,
		Kind:          concord.KindAPICall,
		Operation:     t.operation(req),
		Outcome:       outcome,
		Status:        a.status,
		ErrorClass:    class,
		LatencyMS:     a.latency.Milliseconds(),
		Excerpt:       excerpt,
		CorrelationID: ctxString(req.Context(), correlationKey),
	})
}

// cut shortens s to at most n bytes without splitting a UTF-8 character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// peekBody reads the start of resp's body for the log and puts it back, so the caller still
// reads the whole body (a connector parses the service's error JSON from it).
func peekBody(resp *http.Response) []byte {
	if resp.Body == nil || resp.Body == http.NoBody {
		return nil
	}
	buf := make([]byte, peekBytes)
	n, err := io.ReadFull(resp.Body, buf)
	buf = buf[:n]
	rest := io.Reader(resp.Body)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		// Replay the read error to the caller rather than a silently short body.
		rest = errReader{err}
	}
	resp.Body = peekedBody{Reader: io.MultiReader(bytes.NewReader(buf), rest), Closer: resp.Body}
	return buf
}

type peekedBody struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
