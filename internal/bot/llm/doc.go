// Package llm lets an OpenAI-compatible chat-completions endpoint phrase the
// bot's answer from the knowledge-base entries the bot has already retrieved.
//
// It is optional and off by default: a tenant turns it on by configuring an
// endpoint (Config), and the product is fully useful without it. Whenever the
// endpoint is not configured, fails, is slow or answers something that is not
// grounded in the entries, PhraseOrFallback returns the best entry's own
// answer unchanged, so the customer always gets an answer in time.
//
// # What is sent
//
// One POST to {BaseURL}/chat/completions per question, with the model name,
// temperature, max_tokens and n=1, and two messages:
//
//   - system: the rules (answer only from the numbered sources, in the
//     customer's language, cite sources as [1], [2], reply NO_ANSWER when the
//     sources do not answer) followed by the retrieved entries, numbered, each
//     with its question, answer and language;
//   - user: the customer's question.
//
// Nothing else leaves the server: no customer name, e-mail, contact or
// conversation id, no earlier messages and no knowledge-base entry ids (the
// sources are numbered; the numbers are mapped back to entry ids here). The
// API key is sent only in the Authorization header and never appears in
// errors, String or log output.
//
// # What is accepted
//
// The model's reply is used only if it cites at least one source, cites no
// number that was not given, is not NO_ANSWER, was not cut off by the token
// limit, and is in the customer's language. Otherwise Phrase returns an error
// wrapping ErrUnsupported. HTML is stripped from the reply (the caller shows
// it as plain text) and the citation markers are removed from Answer.Text;
// the cited entries are in Answer.Cites.
//
// There are no retries: one request within Config.Timeout (at most 3 s).
package llm
