package storecontract

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/quickreply"
)

// TestQuickReplyContract runs the quick-reply storage contract on every
// engine, like TestStoreContract.
func TestQuickReplyContract(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Run("QuickReplies", func(t *testing.T) {
				t.Parallel()
				testQuickReplies(t, e)
			})
			t.Run("QuickReplyLimit", func(t *testing.T) {
				t.Parallel()
				testQuickReplyLimit(t, e)
			})
		})
	}
}

func qrInput(scope quickreply.Scope, teamID, shortcut, title, body string) quickreply.Input {
	in := quickreply.Input{Scope: &scope, Shortcut: &shortcut, Title: &title, Body: &body}
	if teamID != "" {
		in.TeamID = &teamID
	}
	return in
}

func shortcuts(qs []quickreply.QuickReply) []string {
	out := []string{}
	for _, q := range qs {
		out = append(out, string(q.Scope)+":"+q.Shortcut)
	}
	return out
}

func testQuickReplies(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	t1, t2 := w.tenant(t, "qr-one"), w.tenant(t, "qr-two")
	svc := quickreply.New(w.db)
	svc.SetClock(w.clock.Now)
	support, sales := id.New(), id.New()
	ann := quickreply.Viewer{UserID: id.New(), TeamIDs: []string{support}} // an agent in support
	bob := quickreply.Viewer{UserID: id.New(), TeamIDs: []string{sales}}   // an agent in sales
	boss := quickreply.Viewer{UserID: id.New(), TeamIDs: []string{support, sales}, Editor: true}
	token := quickreply.Viewer{Editor: true, TeamIDs: []string{support, sales}}

	mine, err := svc.Create(ctx, t1.ID, ann, qrInput(quickreply.ScopePersonal, "", " /Returns ", " My returns ", "  Hi {{ customer.name }}, send it back within 7 days.\n— {{agent.name}}  "))
	must(t, err)
	t.Run("create normalises and stamps", func(t *testing.T) {
		if mine.Shortcut != "returns" || mine.Title != "My returns" || mine.Body != "Hi {{ customer.name }}, send it back within 7 days.\n— {{agent.name}}" ||
			mine.Scope != quickreply.ScopePersonal || mine.TeamID != "" || !mine.CanEdit || mine.CreatedBy != ann.UserID {
			t.Fatalf("created %+v", mine)
		}
		if !mine.CreatedAt.Equal(w.clock.Now()) || !mine.UpdatedAt.Equal(mine.CreatedAt) {
			t.Fatalf("timestamps %v / %v, want %v", mine.CreatedAt, mine.UpdatedAt, w.clock.Now())
		}
		got, err := svc.Get(ctx, t1.ID, ann, mine.ID)
		must(t, err)
		if got != mine {
			t.Fatalf("Get = %+v\nwant  %+v", got, mine)
		}
	})

	teamReply, err := svc.Create(ctx, t1.ID, boss, qrInput(quickreply.ScopeTeam, support, "warranty", "保修", "保修期为一年。"))
	must(t, err)
	salesReply, err := svc.Create(ctx, t1.ID, boss, qrInput(quickreply.ScopeTeam, sales, "discount", "", "Use code SPRING for 10 % off."))
	must(t, err)
	shared, err := svc.Create(ctx, t1.ID, token, qrInput(quickreply.ScopeTenant, "", "hello", "问候", "您好 {{customer.name}}，我是 {{agent.name}}。"))
	must(t, err)
	bossOwn, err := svc.Create(ctx, t1.ID, boss, qrInput(quickreply.ScopePersonal, "", "hello", "", "Boss says hello"))
	must(t, err)
	_, err = svc.Create(ctx, t2.ID, token, qrInput(quickreply.ScopeTenant, "", "other-tenant", "", "Tenant two's"))
	must(t, err)

	t.Run("each sees their own, their teams' and the shared ones, by shortcut", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			v    quickreply.Viewer
			want []string
		}{
			{"ann", ann, []string{"tenant:hello", "personal:returns", "team:warranty"}},
			{"bob", bob, []string{"team:discount", "tenant:hello"}},
			{"boss", boss, []string{"team:discount", "personal:hello", "tenant:hello", "team:warranty"}},
			{"token", token, []string{"team:discount", "tenant:hello", "team:warranty"}},
			{"a token that edits nothing", quickreply.Viewer{}, []string{"tenant:hello"}},
		} {
			got, err := svc.List(ctx, t1.ID, tc.v, quickreply.Filter{})
			must(t, err)
			if !slices.Equal(shortcuts(got), tc.want) {
				t.Errorf("%s sees %v, want %v", tc.name, shortcuts(got), tc.want)
			}
		}
		got, err := svc.List(ctx, t1.ID, ann, quickreply.Filter{})
		must(t, err)
		for _, q := range got {
			if q.CanEdit != (q.ID == mine.ID) {
				t.Errorf("ann can edit %s: %v", q.Shortcut, q.CanEdit)
			}
		}
	})

	t.Run("nobody reaches what they do not see", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			v    quickreply.Viewer
			id   string
		}{
			{"bob, ann's personal one", bob, mine.ID},
			{"the boss, ann's personal one", boss, mine.ID},
			{"a token, ann's personal one", token, mine.ID},
			{"bob, support's", bob, teamReply.ID},
			{"ann, sales'", ann, salesReply.ID},
		} {
			_, err := svc.Get(ctx, t1.ID, tc.v, tc.id)
			wantNotFound(t, err)
			_, err = svc.Update(ctx, t1.ID, tc.v, tc.id, quickreply.Input{Body: ptr("taken over")})
			wantNotFound(t, err)
			wantNotFound(t, svc.Delete(ctx, t1.ID, tc.v, tc.id))
		}
		_, err := svc.Get(ctx, t2.ID, ann, mine.ID)
		wantNotFound(t, err)
		got, err := svc.Get(ctx, t1.ID, ann, mine.ID)
		must(t, err)
		if got.Body != mine.Body {
			t.Fatalf("ann's reply changed: %+v", got)
		}
	})

	t.Run("agents cannot write team or shared ones", func(t *testing.T) {
		_, err := svc.Create(ctx, t1.ID, ann, qrInput(quickreply.ScopeTeam, support, "team-try", "", "x"))
		wantErr(t, err, apperr.Forbidden, "quickreply_forbidden", "scope")
		_, err = svc.Create(ctx, t1.ID, ann, qrInput(quickreply.ScopeTenant, "", "tenant-try", "", "x"))
		wantErr(t, err, apperr.Forbidden, "quickreply_forbidden", "scope")
		_, err = svc.Update(ctx, t1.ID, ann, teamReply.ID, quickreply.Input{Body: ptr("changed by an agent")})
		wantErr(t, err, apperr.Forbidden, "quickreply_forbidden", "scope")
		wantErr(t, svc.Delete(ctx, t1.ID, ann, shared.ID), apperr.Forbidden, "quickreply_forbidden", "scope")
		_, err = svc.Update(ctx, t1.ID, ann, mine.ID, quickreply.Input{Scope: ptr(quickreply.ScopeTenant)})
		wantErr(t, err, apperr.Forbidden, "quickreply_forbidden", "scope")
		_, err = svc.Create(ctx, t1.ID, token, qrInput(quickreply.ScopePersonal, "", "tokens-own", "", "x"))
		wantErr(t, err, apperr.Forbidden, "session_only", "scope")
		got, err := svc.List(ctx, t1.ID, boss, quickreply.Filter{})
		must(t, err)
		if len(got) != 4 {
			t.Fatalf("a refused write changed the list: %v", shortcuts(got))
		}
	})

	t.Run("bad input names the field", func(t *testing.T) {
		for _, tc := range []struct {
			name        string
			v           quickreply.Viewer
			in          quickreply.Input
			kind        apperr.Kind
			code, field string
		}{
			{"no shortcut", ann, quickreply.Input{Body: ptr("x")}, apperr.Invalid, "required", "shortcut"},
			{"a space in the shortcut", ann, qrInput(quickreply.ScopePersonal, "", "two words", "", "x"), apperr.Invalid, "quickreply_shortcut", "shortcut"},
			{"a long shortcut", ann, qrInput(quickreply.ScopePersonal, "", "abcdefghijklmnopqrstuvwxyz0123456", "", "x"), apperr.Invalid, "too_long", "shortcut"},
			{"no body", ann, quickreply.Input{Shortcut: ptr("empty")}, apperr.Invalid, "required", "body"},
			{"a long title", ann, qrInput(quickreply.ScopePersonal, "", "t", strings.Repeat("标", 101), "x"), apperr.Invalid, "too_long", "title"},
			{"an unknown variable", ann, qrInput(quickreply.ScopePersonal, "", "v", "", "Order {{order.id}}"), apperr.Invalid, "unknown_variable", "body"},
			{"an unknown scope", boss, qrInput("everyone", "", "s", "", "x"), apperr.Invalid, "invalid_value", "scope"},
			{"a team without its id", boss, qrInput(quickreply.ScopeTeam, "", "s", "", "x"), apperr.Invalid, "required", "team_id"},
			{"an unknown team", boss, qrInput(quickreply.ScopeTeam, id.New(), "s", "", "x"), apperr.Invalid, "unknown_reference", "team_id"},
			{"a team id on a shared one", boss, qrInput(quickreply.ScopeTenant, support, "s", "", "x"), apperr.Invalid, "invalid_value", "team_id"},
			{"the same shortcut again", ann, qrInput(quickreply.ScopePersonal, "", "RETURNS", "", "x"), apperr.Conflict, "duplicate", "shortcut"},
			{"the same team shortcut again", boss, qrInput(quickreply.ScopeTeam, support, "/warranty", "", "x"), apperr.Conflict, "duplicate", "shortcut"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := svc.Create(ctx, t1.ID, tc.v, tc.in)
				wantErr(t, err, tc.kind, tc.code, tc.field)
			})
		}
		// The same shortcut is free in another scope, team or tenant.
		_, err := svc.Create(ctx, t1.ID, bob, qrInput(quickreply.ScopePersonal, "", "returns", "", "Bob's own"))
		must(t, err)
		_, err = svc.Create(ctx, t1.ID, boss, qrInput(quickreply.ScopeTeam, sales, "warranty", "", "Sales' warranty"))
		must(t, err)
		_, err = svc.Create(ctx, t2.ID, token, qrInput(quickreply.ScopeTenant, "", "hello", "", "Tenant two's hello"))
		must(t, err)
	})

	t.Run("search and scope filters", func(t *testing.T) {
		for _, tc := range []struct {
			f    quickreply.Filter
			want []string
		}{
			{quickreply.Filter{Query: "RET"}, []string{"personal:returns"}},
			{quickreply.Filter{Query: "保修"}, []string{"team:warranty"}},
			{quickreply.Filter{Query: "within 7"}, []string{"personal:returns"}},
			{quickreply.Filter{Query: "nothing like it"}, []string{}},
			{quickreply.Filter{Scope: quickreply.ScopeTenant}, []string{"tenant:hello"}},
			{quickreply.Filter{Scope: quickreply.ScopeTeam}, []string{"team:warranty"}},
			{quickreply.Filter{Limit: 2}, []string{"tenant:hello", "personal:returns"}},
		} {
			got, err := svc.List(ctx, t1.ID, ann, tc.f)
			must(t, err)
			if !slices.Equal(shortcuts(got), tc.want) {
				t.Errorf("%+v: %v, want %v", tc.f, shortcuts(got), tc.want)
			}
		}
		_, err := svc.List(ctx, t1.ID, ann, quickreply.Filter{Scope: "mine"})
		wantErr(t, err, apperr.Invalid, "invalid_value", "scope")
		_, err = svc.List(ctx, t1.ID, ann, quickreply.Filter{Query: strings.Repeat("x", 201)})
		wantErr(t, err, apperr.Invalid, "too_long", "q")
	})

	t.Run("update and move", func(t *testing.T) {
		w.clock.Advance(time.Minute)
		got, err := svc.Update(ctx, t1.ID, ann, mine.ID, quickreply.Input{Shortcut: ptr("退货"), Body: ptr("请在 7 天内寄回，{{agent.name}}")})
		must(t, err)
		if got.Shortcut != "退货" || got.Body != "请在 7 天内寄回，{{agent.name}}" || got.Title != mine.Title || !got.UpdatedAt.Equal(w.clock.Now()) ||
			!got.CreatedAt.Equal(mine.CreatedAt) {
			t.Fatalf("updated %+v", got)
		}
		_, err = svc.Update(ctx, t1.ID, ann, mine.ID, quickreply.Input{Body: ptr("{{customer.age}}")})
		wantErr(t, err, apperr.Invalid, "unknown_variable", "body")
		_, err = svc.Update(ctx, t1.ID, boss, bossOwn.ID, quickreply.Input{Scope: ptr(quickreply.ScopeTenant)})
		wantErr(t, err, apperr.Conflict, "duplicate", "shortcut")
		moved, err := svc.Update(ctx, t1.ID, boss, bossOwn.ID, quickreply.Input{Scope: ptr(quickreply.ScopeTeam), TeamID: ptr(support), Shortcut: ptr("boss-hello")})
		must(t, err)
		if moved.Scope != quickreply.ScopeTeam || moved.TeamID != support {
			t.Fatalf("moved %+v", moved)
		}
		seen, err := svc.Get(ctx, t1.ID, ann, bossOwn.ID)
		must(t, err)
		if seen.Shortcut != "boss-hello" || seen.CanEdit {
			t.Fatalf("ann sees the moved reply as %+v", seen)
		}
		_, err = svc.Update(ctx, t1.ID, boss, bossOwn.ID, quickreply.Input{TeamID: ptr(id.New())})
		wantErr(t, err, apperr.Invalid, "unknown_reference", "team_id")
		must(t, svc.Delete(ctx, t1.ID, boss, bossOwn.ID))
		_, err = svc.Get(ctx, t1.ID, boss, bossOwn.ID)
		wantNotFound(t, err)
		wantNotFound(t, svc.Delete(ctx, t1.ID, boss, bossOwn.ID))
		must(t, svc.Delete(ctx, t1.ID, ann, mine.ID))
		list, err := svc.List(ctx, t1.ID, ann, quickreply.Filter{})
		must(t, err)
		if want := []string{"tenant:hello", "team:warranty"}; !slices.Equal(shortcuts(list), want) {
			t.Fatalf("after the deletes ann sees %v, want %v", shortcuts(list), want)
		}
	})
}

