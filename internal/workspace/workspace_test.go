package workspace

import (
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

func wantInvalid(t *testing.T, err error, code, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid || e.Code != code || e.Field != field {
		t.Fatalf("got %v, want a 422 %s on %q", err, code, field)
	}
}

// A summary is checked against the settings: categories match regardless
// of case and are kept as the list spells them; what is required depends
// on whether the tenant has categories.
func TestCheckSummary(t *testing.T) {
	st := Settings{SummaryCategories: []string{"物流 Shipping", "Returns"}, ResponseTargetSeconds: 120}
	got, err := CheckSummary(st, SummaryInput{Category: " returns ", Note: "  Refunded.\n"})
	if err != nil || got.Category != "Returns" || got.Note != "Refunded." {
		t.Fatalf("CheckSummary = %+v, %v", got, err)
	}
	if got, err := CheckSummary(st, SummaryInput{}); err != nil || !got.Empty() {
		t.Fatalf("an optional empty summary: %+v, %v", got, err)
	}
	_, err = CheckSummary(st, SummaryInput{Category: "Billing"})
	wantInvalid(t, err, "unknown_category", "category")
	_, err = CheckSummary(st, SummaryInput{Category: "Returns", Note: strings.Repeat("说", MaxNoteLen+1)})
	wantInvalid(t, err, "too_long", "note")
	if _, err := CheckSummary(st, SummaryInput{Category: "Returns", Note: strings.Repeat("说", MaxNoteLen)}); err != nil {
		t.Fatalf("a note of %d characters: %v", MaxNoteLen, err)
	}
	_, err = CheckSummary(st, SummaryInput{Category: "Returns", Note: "bell\a"})
	wantInvalid(t, err, "control_chars", "note")

	st.SummaryRequired = true
	_, err = CheckSummary(st, SummaryInput{Note: "a note is not enough"})
	wantInvalid(t, err, "summary_required", "category")
	st.SummaryCategories = nil
	_, err = CheckSummary(st, SummaryInput{})
	wantInvalid(t, err, "summary_required", "note")
	_, err = CheckSummary(st, SummaryInput{Category: "Returns", Note: "x"})
	wantInvalid(t, err, "unknown_category", "category")
	if _, err := CheckSummary(st, SummaryInput{Note: "Explained the invoice."}); err != nil {
		t.Fatalf("a note when there are no categories: %v", err)
	}
}
