package apitest

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// TestLoginThrottling guesses an administrator's password until the server
// locks the account, and checks what the locked-out person is told.
func TestLoginThrottling(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		admin := s.Admin(t)
		const colleaguePW = "colleague passphrase 77"
		must[*client.User](t, "create a colleague")(admin.CreateUser(ctx, client.UserCreate{
			Email: "colleague@example.com", Name: "Colleague", Role: client.RoleAgent, Password: colleaguePW, MustChangePassword: ptr(false)}))

		guesser := s.Client(client.WithAcceptLanguage("en"))
		var locked *client.Error
		failures := 0
		for i := 0; i < 20 && locked == nil; i++ {
			_, err := guesser.Login(ctx, client.LoginRequest{Email: s.AdminEmail, Password: "guess number " + strconv.Itoa(i)})
			e, _ := client.AsError(err)
			switch {
			case e != nil && e.Status == http.StatusUnauthorized && e.Code == "bad_credentials":
				failures++
			case e != nil && e.Status == http.StatusTooManyRequests:
				locked = e
			default:
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		if locked == nil {
			t.Fatalf("20 wrong passwords in a row were never throttled")
		}
		if failures < 3 {
			t.Errorf("locked after only %d typos", failures)
		}
		secs := checkLocked(t, "locked", locked)
		if strings.Contains(locked.Message, "{") || hasHan(locked.Message) {
			t.Errorf("English message %q", locked.Message)
		}

		// While locked, even the right password is refused, in the reader's language.
		_, err := guesser.Login(ctx, client.LoginRequest{Email: s.AdminEmail, Password: s.AdminPassword})
		checkLocked(t, "right password while locked", err)
		_, err = s.Client(client.WithAcceptLanguage("zh-CN")).Login(ctx, client.LoginRequest{Email: s.AdminEmail, Password: s.AdminPassword})
		zh := checkLocked(t, "right password while locked, in Chinese", err)
		if zh > secs {
			t.Errorf("the wait grew from %d to %d s without another failure", secs, zh)
		}
		if e, _ := client.AsError(err); !hasHan(e.Message) {
			t.Errorf("zh-CN message %q has no Chinese", e.Message)
		}

		// The lock is the account's: a colleague on the same network signs in.
		if _, err := s.Client().Login(ctx, client.LoginRequest{Email: "colleague@example.com", Password: colleaguePW}); err != nil {
			t.Fatalf("a colleague is locked out too: %v", err)
		}

		// Once the wait is over, the right password works and the count starts again.
		s.Clock.Advance(time.Duration(secs)*time.Second + time.Second)
		if _, err := guesser.Login(ctx, client.LoginRequest{Email: s.AdminEmail, Password: s.AdminPassword}); err != nil {
			t.Fatalf("after waiting %d s: %v", secs, err)
		}
		_, err = guesser.Login(ctx, client.LoginRequest{Email: s.AdminEmail, Password: "one more typo"})
		wantError(t, "a typo after a good login", err, http.StatusUnauthorized, "bad_credentials")
	})
}

// checkLocked requires a 429 too_many_attempts whose Retry-After and message
// agree on the seconds to wait, and returns them.
func checkLocked(t *testing.T, what string, err error) int {
	t.Helper()
	e := wantError(t, what, err, http.StatusTooManyRequests, "too_many_attempts")
	secs := int(e.RetryAfter / time.Second)
	if secs <= 0 {
		t.Fatalf("%s: no Retry-After header", what)
	}
	if !strings.Contains(e.Message, strconv.Itoa(secs)) {
		t.Errorf("%s: message %q does not say to wait %d s", what, e.Message, secs)
	}
	return secs
}
