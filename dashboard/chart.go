package dashboard

import (
	"fmt"

	"github.com/concordhub/concord/syncer"
)

// chart is the Sync Dashboard's activity chart, laid out on the server as SVG: one group
// per hour, a bar per direction shown, the failed part of each bar drawn on top in the
// failure colour. Every bar has a title (the exact counts), and the same numbers are in a
// table for screen readers and for reading exact values.
type chart struct {
	Width, Height int
	PlotTop       int
	PlotBottom    int
	Bars          []bar
	Ticks         []tick
	Labels        []label
	Max           int
	Hours         []syncer.Hour
	Empty         bool
	Summary       string
}

type bar struct {
	Class  string // inbound, outbound
	X, W   int
	Y, H   int // moved part
	FY, FH int // failed part
	Title  string
}

type tick struct {
	Y     int
	Value int
}

type label struct {
	X    int
	Text string
}

const (
	chartW      = 720
	chartH      = 200
	chartLeft   = 44
	chartRight  = 8
	chartTop    = 10
	chartBottom = 170
)

func buildChart(hours []syncer.Hour, direction string) chart {
	c := chart{Width: chartW, Height: chartH, PlotTop: chartTop, PlotBottom: chartBottom, Hours: hours}
	showIn, showOut := direction != syncer.Outbound, direction != syncer.Inbound
	totalMoved, totalFailed := 0, 0
	for _, h := range hours {
		if showIn {
			c.Max = max(c.Max, h.InboundMoved+h.InboundFailed)
			totalMoved += h.InboundMoved
			totalFailed += h.InboundFailed
		}
		if showOut {
			c.Max = max(c.Max, h.OutboundMoved+h.OutboundFailed)
			totalMoved += h.OutboundMoved
			totalFailed += h.OutboundFailed
		}
	}
	c.Empty = c.Max == 0
	scaleMax := niceCeil(max(c.Max, 1))
	steps := 4
	if scaleMax < steps || scaleMax%steps != 0 {
		steps = min(scaleMax, 5) // 1, 2, 5 or 10 steps of whole numbers
		if scaleMax%steps != 0 {
			steps = 1
		}
	}
	for i := 0; i <= steps; i++ {
		c.Ticks = append(c.Ticks, tick{Y: chartBottom - (chartBottom-chartTop)*i/steps, Value: scaleMax * i / steps})
	}
	n := max(len(hours), 1)
	slot := (chartW - chartLeft - chartRight) / n
	per := 1
	if showIn && showOut {
		per = 2
	}
	bw := max((slot-4)/per, 2)
	y := func(v int) int { return (chartBottom - chartTop) * v / scaleMax }
	for i, h := range hours {
		x := chartLeft + i*slot + 2
		span := h.Start.UTC().Format("15:04") + "–" + h.Start.UTC().Add(3600e9).Format("15:04") + " UTC"
		add := func(class string, moved, failed int) {
			mh, fh := y(moved), y(failed)
			c.Bars = append(c.Bars, bar{Class: class, X: x, W: bw,
				Y: chartBottom - mh, H: mh, FY: chartBottom - mh - fh, FH: fh,
				Title: fmt.Sprintf("%s, %s: %d moved, %d failed", span, class, moved, failed)})
			x += bw
		}
		if showIn {
			add("inbound", h.InboundMoved, h.InboundFailed)
		}
		if showOut {
			add("outbound", h.OutboundMoved, h.OutboundFailed)
		}
		if i%4 == 0 || i == len(hours)-1 {
			c.Labels = append(c.Labels, label{X: chartLeft + i*slot + slot/2, Text: h.Start.UTC().Format("15h")})
		}
	}
	c.Summary = fmt.Sprintf("Last %d hours: %d records moved, %d failed; busiest hour %d.", len(hours), totalMoved, totalFailed, c.Max)
	return c
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten, so the axis reads easily.
func niceCeil(v int) int {
	p := 1
	for p*10 <= v {
		p *= 10
	}
	for _, m := range []int{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
