package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

// requestTypes are the request bodies the API decodes.
var requestTypes = []func() any{
	func() any { return new(ContactInput) },
	func() any { return new(UserCreate) },
	func() any { return new(UserUpdate) },
	func() any { return new(PasswordReset) },
	func() any { return new(TeamInput) },
	func() any { return new(TeamPatch) },
	func() any { return new(TokenCreate) },
	func() any { return new(LoginRequest) },
	func() any { return new(PasswordChange) },
	func() any { return new(ConversationCreate) },
	func() any { return new(MessageCreate) },
	func() any { return new(AssignRequest) },
}

// userVisible are the kinds a body can fail with: never a 500.
var userVisible = map[apperr.Kind]bool{apperr.BadRequest: true, apperr.Invalid: true, apperr.TooLarge: true}

func checkDecode(t *testing.T, body []byte, newDst func() any) {
	dst := newDst()
	err := DecodeJSON(bytes.NewReader(body), dst)
	if err != nil {
		var e *apperr.Error
		if !errors.As(err, &e) {
			t.Fatalf("%T: error %v (%T) is not an *apperr.Error", dst, err, err)
		}
		if e.Code == "" || !userVisible[e.Kind] {
			t.Fatalf("%T: error %+v: want a code and a 400, 413 or 422 kind", dst, e)
		}
		if e.Code == "wrong_type" && e.Field == "" {
			t.Fatalf("%T: wrong_type without the field at fault", dst)
		}
		return
	}
	// Accepted: the body was exactly one JSON value...
	if !json.Valid(body) {
		t.Fatalf("%T: accepted %q, which is not one JSON value", dst, body)
	}
	// ...and what was decoded survives encoding and decoding again unchanged.
	enc, merr := json.Marshal(dst)
	if merr != nil {
		t.Fatalf("%T: decoded value does not encode: %v", dst, merr)
	}
	again := newDst()
	if err := DecodeJSON(bytes.NewReader(enc), again); err != nil {
		t.Fatalf("%T: re-decoding %s: %v", dst, enc, err)
	}
	enc2, _ := json.Marshal(again)
	if !bytes.Equal(enc, enc2) {
		t.Fatalf("%T: not stable:\n%s\n%s", dst, enc, enc2)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"Mia","emails":["mia@example.com"],"phones":["+1 555"],"external_ids":[{"source":"shop","id":"42"}],"attributes":{"plan":"gold","n":1,"vip":true,"x":null}}`,
		`{"email":"a@example.com","name":"A","role":"agent","password":"correct horse battery","must_change_password":true}`,
		`{"contact_id":"01a1fcad-638c-7d47-addc-7e4d3d5d46d9","message":{"body":"hi","client_id":"c1","private":false,"author":"contact"}}`,
		`{"assignee_id":null,"team_id":""}`,
		`{"name":null,"disabled":false}`,
		`{}`, `null`, `[]`, `""`, `1`, ``, ` `, `{`, `}`, `{"name":`, `{"name":1}`, `{"emails":"x"}`, `{"emails":[1]}`,
		`{"unknown":1}`, `{"name":"a"}{"name":"b"}`, `{"name":"a"} x`, `{"name":"a"}   `, "{\"name\":\"\xff\"}",
		`{"attributes":{"a":{"b":[1,2]}}}`, `{"external_ids":[{"source":1}]}`, `{"message":{"private":"yes"}}`,
		`{"name":"\u0000"}`, `{"name":"\ud800"}`, `{"Name":"case"}`, `{"name":"a","name":"b"}`, `1e999`, `{"must_change_password":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, newDst := range requestTypes {
			checkDecode(t, body, newDst)
		}
	})
}

func TestDecodeJSONErrors(t *testing.T) {
	for _, tc := range []struct {
		body        string
		kind        apperr.Kind
		code, field string
	}{
		{``, apperr.BadRequest, "empty_body", ""},
		{`{`, apperr.BadRequest, "malformed_json", ""},
		{`{"name":"a"} {}`, apperr.BadRequest, "malformed_json", ""},
		{`{"name":"a"} x`, apperr.BadRequest, "malformed_json", ""},
		{`{"bogus":1}`, apperr.BadRequest, "unknown_field", "bogus"},
		{`{"emails":"x"}`, apperr.Invalid, "wrong_type", "emails"},
		{`{"name":5}`, apperr.Invalid, "wrong_type", "name"},
		{`[]`, apperr.BadRequest, "malformed_json", ""},
	} {
		t.Run(tc.body, func(t *testing.T) {
			var in ContactInput
			err := DecodeJSON(strings.NewReader(tc.body), &in)
			e, ok := apperr.As(err)
			if !ok || e.Kind != tc.kind || e.Code != tc.code || e.Field != tc.field {
				t.Fatalf("DecodeJSON(%q) = %v, want %q on %q", tc.body, err, tc.code, tc.field)
			}
		})
	}
	t.Run("oversized body", func(t *testing.T) {
		rec := httptest.NewRecorder()
		body := http.MaxBytesReader(rec, io.NopCloser(strings.NewReader(`{"name":"`+strings.Repeat("x", 2000)+`"}`)), 1024)
		var in ContactInput
		err := DecodeJSON(body, &in)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.TooLarge || e.Code != "body_too_large" {
			t.Fatalf("oversized body: %v", err)
		}
	})
	t.Run("accepted", func(t *testing.T) {
		var in UserCreate
		if err := DecodeJSON(strings.NewReader(` {"email":"a@example.com","name":"A"} `+"\n"), &in); err != nil {
			t.Fatal(err)
		}
		want := UserCreate{Email: "a@example.com", Name: "A"}
		if !reflect.DeepEqual(in, want) {
			t.Fatalf("decoded %+v", in)
		}
	})
}
