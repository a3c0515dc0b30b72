// Package validate checks the common shapes of user input (e-mail
// addresses, names, free text, phone numbers) and returns errors that name
// the field at fault.
package validate

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

// Email checks an address and returns its canonical (trimmed, lower-case) form.
func Email(field, email string) (string, error) {
	// Checked in its canonical form: lower-casing can lengthen an address
	// ("Ⱥ" is 2 bytes, "ⱥ" 3), and the stored form must pass these checks.
	e := strings.ToLower(strings.TrimSpace(email))
	if e == "" {
		return "", apperr.Invalidf(field, "required")
	}
	if len(e) > 254 {
		return "", apperr.Invalidf(field, "invalid_email")
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e {
		return "", apperr.Invalidf(field, "invalid_email")
	}
	domain := e[strings.LastIndexByte(e, '@')+1:]
	if !strings.Contains(domain, ".") && domain != "localhost" {
		return "", apperr.Invalidf(field, "invalid_email")
	}
	return e, nil
}

// Name checks a one-line name: trimmed, no control characters, at most max
// characters, and present when required.
func Name(field, name string, required bool, max int) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		if required {
			return "", apperr.Invalidf(field, "required")
		}
		return "", nil
	}
	if !utf8.ValidString(name) {
		return "", apperr.Invalidf(field, "invalid_utf8")
	}
	if utf8.RuneCountInString(name) > max {
		return "", apperr.Invalidf(field, "too_long", "max", max)
	}
	if strings.ContainsFunc(name, unicode.IsControl) {
		return "", apperr.Invalidf(field, "control_chars")
	}
	return name, nil
}

// Text checks free text (which may span lines) for validity and length.
func Text(field, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", apperr.Invalidf(field, "invalid_utf8")
	}
	if utf8.RuneCountInString(s) > max {
		return "", apperr.Invalidf(field, "too_long", "max", max)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) {
		return "", apperr.Invalidf(field, "control_chars")
	}
	return s, nil
}

// Phone checks a phone number and returns it with only digits and a leading +.
func Phone(field, phone string) (string, error) {
	p := strings.TrimSpace(phone)
	var b strings.Builder
	digits := 0
	for i, r := range p {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			digits++
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", apperr.Invalidf(field, "invalid_phone")
		}
	}
	if digits < 5 || digits > 20 {
		return "", apperr.Invalidf(field, "invalid_phone")
	}
	return b.String(), nil
}
