package storecontract

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/csat"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// TestCSATContract runs the satisfaction ratings' storage on every engine.
func TestCSATContract(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			testCSAT(t, e)
		})
	}
}

// offsetClock is the real time moved by an offset (the conversation
// service closes conversations at the real time).
type offsetClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *offsetClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// testCSAT checks what people rely on: only closed conversations are
// rated, within a day, once each (a new rating replaces the old); the
// rating keeps who served the conversation when it was rated; lists page
// newest first and filter; summaries count and average; tenants never
// see each other's ratings.
func testCSAT(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	clk := &offsetClock{}
	svc := csat.New(w.db)
	svc.SetClock(clk.Now)
	channels := channel.New(w.db)

	tn := w.tenant(t, "rated")
	other := w.tenant(t, "other")
	ann := w.user(t, tn.ID, "ann@example.com", account.RoleAgent)
	bo := w.user(t, tn.ID, "bo@example.com", account.RoleAgent)
	team, err := w.accounts.CreateTeam(ctx, tn.ID, "VIP 贵宾", "")
	must(t, err)
	ch, err := channels.Create(ctx, tn.ID, "Shop", channel.DefaultSettings())
	must(t, err)

	open := func(tenantID, assignee, teamID, channelID string) conversation.Conversation {
		t.Helper()
		ct := w.contact(t, tenantID, contact.Input{Name: ptr("Customer " + fmt.Sprint(time.Now().UnixNano()))})
		return w.conversation(t, tenantID, conversation.NewConversation{ContactID: ct.ID, ChannelID: channelID,
			AssigneeID: assignee, TeamID: teamID, Message: &conversation.NewMessage{Body: "hello", SenderType: conversation.SenderContact}})
	}
	closeConv := func(tenantID, id string) {
		t.Helper()
		_, err := w.convs.Close(ctx, tenantID, id)
		must(t, err)
	}

	// Only a closed conversation can be rated.
	c1 := open(tn.ID, ann.ID, team.ID, ch.ID)
	_, err = svc.Rate(ctx, tn.ID, c1.ID, 4, "")
	wantErr(t, err, apperr.Conflict, "not_closed", "conversation_id")
	closeConv(tn.ID, c1.ID)
	for _, bad := range []struct {
		score          int
		comment, field string
		code           string
	}{
		{0, "", "score", "out_of_range"}, {6, "", "score", "out_of_range"}, {-1, "", "score", "out_of_range"},
		{3, "bad\x01byte", "comment", "control_chars"},
		{3, fmt.Sprintf("%01001d", 0), "comment", "too_long"},
		{3, "\xff", "comment", "invalid_utf8"},
	} {
		_, err := svc.Rate(ctx, tn.ID, c1.ID, bad.score, bad.comment)
		wantErr(t, err, apperr.Invalid, bad.code, bad.field)
	}
	_, err = svc.Rate(ctx, tn.ID, "0190f1e2-0000-7000-8000-000000000000", 3, "")
	wantNotFound(t, err)
	_, err = svc.ForConversation(ctx, tn.ID, c1.ID)
	wantNotFound(t, err)

	r, err := svc.Rate(ctx, tn.ID, c1.ID, 4, " 很好 ")
	must(t, err)
	if r.Score != 4 || r.Comment != "很好" || r.AgentID != ann.ID || r.AgentName != ann.Name || r.TeamID != team.ID ||
		r.TeamName != "VIP 贵宾" || r.ChannelID != ch.ID || r.ChannelName != "Shop" || r.ContactID != c1.ContactID {
		t.Fatalf("rating: %+v", r)
	}
	first := r.CreatedAt

	// Rating again replaces the rating; it records who has the conversation now.
	_, err = w.convs.Assign(ctx, tn.ID, c1.ID, bo.ID, "")
	must(t, err)
	clk.Advance(time.Hour)
	r, err = svc.Rate(ctx, tn.ID, c1.ID, 2, "")
	must(t, err)
	if r.Score != 2 || r.Comment != "" || r.AgentID != bo.ID || r.TeamID != "" || !r.CreatedAt.Equal(first) || !r.UpdatedAt.After(first) {
		t.Fatalf("replaced rating: %+v (first rated %v)", r, first)
	}
	got, err := svc.ForConversation(ctx, tn.ID, c1.ID)
	must(t, err)
	if got != r {
		t.Fatalf("stored rating %+v, returned %+v", got, r)
	}
	st, err := svc.StateOf(ctx, tn.ID, c1.ID)
	must(t, err)
	if !st.Rated || st.Score != 2 || !st.Open || st.OpenUntil.IsZero() {
		t.Fatalf("state within the day: %+v", st)
	}

	// A day after the close the window has shut; the rating stays.
	clk.Advance(23*time.Hour + time.Second)
	_, err = svc.Rate(ctx, tn.ID, c1.ID, 5, "")
	wantErr(t, err, apperr.Conflict, "rating_closed", "conversation_id")
	if st, err = svc.StateOf(ctx, tn.ID, c1.ID); err != nil || st.Open || st.Score != 2 {
		t.Fatalf("state after the day: %+v %v", st, err)
	}
	// Reopened and closed again, it may be rated again.
	_, err = w.convs.Reopen(ctx, tn.ID, c1.ID)
	must(t, err)
	if st, err = svc.StateOf(ctx, tn.ID, c1.ID); err != nil || st.Open {
		t.Fatalf("state of a reopened conversation: %+v %v", st, err)
	}
	_, err = svc.Rate(ctx, tn.ID, c1.ID, 5, "")
	wantErr(t, err, apperr.Conflict, "not_closed", "conversation_id")
	clk.Advance(-24 * time.Hour) // back to real time: the close below is now
	closeConv(tn.ID, c1.ID)
	if _, err = svc.Rate(ctx, tn.ID, c1.ID, 3, "second time"); err != nil {
		t.Fatal(err)
	}

	// Many visitors' tabs rating at once: one rating stays, no error.
	c2 := open(tn.ID, ann.ID, "", "")
	closeConv(tn.ID, c2.ID)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := svc.Rate(ctx, tn.ID, c2.ID, 1+i%5, "tab"); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent rating: %v", err)
	}

	// More ratings, one a second, for the lists: Ann 5 × 5 stars, Bo 2 × 1 star.
	want := []string{}
	for i := range 7 {
		agent := ann.ID
		score := 5
		if i >= 5 {
			agent, score = bo.ID, 1
		}
		c := open(tn.ID, agent, team.ID, ch.ID)
		closeConv(tn.ID, c.ID)
		clk.Advance(time.Second)
		_, err := svc.Rate(ctx, tn.ID, c.ID, score, fmt.Sprint("rating ", i))
		must(t, err)
		want = append(want, c.ID)
	}
	slices.Reverse(want) // newest first
	want = append(want, c2.ID, c1.ID)

	// Tenant B's ratings never show in A.
	cb := open(other.ID, "", "", "")
	closeConv(other.ID, cb.ID)
	_, err = svc.Rate(ctx, other.ID, cb.ID, 1, "B's")
	must(t, err)
	_, err = svc.ForConversation(ctx, tn.ID, cb.ID)
	wantNotFound(t, err)
	_, err = svc.Rate(ctx, tn.ID, cb.ID, 5, "")
	wantNotFound(t, err)

	list := func(f csat.Filter) func(p store.Page) ([]string, string, error) {
		return func(p store.Page) ([]string, string, error) {
			rs, next, err := svc.List(ctx, tn.ID, f, p)
			ids := []string{}
			for _, r := range rs {
				ids = append(ids, r.ConversationID)
			}
			return ids, next, err
		}
	}
	if all := walk(t, 3, list(csat.Filter{})); !slices.Equal(all, want) {
		t.Fatalf("newest first: %v\nwant %v", all, want)
	}
	sameSet(t, "Bo's", walk(t, 1, list(csat.Filter{AgentID: bo.ID})), []string{want[0], want[1], c1.ID})
	if n := len(walk(t, 50, list(csat.Filter{TeamID: team.ID}))); n != 7 {
		t.Errorf("the team's ratings: %d, want 7", n)
	}
	if n := len(walk(t, 50, list(csat.Filter{ChannelID: ch.ID}))); n != 8 {
		t.Errorf("the channel's ratings: %d, want 8", n)
	}
	newest, err := svc.ForConversation(ctx, tn.ID, want[0])
	must(t, err)
	if ids := walk(t, 50, list(csat.Filter{From: newest.CreatedAt})); !slices.Equal(ids, want[:1]) {
		t.Errorf("from the newest rating on: %v", ids)
	}
	if ids := walk(t, 50, list(csat.Filter{To: newest.CreatedAt.Add(time.Millisecond)})); len(ids) != len(want) {
		t.Errorf("up to the newest rating: %d, want %d", len(ids), len(want))
	}
	_, _, err = svc.List(ctx, tn.ID, csat.Filter{From: newest.CreatedAt, To: newest.CreatedAt}, store.Page{})
	wantErr(t, err, apperr.Invalid, "csat_bad_range", "to")
	_, _, err = svc.List(ctx, tn.ID, csat.Filter{}, store.Page{After: "nonsense"})
	wantErr(t, err, apperr.BadRequest, "bad_cursor", "cursor")

	// Summaries.
	sum, err := svc.Summarize(ctx, tn.ID, csat.GroupAgent, csat.Filter{})
	must(t, err)
	if sum.Total.Count != 9 || len(sum.Items) != 2 {
		t.Fatalf("summary: %+v", sum)
	}
	for _, g := range sum.Items {
		switch g.Key {
		case ann.ID:
			// five 5s, and c2's (one of 1–5); c1 went to Bo before its last rating
			if g.Name != ann.Name || g.Count != 6 || g.Distribution[4] < 5 {
				t.Errorf("Ann: %+v", g)
			}
		case bo.ID:
			if g.Count != 3 || g.Distribution != [5]int{2, 0, 1, 0, 0} || g.Average != 1.67 {
				t.Errorf("Bo: %+v", g)
			}
		default:
			t.Errorf("unexpected group %+v", g)
		}
	}
	byTeam, err := svc.Summarize(ctx, tn.ID, csat.GroupTeam, csat.Filter{AgentID: bo.ID})
	must(t, err)
	if byTeam.Total.Count != 3 || len(byTeam.Items) != 2 {
		t.Fatalf("Bo's ratings per team: %+v", byTeam)
	}
	byChannel, err := svc.Summarize(ctx, tn.ID, csat.GroupChannel, csat.Filter{})
	must(t, err)
	if len(byChannel.Items) != 2 || byChannel.Items[0].Key != ch.ID || byChannel.Items[0].Name != "Shop" || byChannel.Items[0].Count != 8 {
		t.Fatalf("per channel: %+v", byChannel)
	}
	_, err = svc.Summarize(ctx, tn.ID, "planet", csat.Filter{})
	wantErr(t, err, apperr.Invalid, "invalid_value", "group")
	empty, err := svc.Summarize(ctx, tn.ID, "", csat.Filter{AgentID: "0190f1e2-0000-7000-8000-000000000000"})
	must(t, err)
	if empty.Total.Count != 0 || empty.Total.Average != 0 || len(empty.Items) != 0 {
		t.Fatalf("summary of nothing: %+v", empty)
	}
	otherSum, err := svc.Summarize(ctx, other.ID, csat.GroupAgent, csat.Filter{})
	must(t, err)
	if otherSum.Total.Count != 1 || otherSum.Total.Distribution != [5]int{1, 0, 0, 0, 0} {
		t.Fatalf("tenant B's summary: %+v", otherSum)
	}

	// A deleted customer takes their conversations and ratings along.
	must(t, w.contacts.Delete(ctx, tn.ID, c2.ContactID))
	_, err = svc.ForConversation(ctx, tn.ID, c2.ID)
	wantNotFound(t, err)
}
