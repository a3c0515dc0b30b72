package storecontract

import (
	"reflect"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

func testUsers(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	t1, t2 := w.tenant(t, "one"), w.tenant(t, "two")

	ann, err := w.accounts.CreateUser(ctx, t1.ID, account.NewUser{Email: "  Ann.Lee@Example.COM ", Name: " Ann Lee ", Password: goodPassword, Locale: "zh"})
	must(t, err)
	t.Run("create normalises and defaults", func(t *testing.T) {
		if ann.Email != "ann.lee@example.com" || ann.Name != "Ann Lee" || ann.Role != account.RoleAgent || ann.Locale != "zh" {
			t.Fatalf("created %+v: want a lower-case e-mail, a trimmed name and the agent role", ann)
		}
		if !ann.CreatedAt.Equal(w.clock.Now()) || !ann.UpdatedAt.Equal(ann.CreatedAt) {
			t.Fatalf("timestamps %v / %v, want %v", ann.CreatedAt, ann.UpdatedAt, w.clock.Now())
		}
		got, err := w.accounts.GetUser(ctx, t1.ID, ann.ID)
		must(t, err)
		if !reflect.DeepEqual(got, ann) {
			t.Fatalf("GetUser = %+v\nwant       %+v", got, ann)
		}
		for _, email := range []string{"ann.lee@example.com", " ANN.LEE@example.com"} {
			got, err = w.accounts.UserByEmail(ctx, t1.ID, email)
			must(t, err)
			if got.ID != ann.ID {
				t.Fatalf("UserByEmail(%q) = %s", email, got.ID)
			}
		}
	})
	t.Run("duplicate e-mail in a tenant is a conflict", func(t *testing.T) {
		for _, email := range []string{"ann.lee@example.com", "ANN.LEE@EXAMPLE.COM"} {
			_, err := w.accounts.CreateUser(ctx, t1.ID, account.NewUser{Email: email, Name: "Other", Password: goodPassword})
			wantErr(t, err, apperr.Conflict, "duplicate", "email")
		}
	})
	t.Run("same e-mail in another tenant is another user", func(t *testing.T) {
		other, err := w.accounts.CreateUser(ctx, t2.ID, account.NewUser{Email: "Ann.Lee@example.com", Name: "Ann Two", Password: goodPassword})
		must(t, err)
		if other.ID == ann.ID || other.Email != ann.Email {
			t.Fatalf("second tenant's user %+v", other)
		}
		got, err := w.accounts.GetUser(ctx, t1.ID, ann.ID)
		must(t, err)
		if got.Name != "Ann Lee" {
			t.Fatalf("first tenant's user changed: %+v", got)
		}
	})
	t.Run("invalid input creates nothing", func(t *testing.T) {
		for _, tc := range []struct {
			name        string
			nu          account.NewUser
			field, code string
		}{
			{"bad email", account.NewUser{Email: "not-an-address", Name: "X", Password: goodPassword}, "email", "invalid_email"},
			{"no email", account.NewUser{Email: " ", Name: "X", Password: goodPassword}, "email", "required"},
			{"no name", account.NewUser{Email: "x1@example.com", Name: "  ", Password: goodPassword}, "name", "required"},
			{"bad role", account.NewUser{Email: "x2@example.com", Name: "X", Role: "root", Password: goodPassword}, "role", "invalid_role"},
			{"bad locale", account.NewUser{Email: "x3@example.com", Name: "X", Locale: "fr", Password: goodPassword}, "locale", "invalid_locale"},
			{"short password", account.NewUser{Email: "x4@example.com", Name: "X", Password: "short pw"}, "password", "password_too_short"},
			{"common password", account.NewUser{Email: "x5@example.com", Name: "X", Password: "password1234"}, "password", "password_common"},
			{"password is the address", account.NewUser{Email: "annabelle@example.com", Name: "X", Password: "annabelle2024!"}, "password", "password_common"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.accounts.CreateUser(ctx, t1.ID, tc.nu)
				wantErr(t, err, apperr.Invalid, tc.code, tc.field)
			})
		}
		list, _, err := w.accounts.ListUsers(ctx, t1.ID, store.Page{})
		must(t, err)
		if len(list) != 1 || list[0].ID != ann.ID {
			t.Fatalf("after refused creations the tenant has %d users", len(list))
		}
	})
	t.Run("update", func(t *testing.T) {
		w.clock.Advance(time.Hour)
		got, err := w.accounts.UpdateUser(ctx, t1.ID, ann.ID, account.UserPatch{Name: ptr("Ann Li"), Role: ptr(account.RoleSupervisor), Locale: ptr("en")})
		must(t, err)
		if got.Name != "Ann Li" || got.Role != account.RoleSupervisor || got.Locale != "en" || got.Email != ann.Email {
			t.Fatalf("UpdateUser = %+v", got)
		}
		if !got.UpdatedAt.Equal(w.clock.Now()) || !got.CreatedAt.Equal(ann.CreatedAt) {
			t.Fatalf("timestamps after update: created %v updated %v", got.CreatedAt, got.UpdatedAt)
		}
		stored, err := w.accounts.GetUser(ctx, t1.ID, ann.ID)
		must(t, err)
		if !reflect.DeepEqual(stored, got) {
			t.Fatalf("stored %+v\nreturned %+v", stored, got)
		}
		// nil fields stay as they are
		got, err = w.accounts.UpdateUser(ctx, t1.ID, ann.ID, account.UserPatch{Disabled: ptr(true)})
		must(t, err)
		if !got.Disabled || got.Name != "Ann Li" || got.Role != account.RoleSupervisor || got.Locale != "en" {
			t.Fatalf("partial update = %+v", got)
		}
		for _, tc := range []struct {
			name        string
			p           account.UserPatch
			field, code string
		}{
			{"bad role", account.UserPatch{Role: ptr(account.Role("owner"))}, "role", "invalid_role"},
			{"bad locale", account.UserPatch{Locale: ptr("xx")}, "locale", "invalid_locale"},
			{"empty name", account.UserPatch{Name: ptr(" ")}, "name", "required"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.accounts.UpdateUser(ctx, t1.ID, ann.ID, tc.p)
				wantErr(t, err, apperr.Invalid, tc.code, tc.field)
				after, err := w.accounts.GetUser(ctx, t1.ID, ann.ID)
				must(t, err)
				if !reflect.DeepEqual(after, got) {
					t.Fatalf("a refused update changed the user: %+v", after)
				}
			})
		}
		_, err = w.accounts.UpdateUser(ctx, t1.ID, id.New(), account.UserPatch{Name: ptr("x")})
		wantNotFound(t, err)
	})
	t.Run("any admin", func(t *testing.T) {
		any, err := w.accounts.AnyAdmin(ctx)
		must(t, err)
		if any {
			t.Fatal("AnyAdmin is true with agents and supervisors only")
		}
		w.user(t, t2.ID, "boss@example.com", account.RoleAdmin)
		any, err = w.accounts.AnyAdmin(ctx)
		must(t, err)
		if !any {
			t.Fatal("AnyAdmin is false after creating an administrator")
		}
	})
	t.Run("delete", func(t *testing.T) {
		u := w.user(t, t1.ID, "leaver@example.com", account.RoleAgent)
		must(t, w.accounts.DeleteUser(ctx, t1.ID, u.ID))
		_, err := w.accounts.GetUser(ctx, t1.ID, u.ID)
		wantNotFound(t, err)
		wantNotFound(t, w.accounts.DeleteUser(ctx, t1.ID, u.ID))
		// the address is free again
		w.user(t, t1.ID, "leaver@example.com", account.RoleAgent)
	})
}

