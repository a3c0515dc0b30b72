package widget_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/apitest"
)

func ctxFor(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newChannel creates a website channel through the REST API.
func newChannel(t *testing.T, admin *client.Client, name string, st *client.ChannelSettings) *client.Channel {
	t.Helper()
	ch, err := admin.CreateChannel(context.Background(), client.ChannelInput{Name: name, Settings: st})
	if err != nil {
		t.Fatalf("create channel %s: %v", name, err)
	}
	return ch
}

// visitor opens a widget session and returns it with its welcome.
type visitorSession struct {
	conn    *client.LiveConn
	token   string
	contact string
}

func newVisitor(t *testing.T, srv *apitest.Server, key string) *visitorSession {
	t.Helper()
	ctx := ctxFor(t)
	v, err := client.DialVisitor(ctx, srv.URL, key)
	if err != nil {
		t.Fatalf("dial visitor: %v", err)
	}
	t.Cleanup(func() { _ = v.Close() })
	if err := v.Send("hello", map[string]any{"lang": "en"}); err != nil {
		t.Fatal(err)
	}
	f, err := v.NextOf(ctx, "welcome", "error")
	if err != nil || f.Type != "welcome" {
		t.Fatalf("welcome: %v %s %s", err, f.Type, f.Data)
	}
	var w struct {
		Token     string `json:"token"`
		ContactID string `json:"contact_id"`
	}
	if err := f.Decode(&w); err != nil || w.Token == "" {
		t.Fatalf("welcome %s: %v", f.Data, err)
	}
	return &visitorSession{conn: v, token: w.Token, contact: w.ContactID}
}

// pngBytes is a small real PNG image.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	for x := 0; x < 8; x++ {
		for y := 0; y < 6; y++ {
			img.Set(x, y, color.RGBA{uint8(30 * x), 120, uint8(40 * y), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload is one POST /widget/uploads.
type upload struct {
	key, token, origin, lang string
	name, contentType        string
	content                  []byte
	auth                     string // the whole Authorization header, when set
}

type uploadResult struct {
	status int
	att    client.Attachment
	err    struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	}
	raw string
}

func doUpload(t *testing.T, srv *apitest.Server, u upload) uploadResult {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+u.name+`"`)
	if u.contentType != "" {
		h.Set("Content-Type", u.contentType)
	}
	part, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(u.content)
	_ = mw.Close()
	req, err := http.NewRequest("POST", srv.URL+"/widget/uploads?channel="+u.key, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	switch {
	case u.auth != "":
		req.Header.Set("Authorization", u.auth)
	case u.token != "":
		req.Header.Set("Authorization", "Visitor "+u.token)
	}
	if u.origin != "" {
		req.Header.Set("Origin", u.origin)
	}
	if u.lang != "" {
		req.Header.Set("Accept-Language", u.lang)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := uploadResult{status: resp.StatusCode, raw: string(b)}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("upload answered %d with Content-Type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	if resp.StatusCode == http.StatusCreated {
		if err := json.Unmarshal(b, &r.att); err != nil {
			t.Fatalf("upload answer %s: %v", b, err)
		}
	} else {
		var e struct {
			Error json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(b, &e); err != nil || json.Unmarshal(e.Error, &r.err) != nil || r.err.Code == "" {
			t.Fatalf("error answer not in the API's shape: %d %s", resp.StatusCode, b)
		}
	}
	return r
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
