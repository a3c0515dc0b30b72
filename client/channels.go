package client

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"time"
)

// ChannelSettings shape a website channel's widget.
type ChannelSettings struct {
	AllowedOrigins  []string `json:"allowed_origins"`
	Greeting        string   `json:"greeting"`
	Color           string   `json:"color"`
	Position        string   `json:"position"`
	Languages       []string `json:"languages"`
	PreChat         PreChat  `json:"prechat"`
	RequireIdentity bool     `json:"require_identity"`
	// Bot says who answers first; zero means the server's default (bot first).
	Bot ChannelBot `json:"bot"`
}

// ChannelBot is a channel's bot mode: "bot_first", "human_first" or
// "bot_outside_hours", with the business hours the last one uses.
type ChannelBot struct {
	Mode  string        `json:"mode,omitempty"`
	Hours BusinessHours `json:"hours"`
}

// BusinessHours are weekly hours in an IANA time zone (days: 0 = Sunday).
type BusinessHours struct {
	TimeZone string `json:"time_zone,omitempty"`
	Days     []int  `json:"days,omitempty"`
	Open     string `json:"open,omitempty"`
	Close    string `json:"close,omitempty"`
}

// PreChat is the optional form before a visitor's first message.
type PreChat struct {
	Enabled      bool `json:"enabled"`
	RequireEmail bool `json:"require_email"`
}

// Channel is a website channel.
type Channel struct {
	ID             string          `json:"id"`
	Kind           string          `json:"kind"`
	Name           string          `json:"name"`
	Key            string          `json:"key"`
	Settings       ChannelSettings `json:"settings"`
	IdentitySecret string          `json:"identity_secret"`
	Snippet        string          `json:"snippet"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// ChannelInput creates a channel; nil Settings takes the defaults.
type ChannelInput struct {
	Name     string           `json:"name"`
	Settings *ChannelSettings `json:"settings,omitempty"`
}

// ChannelPatch changes a channel.
type ChannelPatch struct {
	Name                 *string          `json:"name,omitempty"`
	Settings             *ChannelSettings `json:"settings,omitempty"`
	RotateIdentitySecret bool             `json:"rotate_identity_secret,omitempty"`
}

// Attachment is an uploaded file.
type Attachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Kind        string `json:"kind"`
	URL         string `json:"url"`
}

// ListChannels returns one page of channels (administrators only).
func (c *Client) ListChannels(ctx context.Context, o ListOptions) ([]Channel, string, error) {
	return getList[Channel](ctx, c, path("channels"), o.values())
}

// CreateChannel adds a website channel (administrators only).
func (c *Client) CreateChannel(ctx context.Context, in ChannelInput) (*Channel, error) {
	var ch Channel
	if _, err := c.Do(ctx, http.MethodPost, path("channels"), in, &ch); err != nil {
		return nil, err
	}
	return &ch, nil
}

// GetChannel returns one channel.
func (c *Client) GetChannel(ctx context.Context, id string) (*Channel, error) {
	var ch Channel
	if _, err := c.Do(ctx, http.MethodGet, path("channels", id), nil, &ch); err != nil {
		return nil, err
	}
	return &ch, nil
}

// UpdateChannel changes a channel.
func (c *Client) UpdateChannel(ctx context.Context, id string, p ChannelPatch) (*Channel, error) {
	var ch Channel
	if _, err := c.Do(ctx, http.MethodPatch, path("channels", id), p, &ch); err != nil {
		return nil, err
	}
	return &ch, nil
}

// DeleteChannel removes a channel.
func (c *Client) DeleteChannel(ctx context.Context, id string) error {
	_, err := c.Do(ctx, http.MethodDelete, path("channels", id), nil, nil)
	return err
}

// UploadToConversation uploads a file to attach to an agent's message.
func (c *Client) UploadToConversation(ctx context.Context, conversationID, name, contentType string, content io.Reader) (*Attachment, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
	h.Set("Content-Type", contentType)
	part, err := mw.CreatePart(h)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(part, content); err != nil {
		return nil, err
	}
	mw.Close()
	var a Attachment
	if _, err := c.DoRaw(ctx, http.MethodPost, path("conversations", conversationID, "uploads"), mw.FormDataContentType(), body.Bytes(), &a); err != nil {
		return nil, err
	}
	return &a, nil
}