func testUserPagination(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	t1, t2 := w.tenant(t, "one"), w.tenant(t, "two")
	var want []string
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com", "f@example.com", "g@example.com"} {
		want = append(want, w.user(t, t1.ID, email, account.RoleAgent).ID)
	}
	w.user(t, t2.ID, "a@example.com", account.RoleAgent)
	for _, limit := range []int{1, 2, 3, 6, 7, 8, store.MaxPageSize} {
		t.Run("limit "+strconv.Itoa(limit), func(t *testing.T) {
			got := walk(t, limit, func(p store.Page) ([]string, string, error) {
				us, next, err := w.accounts.ListUsers(ctx, t1.ID, p)
				ids := make([]string, len(us))
				for i, u := range us {
					ids[i] = u.ID
				}
				return ids, next, err
			})
			if !slices.Equal(got, want) {
				t.Fatalf("walked %v\nwant   %v (every user once, oldest first)", got, want)
			}
		})
	}
	t.Run("limit is clamped", func(t *testing.T) {
		us, next, err := w.accounts.ListUsers(ctx, t1.ID, store.Page{Limit: -5})
		must(t, err)
		if len(us) != len(want) || next != "" {
			t.Fatalf("default page: %d users, next %q", len(us), next)
		}
	})
}

func testLastAdmin(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	tn := w.tenant(t, "guarded")
	a1 := w.user(t, tn.ID, "first@example.com", account.RoleAdmin)
	agent := w.user(t, tn.ID, "agent@example.com", account.RoleAgent)

	refused := func(t *testing.T, u account.User) {
		t.Helper()
		_, err := w.accounts.UpdateUser(ctx, tn.ID, u.ID, account.UserPatch{Role: ptr(account.RoleAgent)})
		wantErr(t, err, apperr.Conflict, "last_admin", "role")
		_, err = w.accounts.UpdateUser(ctx, tn.ID, u.ID, account.UserPatch{Disabled: ptr(true)})
		wantErr(t, err, apperr.Conflict, "last_admin", "role")
		wantErr(t, w.accounts.DeleteUser(ctx, tn.ID, u.ID), apperr.Conflict, "last_admin", "role")
		got, err := w.accounts.GetUser(ctx, tn.ID, u.ID)
		must(t, err)
		if got.Role != account.RoleAdmin || got.Disabled {
			t.Fatalf("the last administrator was changed: %+v", got)
		}
	}

	t.Run("the only admin cannot be demoted, disabled or deleted", func(t *testing.T) {
		refused(t, a1)
		// changes that keep them an active admin are fine
		_, err := w.accounts.UpdateUser(ctx, tn.ID, a1.ID, account.UserPatch{Name: ptr("Still Admin"), Role: ptr(account.RoleAdmin), Disabled: ptr(false)})
		must(t, err)
		// other users are not guarded
		_, err = w.accounts.UpdateUser(ctx, tn.ID, agent.ID, account.UserPatch{Disabled: ptr(true)})
		must(t, err)
	})
	a2 := w.user(t, tn.ID, "second@example.com", account.RoleAdmin)
	t.Run("with a second admin the first can be demoted", func(t *testing.T) {
		got, err := w.accounts.UpdateUser(ctx, tn.ID, a1.ID, account.UserPatch{Role: ptr(account.RoleSupervisor)})
		must(t, err)
		if got.Role != account.RoleSupervisor {
			t.Fatalf("demoted to %s", got.Role)
		}
		refused(t, a2)
	})
	t.Run("a disabled admin does not count", func(t *testing.T) {
		a3 := w.user(t, tn.ID, "third@example.com", account.RoleAdmin)
		_, err := w.accounts.UpdateUser(ctx, tn.ID, a3.ID, account.UserPatch{Disabled: ptr(true)})
		must(t, err)
		refused(t, a2)
		// a disabled admin may be deleted
		must(t, w.accounts.DeleteUser(ctx, tn.ID, a3.ID))
	})
	t.Run("promoting then deleting", func(t *testing.T) {
		_, err := w.accounts.UpdateUser(ctx, tn.ID, a1.ID, account.UserPatch{Role: ptr(account.RoleAdmin)})
		must(t, err)
		must(t, w.accounts.DeleteUser(ctx, tn.ID, a2.ID))
		refused(t, a1)
	})
	t.Run("two admins demoted at once leave one", func(t *testing.T) {
		b := w.user(t, tn.ID, "fourth@example.com", account.RoleAdmin)
		admins := []string{a1.ID, b.ID}
		for round := 0; round < 10; round++ {
			for _, uid := range admins {
				_, err := w.accounts.UpdateUser(ctx, tn.ID, uid, account.UserPatch{Role: ptr(account.RoleAdmin), Disabled: ptr(false)})
				must(t, err)
			}
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, len(admins))
			for i, uid := range admins {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					if i == 0 {
						_, errs[i] = w.accounts.UpdateUser(ctx, tn.ID, uid, account.UserPatch{Role: ptr(account.RoleAgent)})
					} else {
						errs[i] = w.accounts.DeleteUser(ctx, tn.ID, uid)
					}
				}()
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else {
					wantErr(t, err, apperr.Conflict, "last_admin", "role")
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d of 2 concurrent demotions succeeded, want exactly 1", round, ok)
			}
			if errs[1] == nil { // b was deleted: make it again for the next round
				b = w.user(t, tn.ID, "fourth@example.com", account.RoleAdmin)
				admins[1] = b.ID
			}
		}
	})
}

