package storecontract

import (
	"context"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

type dir struct {
	a *account.Service
	c *contact.Service
}

func (d dir) ContactExists(ctx context.Context, t, id string) error {
	_, err := d.c.Get(ctx, t, id)
	return err
}
func (d dir) UserExists(ctx context.Context, t, id string) error {
	_, err := d.a.GetUser(ctx, t, id)
	return err
}
func (d dir) TeamExists(ctx context.Context, t, id string) error {
	_, err := d.a.GetTeam(ctx, t, id)
	return err
}

func TestSmoke(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := e.Open(t)
			ts := tenant.New(db)
			tn, err := ts.Create(ctx, "acme", "Acme")
			if err != nil {
				t.Fatal(err)
			}
			as := account.New(db)
			u, err := as.CreateUser(ctx, tn.ID, account.NewUser{Email: "A@example.com", Name: "Ann", Role: account.RoleAdmin, Password: "correct horse battery"})
			if err != nil {
				t.Fatal(err)
			}
			if u.Email != "a@example.com" {
				t.Fatalf("email %q", u.Email)
			}
			cs := contact.New(db)
			c, err := cs.Create(ctx, tn.ID, contact.Input{Emails: []string{"c@example.com"}, Attributes: map[string]contact.AttrValue{"plan": []byte(`"gold"`)}})
			if err != nil {
				t.Fatal(err)
			}
			conv := conversation.New(db, dir{as, cs})
			cv, m, err := conv.Create(ctx, tn.ID, conversation.NewConversation{ContactID: c.ID, Message: &conversation.NewMessage{Body: "hi", SenderType: conversation.SenderContact, ClientID: "c1"}})
			if err != nil {
				t.Fatal(err)
			}
			if m.Seq != 1 || cv.LastSeq != 1 {
				t.Fatalf("seq %d", m.Seq)
			}
			m2, created, err := conv.Post(ctx, tn.ID, cv.ID, conversation.NewMessage{Body: "hi", SenderType: conversation.SenderContact, ClientID: "c1"})
			if err != nil || created || m2.Seq != 1 {
				t.Fatalf("dedup: %v %v %d", err, created, m2.Seq)
			}
			list, _, err := conv.List(ctx, tn.ID, conversation.Filter{AssigneeID: conversation.Unassigned}, storetestPage())
			if err != nil || len(list) != 1 {
				t.Fatalf("list %v %d", err, len(list))
			}
		})
	}
}
