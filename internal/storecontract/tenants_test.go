package storecontract

import (
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

func testTenants(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	acme, err := w.tenants.Create(ctx, "  Acme ", " Acme Inc. ")
	must(t, err)
	if acme.Slug != "acme" || acme.Name != "Acme Inc." || !id.Valid(acme.ID) {
		t.Fatalf("created %+v, want slug acme, name trimmed and a valid id", acme)
	}
	beta, err := w.tenants.Create(ctx, "beta", "")
	must(t, err)
	if beta.Name != "beta" {
		t.Fatalf("a tenant without a name is named after its slug, got %q", beta.Name)
	}

	t.Run("duplicate slug is a conflict on slug", func(t *testing.T) {
		for _, slug := range []string{"acme", "ACME", " acme"} {
			_, err := w.tenants.Create(ctx, slug, "Another")
			wantErr(t, err, apperr.Conflict, "duplicate", "slug")
		}
	})
	t.Run("invalid input", func(t *testing.T) {
		for _, tc := range []struct{ slug, name, field, code string }{
			{"", "x", "slug", "invalid_slug"},
			{"-acme", "x", "slug", "invalid_slug"},
			{"acme-", "x", "slug", "invalid_slug"},
			{"ac me", "x", "slug", "invalid_slug"},
			{"über", "x", "slug", "invalid_slug"},
			{strings.Repeat("a", 41), "x", "slug", "invalid_slug"},
			{"long-name", strings.Repeat("n", 201), "name", "too_long"},
		} {
			t.Run(tc.slug, func(t *testing.T) {
				_, err := w.tenants.Create(ctx, tc.slug, tc.name)
				wantErr(t, err, apperr.Invalid, tc.code, tc.field)
			})
		}
	})
	t.Run("by slug and by id", func(t *testing.T) {
		for _, slug := range []string{"acme", "ACME"} {
			got, err := w.tenants.BySlug(ctx, slug)
			must(t, err)
			if got.ID != acme.ID || got.Slug != "acme" || got.Name != acme.Name || !got.CreatedAt.Equal(acme.CreatedAt) {
				t.Fatalf("BySlug(%q) = %+v, want %+v", slug, got, acme)
			}
		}
		got, err := w.tenants.ByID(ctx, beta.ID)
		must(t, err)
		if got.Slug != "beta" {
			t.Fatalf("ByID = %+v", got)
		}
		_, err = w.tenants.BySlug(ctx, "nobody")
		wantNotFound(t, err)
		_, err = w.tenants.ByID(ctx, id.New())
		wantNotFound(t, err)
	})
	t.Run("list oldest first and default created once", func(t *testing.T) {
		d1, err := w.tenants.EnsureDefault(ctx)
		must(t, err)
		d2, err := w.tenants.EnsureDefault(ctx)
		must(t, err)
		if d1.ID != d2.ID || d1.Slug != tenant.DefaultSlug {
			t.Fatalf("EnsureDefault twice: %+v then %+v", d1, d2)
		}
		list, err := w.tenants.List(ctx)
		must(t, err)
		var slugs []string
		for _, tn := range list {
			slugs = append(slugs, tn.Slug)
		}
		if strings.Join(slugs, ",") != "acme,beta,default" {
			t.Fatalf("List = %v, want acme, beta, default", slugs)
		}
	})
}