func testPasswords(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	t1, t2 := w.tenant(t, "one"), w.tenant(t, "two")
	pat := w.user(t, t1.ID, "pat@example.com", account.RoleAgent)
	const newPW = "a brand new passphrase"

	matches := func(t *testing.T, email, pw string) []string {
		t.Helper()
		ms, err := w.accounts.Authenticate(ctx, email, pw)
		must(t, err)
		var tenants []string
		for _, m := range ms {
			tenants = append(tenants, m.TenantID)
		}
		sort.Strings(tenants)
		return tenants
	}

	t.Run("set password", func(t *testing.T) {
		must(t, w.accounts.SetPassword(ctx, t1.ID, pat.ID, newPW, true))
		u, err := w.accounts.GetUser(ctx, t1.ID, pat.ID)
		must(t, err)
		if !u.MustChangePassword {
			t.Fatal("mustChange was not stored")
		}
		if got := matches(t, "pat@example.com", goodPassword); len(got) != 0 {
			t.Fatal("the old password still works")
		}
		if got := matches(t, "pat@example.com", newPW); !slices.Equal(got, []string{t1.ID}) {
			t.Fatalf("the new password matches %v", got)
		}
		wantErr(t, w.accounts.SetPassword(ctx, t1.ID, pat.ID, "tiny", false), apperr.Invalid, "password_too_short", "password")
		wantErr(t, w.accounts.SetPassword(ctx, t1.ID, pat.ID, "abcabcabcabcabc", false), apperr.Invalid, "password_common", "password")
		wantNotFound(t, w.accounts.SetPassword(ctx, t1.ID, id.New(), newPW, false))
		if got := matches(t, "pat@example.com", newPW); len(got) != 1 {
			t.Fatal("a refused password replaced the old one")
		}
	})
	t.Run("change password", func(t *testing.T) {
		wantErr(t, w.accounts.ChangePassword(ctx, t1.ID, pat.ID, "wrong wrong wrong", "whatever new phrase"), apperr.Invalid, "wrong_password", "current_password")
		wantErr(t, w.accounts.ChangePassword(ctx, t1.ID, pat.ID, newPW, newPW), apperr.Invalid, "password_unchanged", "new_password")
		wantErr(t, w.accounts.ChangePassword(ctx, t1.ID, pat.ID, newPW, "short"), apperr.Invalid, "password_too_short", "new_password")
		wantNotFound(t, w.accounts.ChangePassword(ctx, t1.ID, id.New(), newPW, "whatever new phrase"))
		must(t, w.accounts.ChangePassword(ctx, t1.ID, pat.ID, newPW, goodPassword))
		u, err := w.accounts.GetUser(ctx, t1.ID, pat.ID)
		must(t, err)
		if u.MustChangePassword {
			t.Fatal("changing one's own password did not clear must_change_password")
		}
		if got := matches(t, "pat@example.com", goodPassword); !slices.Equal(got, []string{t1.ID}) {
			t.Fatalf("the changed password matches %v", got)
		}
	})
	t.Run("authenticate across tenants", func(t *testing.T) {
		pat2 := w.user(t, t2.ID, "PAT@example.com", account.RoleAgent)
		both := []string{t1.ID, t2.ID}
		sort.Strings(both)
		if got := matches(t, " Pat@Example.com ", goodPassword); !slices.Equal(got, both) {
			t.Fatalf("same address and password in two tenants matched %v, want %v", got, both)
		}
		must(t, w.accounts.SetPassword(ctx, t2.ID, pat2.ID, newPW, false))
		if got := matches(t, "pat@example.com", goodPassword); !slices.Equal(got, []string{t1.ID}) {
			t.Fatalf("first password matched %v", got)
		}
		if got := matches(t, "pat@example.com", newPW); !slices.Equal(got, []string{t2.ID}) {
			t.Fatalf("second password matched %v", got)
		}
		_, err := w.accounts.UpdateUser(ctx, t2.ID, pat2.ID, account.UserPatch{Disabled: ptr(true)})
		must(t, err)
		if got := matches(t, "pat@example.com", newPW); len(got) != 0 {
			t.Fatalf("a disabled user authenticated: %v", got)
		}
		if got := matches(t, "nobody@example.com", goodPassword); len(got) != 0 {
			t.Fatalf("an unknown address matched %v", got)
		}
	})
}

