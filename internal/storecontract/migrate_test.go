package storecontract

import (
	"slices"
	"sync"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

func testMigrations(t *testing.T, e storetest.Engine) {
	url := e.URL(t)
	open := func() *store.DB {
		db, err := store.Open(ctx, url, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	ms, err := store.Migrations(open().Dialect())
	must(t, err)
	if len(ms) == 0 {
		t.Fatal("no migrations embedded")
	}
	all := make([]int, len(ms))
	for i := range ms {
		all[i] = i + 1
	}

	t.Run("empty database reports nothing applied", func(t *testing.T) {
		applied, latest, err := open().Version(ctx)
		must(t, err)
		if applied != 0 || latest != len(ms) {
			t.Fatalf("Version = %d of %d, want 0 of %d", applied, latest, len(ms))
		}
	})
	t.Run("migrate applies every migration once", func(t *testing.T) {
		db := open()
		got, err := db.Migrate(ctx)
		must(t, err)
		if !slices.Equal(got, all) {
			t.Fatalf("applied %v, want %v", got, all)
		}
		applied, latest, err := db.Version(ctx)
		must(t, err)
		if applied != latest || latest != len(ms) {
			t.Fatalf("Version = %d of %d after migrating", applied, latest)
		}
	})
	t.Run("running migrate again applies nothing", func(t *testing.T) {
		got, err := open().Migrate(ctx)
		must(t, err)
		if len(got) != 0 {
			t.Fatalf("second Migrate applied %v", got)
		}
	})
	t.Run("the schema works after migrating", func(t *testing.T) {
		wr := newWorldOn(open())
		tn, err := wr.tenants.Create(ctx, "after-migrate", "")
		must(t, err)
		got, err := wr.tenants.BySlug(ctx, "after-migrate")
		must(t, err)
		if got.ID != tn.ID {
			t.Fatalf("BySlug = %+v, want %+v", got, tn)
		}
	})
	t.Run("nodes migrating at once apply each migration once", func(t *testing.T) {
		concurrentMigrate(t, e.URL(t), all)
	})
}

// concurrentMigrate runs Migrate from several connections at once on one
// empty database, as when the nodes of a cluster start together: each
// migration must be applied exactly once and no node may fail.
func concurrentMigrate(t *testing.T, url string, want []int) {
	const nodes = 4
	dbs := make([]*store.DB, nodes)
	for i := range dbs {
		db, err := store.Open(ctx, url, store.Options{})
		must(t, err)
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	var wg sync.WaitGroup
	applied := make([][]int, nodes)
	errs := make([]error, nodes)
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			applied[i], errs[i] = db.Migrate(ctx)
		}()
	}
	wg.Wait()
	var union []int
	for i := range dbs {
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
		union = append(union, applied[i]...)
	}
	slices.Sort(union)
	if !slices.Equal(union, want) {
		t.Fatalf("migrations applied across nodes: %v, want each of %v once", union, want)
	}
}
