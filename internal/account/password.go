package account

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

// Password rules, after OWASP ASVS 4.0.3 level 2 (V2.1): at least 12
// characters, at most 128, no composition rules, common passwords refused.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// argon2id parameters recommended by OWASP: m = 19 MiB, t = 2, p = 1.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

//go:embed common-passwords.txt
var commonPasswordsText string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			m[strings.ToLower(l)] = true
		}
	}
	return m
}()

// CheckPassword applies the password rules. context is the account's e-mail
// and name: a password made of them is refused too.
func CheckPassword(pw string, context ...string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen {
		return apperr.Invalidf("password", "password_too_short", "min", MinPasswordLen)
	}
	if n > MaxPasswordLen {
		return apperr.Invalidf("password", "password_too_long", "max", MaxPasswordLen)
	}
	if !utf8.ValidString(pw) {
		return apperr.Invalidf("password", "password_common")
	}
	if isCommon(pw, context) {
		return apperr.Invalidf("password", "password_common")
	}
	return nil
}

// isCommon catches listed passwords, the same with digits or symbols around
// them, repeats of a short piece, keyboard or alphabet runs, and passwords
// made of the account's own e-mail or name.
func isCommon(pw string, context []string) bool {
	low := strings.ToLower(pw)
	if commonPasswords[low] {
		return true
	}
	core := strings.TrimFunc(low, func(r rune) bool { return !unicode.IsLetter(r) })
	if core != "" && commonPasswords[core] {
		return true
	}
	// a short piece repeated: "abcabcabcabc", "passwordpassword"
	for size := 1; size <= len(low)/2; size++ {
		if len(low)%size == 0 && strings.Repeat(low[:size], len(low)/size) == low {
			return true
		}
	}
	distinct := map[rune]bool{}
	for _, r := range low {
		distinct[r] = true
	}
	if len(distinct) < 4 {
		return true
	}
	if isRun(low) {
		return true
	}
	for _, c := range context {
		c = strings.ToLower(strings.TrimSpace(c))
		if local, _, ok := strings.Cut(c, "@"); ok {
			c = local
		}
		if len(c) >= 4 && strings.Contains(low, c) && len(low)-len(c) < 6 {
			return true
		}
	}
	return false
}

var runs = []string{
	"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
	"01234567890123456789012345678901234567890",
	"qwertyuiopasdfghjklzxcvbnmqwertyuiop",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
	"1q2w3e4r5t6y7u8i9o0p",
	"qazwsxedcrfvtgbyhnujmikolp",
}

// isRun reports a password that is a stretch of the alphabet, the digits or
// a keyboard row, forwards or backwards.
func isRun(low string) bool {
	rev := []rune(low)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	for _, r := range runs {
		if strings.Contains(r, low) || strings.Contains(r, string(rev)) {
			return true
		}
	}
	return false
}

// hashSlots bounds concurrent hashing: each one takes 19 MiB, and a login
// storm must not take the server's memory with it.
var hashSlots = make(chan struct{}, 4)

func withSlot(ctx context.Context, fn func()) error {
	select {
	case hashSlots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-hashSlots }()
	fn()
	return nil
}

// HashPassword returns the argon2id hash of pw in the PHC string format.
func HashPassword(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	var key []byte
	if err := withSlot(ctx, func() {
		key = argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	}); err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime,
		argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("account: malformed password hash")

// VerifyPassword reports whether pw matches a hash made by HashPassword
// (with whatever parameters were current when it was made).
func VerifyPassword(ctx context.Context, hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 10 || p == 0 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, errBadHash
	}
	var got []byte
	if err := withSlot(ctx, func() {
		got = argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	}); err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when an account does not exist, so that the
// answer takes as long as for a wrong password.
// It is made on first use, not at start, to keep start-up fast and small.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword(context.Background(), "switchboard-timing-equaliser")
	if err != nil {
		panic(err)
	}
	return h
})