func testTeams(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	tn := w.tenant(t, "teams")
	zoe := w.user(t, tn.ID, "zoe@example.com", account.RoleAgent)
	adam := w.user(t, tn.ID, "adam@example.com", account.RoleAgent)

	sales, err := w.accounts.CreateTeam(ctx, tn.ID, " Sales ", "Sells things")
	must(t, err)
	if sales.Name != "Sales" || sales.Description != "Sells things" {
		t.Fatalf("created %+v", sales)
	}
	support, err := w.accounts.CreateTeam(ctx, tn.ID, "Support", "")
	must(t, err)

	t.Run("create and get", func(t *testing.T) {
		got, err := w.accounts.GetTeam(ctx, tn.ID, sales.ID)
		must(t, err)
		if got != sales {
			t.Fatalf("GetTeam = %+v, want %+v", got, sales)
		}
		_, err = w.accounts.GetTeam(ctx, tn.ID, id.New())
		wantNotFound(t, err)
	})
	t.Run("names are unique in a tenant", func(t *testing.T) {
		_, err := w.accounts.CreateTeam(ctx, tn.ID, "Sales", "again")
		wantErr(t, err, apperr.Conflict, "duplicate", "name")
		_, err = w.accounts.UpdateTeam(ctx, tn.ID, support.ID, account.TeamPatch{Name: ptr("Sales")})
		wantErr(t, err, apperr.Conflict, "duplicate", "name")
		got, err := w.accounts.GetTeam(ctx, tn.ID, support.ID)
		must(t, err)
		if got.Name != "Support" {
			t.Fatalf("a refused rename was stored: %+v", got)
		}
		other := w.tenant(t, "other-teams")
		_, err = w.accounts.CreateTeam(ctx, other.ID, "Sales", "")
		must(t, err)
	})
	t.Run("invalid input", func(t *testing.T) {
		_, err := w.accounts.CreateTeam(ctx, tn.ID, "", "")
		wantErr(t, err, apperr.Invalid, "required", "name")
		_, err = w.accounts.CreateTeam(ctx, tn.ID, "Bell\x07", "")
		wantErr(t, err, apperr.Invalid, "control_chars", "name")
	})
	t.Run("update", func(t *testing.T) {
		got, err := w.accounts.UpdateTeam(ctx, tn.ID, support.ID, account.TeamPatch{Description: ptr("Helps customers")})
		must(t, err)
		if got.Name != "Support" || got.Description != "Helps customers" {
			t.Fatalf("UpdateTeam = %+v", got)
		}
		stored, err := w.accounts.GetTeam(ctx, tn.ID, support.ID)
		must(t, err)
		if !reflect.DeepEqual(stored, got) {
			t.Fatalf("stored %+v, returned %+v", stored, got)
		}
		_, err = w.accounts.UpdateTeam(ctx, tn.ID, id.New(), account.TeamPatch{Name: ptr("x")})
		wantNotFound(t, err)
	})
	t.Run("list", func(t *testing.T) {
		got := walk(t, 1, func(p store.Page) ([]string, string, error) {
			ts, next, err := w.accounts.ListTeams(ctx, tn.ID, p)
			ids := make([]string, len(ts))
			for i, x := range ts {
				ids[i] = x.ID
			}
			return ids, next, err
		})
		if !slices.Equal(got, []string{sales.ID, support.ID}) {
			t.Fatalf("ListTeams walked %v", got)
		}
	})
	memberEmails := func(t *testing.T, teamID string) []string {
		t.Helper()
		us, err := w.accounts.Members(ctx, tn.ID, teamID)
		must(t, err)
		var out []string
		for _, u := range us {
			out = append(out, u.Email)
		}
		return out
	}
	t.Run("members", func(t *testing.T) {
		must(t, w.accounts.AddMember(ctx, tn.ID, sales.ID, zoe.ID))
		must(t, w.accounts.AddMember(ctx, tn.ID, sales.ID, zoe.ID)) // twice is harmless
		must(t, w.accounts.AddMember(ctx, tn.ID, sales.ID, adam.ID))
		must(t, w.accounts.AddMember(ctx, tn.ID, support.ID, zoe.ID))
		// sorted by name
		if got := memberEmails(t, sales.ID); !slices.Equal(got, []string{"adam@example.com", "zoe@example.com"}) {
			t.Fatalf("Members = %v", got)
		}
		teams, err := w.accounts.UserTeams(ctx, tn.ID, zoe.ID)
		must(t, err)
		sameSet(t, "zoe's teams", teams, []string{sales.ID, support.ID})

		wantNotFound(t, w.accounts.AddMember(ctx, tn.ID, sales.ID, id.New()))
		wantNotFound(t, w.accounts.AddMember(ctx, tn.ID, id.New(), zoe.ID))
		_, err = w.accounts.Members(ctx, tn.ID, id.New())
		wantNotFound(t, err)

		must(t, w.accounts.RemoveMember(ctx, tn.ID, sales.ID, adam.ID))
		if got := memberEmails(t, sales.ID); !slices.Equal(got, []string{"zoe@example.com"}) {
			t.Fatalf("after removing adam: %v", got)
		}
		wantNotFound(t, w.accounts.RemoveMember(ctx, tn.ID, sales.ID, adam.ID))
	})
	t.Run("deleting a user removes their memberships", func(t *testing.T) {
		temp := w.user(t, tn.ID, "temp@example.com", account.RoleAgent)
		must(t, w.accounts.AddMember(ctx, tn.ID, support.ID, temp.ID))
		must(t, w.accounts.DeleteUser(ctx, tn.ID, temp.ID))
		if got := memberEmails(t, support.ID); !slices.Equal(got, []string{"zoe@example.com"}) {
			t.Fatalf("support members after deleting a user: %v", got)
		}
	})
	t.Run("deleting a team keeps its users", func(t *testing.T) {
		must(t, w.accounts.DeleteTeam(ctx, tn.ID, sales.ID))
		_, err := w.accounts.GetTeam(ctx, tn.ID, sales.ID)
		wantNotFound(t, err)
		wantNotFound(t, w.accounts.DeleteTeam(ctx, tn.ID, sales.ID))
		if _, err := w.accounts.GetUser(ctx, tn.ID, zoe.ID); err != nil {
			t.Fatalf("a member of a deleted team is gone: %v", err)
		}
		teams, err := w.accounts.UserTeams(ctx, tn.ID, zoe.ID)
		must(t, err)
		if !slices.Equal(teams, []string{support.ID}) {
			t.Fatalf("zoe's teams after deleting sales: %v", teams)
		}
		// the name is free again
		_, err = w.accounts.CreateTeam(ctx, tn.ID, "Sales", "")
		must(t, err)
	})
}