// testQuickReplyLimit fills one person's quick replies to the limit, some
// of them at the same time.
func testQuickReplyLimit(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	tn := w.tenant(t, "qr-limit")
	svc := quickreply.New(w.db)
	ann := quickreply.Viewer{UserID: id.New()}
	var wg sync.WaitGroup
	errs := make(chan error, quickreply.MaxPerOwner)
	for g := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < quickreply.MaxPerOwner; i += 5 {
				_, err := svc.Create(ctx, tn.ID, ann, qrInput(quickreply.ScopePersonal, "", fmt.Sprintf("r%03d", i), "", "Reply number "+fmt.Sprint(i)))
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	_, err := svc.Create(ctx, tn.ID, ann, qrInput(quickreply.ScopePersonal, "", "one-more", "", "over the limit"))
	wantErr(t, err, apperr.Invalid, "too_many", "scope")
	all, err := svc.List(ctx, tn.ID, ann, quickreply.Filter{})
	must(t, err)
	if len(all) != quickreply.MaxPerOwner || all[0].Shortcut != "r000" || all[len(all)-1].Shortcut != "r499" {
		t.Fatalf("%d replies listed, from %s", len(all), all[0].Shortcut)
	}
	// Others still have room.
	_, err = svc.Create(ctx, tn.ID, quickreply.Viewer{UserID: id.New()}, qrInput(quickreply.ScopePersonal, "", "one-more", "", "another person's"))
	must(t, err)
}
