package widget_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/apitest"
	"github.com/switchboard-cs/switchboard/internal/attachment"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

func TestVisitorUploads(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			srv := apitest.Start(t, e)
			admin := srv.Admin(t)
			shop := newChannel(t, admin, "Shop", &client.ChannelSettings{AllowedOrigins: []string{"https://shop.example.com"}})
			other := newChannel(t, admin, "Other", nil)
			v := newVisitor(t, srv, shop.Key)
			stranger := newVisitor(t, srv, other.Key)
			img := pngBytes(t)

			ok := doUpload(t, srv, upload{key: shop.Key, token: v.token, origin: srv.URL, name: "photo.png", contentType: "image/png", content: img})
			if ok.status != http.StatusCreated {
				t.Fatalf("PNG: %d %s", ok.status, ok.raw)
			}
			if ok.att.Kind != "image" || ok.att.ContentType != "image/png" || ok.att.Size != int64(len(img)) ||
				ok.att.ID == "" || !strings.HasPrefix(ok.att.URL, "/files/"+ok.att.ID+"/") {
				t.Fatalf("PNG answer: %+v", ok.att)
			}
			// From an allowed site, and without a type (the name tells it).
			if r := doUpload(t, srv, upload{key: shop.Key, token: v.token, origin: "https://shop.example.com", name: "p.png", content: img}); r.status != 201 {
				t.Errorf("from an allowed origin: %d %s", r.status, r.raw)
			}

			for _, tc := range []struct {
				name   string
				u      upload
				status int
				code   string
			}{
				{"fake PNG", upload{name: "cat.png", contentType: "image/png", content: []byte("this is not a picture at all")}, 422, "file_content_mismatch"},
				{"SVG", upload{name: "x.svg", contentType: "image/svg+xml", content: []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)}, 422, "file_type_not_allowed"},
				{"HTML", upload{name: "x.html", contentType: "text/html", content: []byte("<script>alert(1)</script>")}, 422, "file_type_not_allowed"},
				{"HTML as text", upload{name: "x.txt", contentType: "text/plain", content: []byte("<!DOCTYPE html><html><script>alert(1)</script>")}, 422, "file_content_mismatch"},
				{"empty", upload{name: "e.png", contentType: "image/png", content: nil}, 422, "empty_file"},
				{"too large", upload{name: "big.png", contentType: "image/png", content: append(img, bytes.Repeat([]byte{0}, attachment.MaxSize)...)}, 413, "file_too_large"},
				{"no token", upload{name: "a.png", contentType: "image/png", content: img, auth: "Bearer x"}, 401, "visitor_token_required"},
				{"forged token", upload{name: "a.png", contentType: "image/png", content: img, token: forge(v.token)}, 401, "visitor_token_invalid"},
				{"garbage token", upload{name: "a.png", contentType: "image/png", content: img, token: "v1.bm9wZQ.bm9wZQ"}, 401, "visitor_token_invalid"},
				{"another channel's token", upload{name: "a.png", contentType: "image/png", content: img, token: stranger.token}, 401, "visitor_token_invalid"},
				{"disallowed origin", upload{name: "a.png", contentType: "image/png", content: img, origin: "https://evil.example"}, 403, "origin_not_allowed"},
			} {
				u := tc.u
				u.key = shop.Key
				if u.token == "" && u.auth == "" {
					u.token = v.token
				}
				r := doUpload(t, srv, u)
				if r.status != tc.status || r.err.Code != tc.code {
					t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.raw, tc.status, tc.code)
				}
			}

			// Errors speak the visitor's language.
			r := doUpload(t, srv, upload{key: shop.Key, token: v.token, lang: "zh-CN", name: "x.svg", contentType: "image/svg+xml", content: []byte("<svg/>")})
			if r.status != 422 || !strings.Contains(r.err.Message, "图片") || r.err.Field != "file" {
				t.Errorf("error in Chinese: %d %s", r.status, r.raw)
			}
		})
	}
}

// forge changes the token's payload and keeps its signature.
func forge(token string) string {
	parts := strings.Split(token, ".")
	p := []byte(parts[1])
	if p[0] == 'e' {
		p[0] = 'f'
	} else {
		p[0] = 'e'
	}
	return parts[0] + "." + string(p) + "." + parts[2]
}

func TestAttachmentFilesAreServedSafely(t *testing.T) {
	srv := apitest.Start(t, storetest.Engines(t)[0])
	admin := srv.Admin(t)
	ch := newChannel(t, admin, "Files", nil)
	v := newVisitor(t, srv, ch.Key)
	img := pngBytes(t)
	pic := doUpload(t, srv, upload{key: ch.Key, token: v.token, name: "照片.png", contentType: "image/png", content: img})
	doc := doUpload(t, srv, upload{key: ch.Key, token: v.token, name: "发票 May.pdf", contentType: "application/pdf",
		content: []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")})
	if pic.status != 201 || doc.status != 201 {
		t.Fatalf("uploads: %s / %s", pic.raw, doc.raw)
	}
	const csp = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
	for _, tc := range []struct {
		att         client.Attachment
		contentType string
		disposition string
		body        []byte
	}{
		{pic.att, "image/png", "inline", img},
		{doc.att, "application/pdf", "attachment; filename*=UTF-8''%E5%8F%91%E7%A5%A8%20May.pdf", nil},
	} {
		resp, body := get(t, srv.URL+tc.att.URL, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", tc.att.URL, resp.StatusCode)
		}
		h := resp.Header
		if h.Get("Content-Type") != tc.contentType {
			t.Errorf("%s: Content-Type %q", tc.att.Name, h.Get("Content-Type"))
		}
		if d := h.Get("Content-Disposition"); !strings.HasPrefix(d, tc.disposition) {
			t.Errorf("%s: Content-Disposition %q, want %q…", tc.att.Name, d, tc.disposition)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Security-Policy") != csp {
			t.Errorf("%s: nosniff %q, CSP %q", tc.att.Name, h.Get("X-Content-Type-Options"), h.Get("Content-Security-Policy"))
		}
		if cc := h.Get("Cache-Control"); !strings.Contains(cc, "private") || !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("%s: Cache-Control %q", tc.att.Name, cc)
		}
		if tc.body != nil && !bytes.Equal([]byte(body), tc.body) {
			t.Errorf("%s: content differs", tc.att.Name)
		}
	}
	// A wrong key, an unknown id: nothing.
	parts := strings.Split(pic.att.URL, "/") // "", files, id, key, name
	for _, u := range []string{
		"/files/" + parts[2] + "/" + strings.Repeat("A", len(parts[3])) + "/" + parts[4],
		"/files/" + parts[2] + "/x/" + parts[4],
		"/files/01a1fcc9-0000-7000-8000-000000000000/" + parts[3] + "/" + parts[4],
	} {
		if resp, _ := get(t, srv.URL+u, nil); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", u, resp.StatusCode)
		}
	}
}
