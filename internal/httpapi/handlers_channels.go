package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/attachment"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

// ChannelInput creates a website channel.
type ChannelInput struct {
	Name     string            `json:"name"`
	Settings *channel.Settings `json:"settings,omitempty"`
}

// ChannelPatch changes a channel; absent fields stay as they are.
type ChannelPatch struct {
	Name                 *string           `json:"name,omitempty"`
	Settings             *channel.Settings `json:"settings,omitempty"`
	RotateIdentitySecret bool              `json:"rotate_identity_secret,omitempty"`
}

// ChannelOut is a channel with the snippet that embeds its widget.
type ChannelOut struct {
	channel.Channel
	Snippet string `json:"snippet"`
}

// BaseURL is the address people reach this server at: the configured public
// URL, or the scheme and host of the request.
func (a *API) BaseURL(r *http.Request) string {
	if a.publicURL != "" {
		return strings.TrimSuffix(a.publicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (a *API) channelOut(r *http.Request, c channel.Channel) ChannelOut {
	return ChannelOut{Channel: c, Snippet: c.Snippet(a.BaseURL(r))}
}

func (a *API) listChannels(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	items, next, err := a.channels.List(r.Context(), tenantOf(r), p)
	if err != nil {
		return err
	}
	out := List[ChannelOut]{Items: make([]ChannelOut, 0, len(items)), NextCursor: next}
	for _, c := range items {
		out.Items = append(out.Items, a.channelOut(r, c))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) createChannel(w http.ResponseWriter, r *http.Request) error {
	var in ChannelInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	st := channel.DefaultSettings()
	if in.Settings != nil {
		st = *in.Settings
	}
	c, err := a.channels.Create(r.Context(), tenantOf(r), in.Name, st)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a.channelOut(r, c))
	return nil
}

func (a *API) getChannel(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "channel")
	if err != nil {
		return err
	}
	c, err := a.channels.Get(r.Context(), tenantOf(r), cid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.channelOut(r, c))
	return nil
}

func (a *API) updateChannel(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "channel")
	if err != nil {
		return err
	}
	var in ChannelPatch
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.channels.Update(r.Context(), tenantOf(r), cid, channel.Patch{Name: in.Name, Settings: in.Settings,
		RotateIdentitySecret: in.RotateIdentitySecret})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.channelOut(r, c))
	return nil
}

// readUpload takes the one file of a multipart/form-data request (field "file").
func (a *API) readUpload(w http.ResponseWriter, r *http.Request, store func(name, contentType string, body interface{ Read([]byte) (int, error) }) error) error {
	r.Body = http.MaxBytesReader(w, r.Body, attachment.MaxSize+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return apperr.New(apperr.BadRequest, "multipart_expected", "file")
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return apperr.New(apperr.TooLarge, "file_too_large", "file", "max", attachment.MaxSize>>20)
			}
			return apperr.Invalidf("file", "required")
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		defer part.Close()
		err = store(part.FileName(), part.Header.Get("Content-Type"), part)
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.New(apperr.TooLarge, "file_too_large", "file", "max", attachment.MaxSize>>20)
		}
		return err
	}
}

func (a *API) uploadToConversation(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "conversation")
	if err != nil {
		return err
	}
	if _, err := a.convs.Get(r.Context(), tenantOf(r), cid); err != nil {
		return err
	}
	p := principal(r.Context())
	uploader := "user:" + p.UserID
	if p.IsToken() {
		uploader = "user:" + p.TokenID
	}
	var out conversation.Attachment
	err = a.readUpload(w, r, func(name, ct string, body interface{ Read([]byte) (int, error) }) error {
		var err error
		out, err = a.attachments.Upload(r.Context(), tenantOf(r), uploader, cid, name, ct, body)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// Multipart documents a multipart/form-data upload with one file field.
type Multipart struct {
	File string `json:"file" format:"binary"`
}
