package storecontract

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/workspace"
)

// failingCloser is a conversation service whose close fails, as a lost
// database connection would make it.
type failingCloser struct{ *conversation.Service }

func (failingCloser) Close(context.Context, string, string) (conversation.Conversation, error) {
	return conversation.Conversation{}, errors.New("connection reset")
}

// TestWorkspaceContract runs the workspace settings and close summaries on
// every engine: defaults until saved, every refusal naming its field and
// changing nothing, a summary checked against the settings before the
// close, stored (and replaced) after it, nothing stored when the close
// fails, and one tenant never seeing another's settings or summaries.
func TestWorkspaceContract(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			testWorkspace(t, e)
		})
	}
}

func testWorkspace(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	ws := workspace.New(w.db)
	ws.SetClock(w.clock.Now)
	tn := w.tenant(t, "workspace")
	other := w.tenant(t, "workspace-other")
	agent := w.user(t, tn.ID, "agent@example.com", account.RoleAgent)

	// Never saved: the defaults.
	st, err := ws.Settings(ctx, tn.ID)
	must(t, err)
	if len(st.SummaryCategories) != 0 || st.SummaryCategories == nil || st.SummaryRequired || st.ResponseTargetSeconds != 120 {
		t.Fatalf("default settings: %+v", st)
	}

	many := make([]string, 51)
	for i := range many {
		many[i] = "Category " + string(rune('A'+i%26)) + strings.Repeat("x", i/26)
	}
	bad := []struct {
		st          workspace.Settings
		code, field string
	}{
		{workspace.Settings{SummaryCategories: many, ResponseTargetSeconds: 120}, "too_many", "summary_categories"},
		{workspace.Settings{SummaryCategories: []string{"Shipping", "  "}, ResponseTargetSeconds: 120}, "required", "summary_categories[1]"},
		{workspace.Settings{SummaryCategories: []string{strings.Repeat("长", 61)}, ResponseTargetSeconds: 120}, "too_long", "summary_categories[0]"},
		{workspace.Settings{SummaryCategories: []string{"Shipping", "Returns", "Payment", "returns"}, ResponseTargetSeconds: 120}, "repeated_value", "summary_categories[3]"},
		{workspace.Settings{SummaryCategories: []string{"Ship\x00ping"}, ResponseTargetSeconds: 120}, "control_chars", "summary_categories[0]"},
		{workspace.Settings{ResponseTargetSeconds: 9}, "out_of_range", "response_target_seconds"},
		{workspace.Settings{ResponseTargetSeconds: 86401}, "out_of_range", "response_target_seconds"},
	}
	for _, b := range bad {
		_, err := ws.PutSettings(ctx, tn.ID, b.st)
		wantErr(t, err, apperr.Invalid, b.code, b.field)
	}
	if st, _ := ws.Settings(ctx, tn.ID); st.ResponseTargetSeconds != 120 || len(st.SummaryCategories) != 0 {
		t.Fatalf("a refused change was stored: %+v", st)
	}

	// 60 characters (not bytes) is allowed; names are trimmed.
	long := strings.Repeat("长", 60)
	saved, err := ws.PutSettings(ctx, tn.ID, workspace.Settings{SummaryCategories: []string{" Shipping ", "Returns", long},
		SummaryRequired: true, ResponseTargetSeconds: 10})
	must(t, err)
	st, err = ws.Settings(ctx, tn.ID)
	must(t, err)
	if !slices.Equal(st.SummaryCategories, []string{"Shipping", "Returns", long}) || !st.SummaryRequired || st.ResponseTargetSeconds != 10 ||
		!slices.Equal(saved.SummaryCategories, st.SummaryCategories) {
		t.Fatalf("saved %+v, read back %+v", saved, st)
	}
	if st, _ := ws.Settings(ctx, other.ID); st.SummaryRequired || len(st.SummaryCategories) != 0 {
		t.Fatalf("another tenant sees these settings: %+v", st)
	}

	alice := w.contact(t, tn.ID, contact.Input{Name: ptr("Alice")})
	conv := w.conversation(t, tn.ID, conversation.NewConversation{ContactID: alice.ID,
		Message: &conversation.NewMessage{SenderType: conversation.SenderContact, Body: "where is my parcel?"}})
	stillOpen := func(what string) {
		t.Helper()
		c, err := w.convs.Get(ctx, tn.ID, conv.ID)
		must(t, err)
		if c.Status != conversation.StatusOpen {
			t.Fatalf("%s: the conversation is %s", what, c.Status)
		}
		_, err = ws.Summary(ctx, tn.ID, conv.ID)
		wantNotFound(t, err)
	}

	// Refused before anything changes.
	_, err = ws.Close(ctx, w.convs, tn.ID, conv.ID, agent.ID, workspace.SummaryInput{})
	wantErr(t, err, apperr.Invalid, "summary_required", "category")
	stillOpen("no summary")
	_, err = ws.Close(ctx, w.convs, tn.ID, conv.ID, agent.ID, workspace.SummaryInput{Note: "sent the parcel again"})
	wantErr(t, err, apperr.Invalid, "summary_required", "category")
	stillOpen("a note without a category")
	_, err = ws.Close(ctx, w.convs, tn.ID, conv.ID, agent.ID, workspace.SummaryInput{Category: "Billing"})
	wantErr(t, err, apperr.Invalid, "unknown_category", "category")
	stillOpen("an unknown category")
	_, err = ws.Close(ctx, w.convs, tn.ID, conv.ID, agent.ID, workspace.SummaryInput{Category: "Shipping", Note: strings.Repeat("n", 2001)})
	wantErr(t, err, apperr.Invalid, "too_long", "note")
	stillOpen("a note over 2000 characters")
	// A close that fails stores nothing.
	_, err = ws.Close(ctx, failingCloser{w.convs}, tn.ID, conv.ID, agent.ID, workspace.SummaryInput{Category: "Shipping", Note: "resent"})
	if err == nil {
		t.Fatal("a failed close reported success")
	}
	stillOpen("a failed close")
	// Another tenant's id names nothing.
	_, err = ws.Close(ctx, w.convs, other.ID, conv.ID, "", workspace.SummaryInput{})
	wantNotFound(t, err)
	stillOpen("another tenant's close")

	// A category matched regardless of case is stored as the list spells it.
	closed, err := ws.Close(ctx, w.convs, tn.ID, conv.ID, agent.ID, workspace.SummaryInput{Category: "shipping", Note: "  Sent the parcel again.\n "})
	must(t, err)
	if closed.Status != conversation.StatusClosed {
		t.Fatalf("closed with a summary: status %s", closed.Status)
	}
	sum, err := ws.Summary(ctx, tn.ID, conv.ID)
	must(t, err)
	if sum.ConversationID != conv.ID || sum.Category != "Shipping" || sum.Note != "Sent the parcel again." || sum.AgentID != agent.ID ||
		!sum.CreatedAt.Equal(w.clock.Now()) || !sum.UpdatedAt.Equal(sum.CreatedAt) {
		t.Fatalf("summary %+v", sum)
	}
	_, err = ws.Summary(ctx, other.ID, conv.ID)
	wantNotFound(t, err)

	// Closing a closed conversation without a summary changes nothing, even
	// though summaries are required; with one, it replaces the summary.
	again, err := ws.Close(ctx, w.convs, tn.ID, conv.ID, "", workspace.SummaryInput{})
	must(t, err)
	if again.Status != conversation.StatusClosed || !again.UpdatedAt.Equal(closed.UpdatedAt) {
		t.Fatalf("an empty close of a closed conversation changed it: %+v", again)
	}
	w.clock.Advance(time.Minute)
	_, err = ws.Close(ctx, w.convs, tn.ID, conv.ID, "", workspace.SummaryInput{Category: long, Note: ""})
	must(t, err)
	sum2, err := ws.Summary(ctx, tn.ID, conv.ID)
	must(t, err)
	if sum2.Category != long || sum2.Note != "" || sum2.AgentID != "" || !sum2.CreatedAt.Equal(sum.CreatedAt) ||
		!sum2.UpdatedAt.Equal(sum.CreatedAt.Add(time.Minute)) {
		t.Fatalf("replaced summary %+v (first %+v)", sum2, sum)
	}

	// Optional summaries: an empty close closes and stores nothing.
	_, err = ws.PutSettings(ctx, tn.ID, workspace.Settings{SummaryCategories: []string{"Shipping"}, ResponseTargetSeconds: 120})
	must(t, err)
	bob := w.contact(t, tn.ID, contact.Input{Name: ptr("Bob")})
	conv2 := w.conversation(t, tn.ID, conversation.NewConversation{ContactID: bob.ID})
	c2, err := ws.Close(ctx, w.convs, tn.ID, conv2.ID, agent.ID, workspace.SummaryInput{Category: "  ", Note: " "})
	must(t, err)
	if c2.Status != conversation.StatusClosed {
		t.Fatalf("optional summary: status %s", c2.Status)
	}
	_, err = ws.Summary(ctx, tn.ID, conv2.ID)
	wantNotFound(t, err)

	// Required without categories: the note is what is required.
	_, err = ws.PutSettings(ctx, tn.ID, workspace.Settings{SummaryRequired: true, ResponseTargetSeconds: 120})
	must(t, err)
	carol := w.contact(t, tn.ID, contact.Input{Name: ptr("Carol")})
	conv3 := w.conversation(t, tn.ID, conversation.NewConversation{ContactID: carol.ID})
	_, err = ws.Close(ctx, w.convs, tn.ID, conv3.ID, agent.ID, workspace.SummaryInput{})
	wantErr(t, err, apperr.Invalid, "summary_required", "note")
	_, err = ws.Close(ctx, w.convs, tn.ID, conv3.ID, agent.ID, workspace.SummaryInput{Note: "Explained the invoice."})
	must(t, err)
	sum3, err := ws.Summary(ctx, tn.ID, conv3.ID)
	must(t, err)
	if sum3.Category != "" || sum3.Note != "Explained the invoice." {
		t.Fatalf("note-only summary %+v", sum3)
	}

	// Deleting the contact deletes its conversations and their summaries.
	must(t, w.contacts.Delete(ctx, tn.ID, carol.ID))
	_, err = ws.Summary(ctx, tn.ID, conv3.ID)
	wantNotFound(t, err)
}
