package httpapi

import (
	"net/http"

	"github.com/switchboard-cs/switchboard/internal/bot/assistant"
	"github.com/switchboard-cs/switchboard/internal/bot/engine"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
)

// botRoutes are the bot's settings, its decision log and the review of
// questions it could not answer.
func (a *API) botRoutes() []Route {
	if a.bot == nil {
		return nil
	}
	return []Route{
		{Method: "GET", Path: "/api/v1/bot/settings", Summary: "The bot's settings (thresholds, turn limits, tenant dictionary, optional LLM; never the key)", Tag: "bot", Access: Read, Out: assistant.Settings{}, Status: 200, handler: a.botSettings},
		{Method: "PUT", Path: "/api/v1/bot/settings", Summary: "Change the bot's settings (an empty llm.api_key keeps the stored one)", Tag: "bot", Access: Admin, In: assistant.Settings{}, Out: assistant.Settings{}, Status: 200, handler: a.putBotSettings},
		{Method: "GET", Path: "/api/v1/bot/status", Summary: "The bot of this tenant on this node: entries, questions, knowledge version, build time", Tag: "bot", Access: Read, Out: assistant.Status{}, Status: 200, handler: a.botStatus},
		{Method: "POST", Path: "/api/v1/bot/rebuild", Summary: "Rebuild the bot now from the published knowledge and wait for it", Tag: "bot", Access: Admin, Out: assistant.Status{}, Status: 200, handler: a.botRebuild},
		{Method: "POST", Path: "/api/v1/bot/try", Summary: "What the bot would do with a question (nothing is stored)", Tag: "bot", Access: Read, In: BotTry{}, Out: assistant.TryResult{}, Status: 200, handler: a.botTry},
		{Method: "GET", Path: "/api/v1/conversations/{id}/bot-decisions", Summary: "The bot's decisions in a conversation, oldest first: question, candidates, confidence, what it did and why", Tag: "bot", Access: Read, Out: List[assistant.Decision]{}, Status: 200, handler: a.botDecisions},
		{Method: "GET", Path: "/api/v1/bot/unanswered", Summary: "Questions the bot declined, was unsure about or that were rated 👎, grouped by similarity, largest group first", Tag: "bot", Access: Read, Out: List[assistant.Group]{}, Status: 200, handler: a.botUnanswered},
		{Method: "POST", Path: "/api/v1/bot/unanswered/resolve", Summary: "Mark decisions as dealt with (after turning them into an entry or similar questions)", Tag: "bot", Access: Write, In: BotResolve{}, Out: BotResolved{}, Status: 200, handler: a.botResolve},
	}
}

// BotTry is a question to try on the bot, optionally after a previous one.
type BotTry struct {
	Question     string `json:"question"`
	PrevQuestion string `json:"prev_question,omitempty"`
	PrevEntryID  string `json:"prev_entry_id,omitempty"`
}

// BotResolve names decisions that have been dealt with.
type BotResolve struct {
	DecisionIDs []string `json:"decision_ids"`
}

// BotResolved says how many decisions left the unanswered list.
type BotResolved struct {
	Resolved int `json:"resolved"`
}

func (a *API) botSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := a.bot.Settings(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st.Redacted())
	return nil
}

func (a *API) putBotSettings(w http.ResponseWriter, r *http.Request) error {
	var in assistant.Settings
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	st, err := a.bot.PutSettings(r.Context(), tenantOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) botStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := a.bot.Status(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) botRebuild(w http.ResponseWriter, r *http.Request) error {
	st, err := a.bot.Rebuild(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) botTry(w http.ResponseWriter, r *http.Request) error {
	var in BotTry
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if len(in.Question) > 10000 {
		return apperr.Invalidf("question", "too_long", "max", 10000)
	}
	var prev *engine.Turn
	if in.PrevQuestion != "" || in.PrevEntryID != "" {
		prev = &engine.Turn{Question: in.PrevQuestion, EntryID: in.PrevEntryID}
	}
	res, err := a.bot.Try(r.Context(), tenantOf(r), in.Question, prev)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *API) botDecisions(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "conversation")
	if err != nil {
		return err
	}
	if _, err := a.convs.Get(r.Context(), tenantOf(r), cid); err != nil {
		return err
	}
	ds, err := a.bot.Decisions(r.Context(), tenantOf(r), cid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[assistant.Decision]{Items: ds})
	return nil
}

func (a *API) botUnanswered(w http.ResponseWriter, r *http.Request) error {
	gs, err := a.bot.Unanswered(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[assistant.Group]{Items: gs})
	return nil
}

func (a *API) botResolve(w http.ResponseWriter, r *http.Request) error {
	var in BotResolve
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if len(in.DecisionIDs) == 0 || len(in.DecisionIDs) > 5000 {
		return apperr.Invalidf("decision_ids", "out_of_range", "min", 1, "max", 5000)
	}
	for _, d := range in.DecisionIDs {
		if !id.Valid(d) {
			return apperr.Invalidf("decision_ids", "invalid_value")
		}
	}
	n, err := a.bot.Resolve(r.Context(), tenantOf(r), in.DecisionIDs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, BotResolved{Resolved: n})
	return nil
}
