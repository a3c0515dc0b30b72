// Package widget serves what a company's website loads: widget.js (the
// launcher that a one-line snippet adds to a page), the chat frame it opens,
// the frame's assets, visitor uploads, attachment files, and the /demo shop.
package widget

import (
	"log/slog"
	"net/http"

	"github.com/switchboard-cs/switchboard/internal/attachment"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
)

// Options are what the widget pages are built from.
type Options struct {
	Channels    *channel.Service
	Attachments *attachment.Service
	Catalog     *i18n.Catalog
	Log         *slog.Logger
	// DemoChannelKey is the demo tenant's website channel, when --demo is on.
	DemoChannelKey func() string
}

// Widget serves the widget.
type Widget struct {
	o Options
}

// New builds the widget edge.
func New(o Options) *Widget { return &Widget{o: o} }

// Register adds the widget's routes to mux.
func (w *Widget) Register(mux *http.ServeMux) {
}
