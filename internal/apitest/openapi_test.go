package apitest

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/httpapi"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

type openAPIDoc struct {
	OpenAPI string `json:"openapi"`
	Info    struct {
		Title   string `json:"title"`
		Version string `json:"version"`
	} `json:"info"`
	Paths      map[string]map[string]openAPIOp `json:"paths"`
	Components struct {
		Schemas         map[string]json.RawMessage `json:"schemas"`
		SecuritySchemes map[string]json.RawMessage `json:"securitySchemes"`
	} `json:"components"`
}

type openAPIOp struct {
	OperationID string `json:"operationId"`
	Parameters  []struct {
		Name     string `json:"name"`
		In       string `json:"in"`
		Required bool   `json:"required"`
	} `json:"parameters"`
	RequestBody *struct {
		Content map[string]json.RawMessage `json:"content"`
	} `json:"requestBody"`
	Responses map[string]json.RawMessage `json:"responses"`
}

// refs collects every "$ref" in a JSON value.
func refs(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, isStr := e.(string); k == "$ref" && isStr {
				*out = append(*out, s)
			}
			refs(e, out)
		}
	case []any:
		for _, e := range x {
			refs(e, out)
		}
	}
}

// TestOpenAPI checks that the published API description matches the API:
// every route is documented with its parameters and types, every type it
// names is defined, and every documented operation exists.
func TestOpenAPI(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		anon := s.Client()
		raw := must[json.RawMessage](t, "openapi.json")(anon.OpenAPI(ctx)) // public: no sign-in needed
		var doc openAPIDoc
		ok(t, "decode the document", json.Unmarshal(raw, &doc))
		if !strings.HasPrefix(doc.OpenAPI, "3.1.") || doc.Info.Title == "" || doc.Info.Version == "" {
			t.Fatalf("not an OpenAPI 3.1 document: openapi %q, info %+v", doc.OpenAPI, doc.Info)
		}
		for _, scheme := range []string{"bearer", "session"} {
			if _, found := doc.Components.SecuritySchemes[scheme]; !found {
				t.Errorf("security scheme %q is not described", scheme)
			}
		}

		// Every route is documented with its method, parameters and bodies.
		routes := s.App.API.Routes()
		opIDs := map[string]string{}
		uploads := 0
		documented := 0
		for _, ops := range doc.Paths {
			documented += len(ops)
		}
		if documented != len(routes) {
			t.Errorf("%d documented operations for %d routes", documented, len(routes))
		}
		for _, rt := range routes {
			op, found := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
			if !found {
				t.Errorf("%s is not documented", rt.Pattern())
				continue
			}
			if op.OperationID == "" || opIDs[op.OperationID] != "" {
				t.Errorf("%s: operationId %q missing or also used by %s", rt.Pattern(), op.OperationID, opIDs[op.OperationID])
			}
			opIDs[op.OperationID] = rt.Pattern()
			declared := map[string]bool{}
			for _, p := range op.Parameters {
				if p.In == "path" && p.Required {
					declared["path:"+p.Name] = true
				}
				if p.In == "query" {
					declared["query:"+p.Name] = true
				}
			}
			for _, m := range pathParamRE.FindAllStringSubmatch(rt.Path, -1) {
				if !declared["path:"+m[1]] {
					t.Errorf("%s: path parameter %s is not declared as a required path parameter", rt.Pattern(), m[1])
				}
				delete(declared, "path:"+m[1])
			}
			for _, q := range rt.Query {
				if !declared["query:"+q.Name] {
					t.Errorf("%s: query parameter %s is not declared", rt.Pattern(), q.Name)
				}
			}
			for d := range declared {
				if strings.HasPrefix(d, "path:") {
					t.Errorf("%s declares %s, which is not in its path", rt.Pattern(), d)
				}
			}
			if (op.RequestBody != nil) != (rt.In != nil) {
				t.Errorf("%s: request body documented %v, taken %v", rt.Pattern(), op.RequestBody != nil, rt.In != nil)
			}
			if op.RequestBody != nil {
				// Uploads take one file as multipart/form-data; everything else JSON.
				want := "application/json"
				if _, upload := rt.In.(httpapi.Multipart); upload {
					want = "multipart/form-data"
				}
				if op.RequestBody.Content[want] == nil || len(op.RequestBody.Content) != 1 {
					t.Errorf("%s: the request body is %v, want only %s", rt.Pattern(), keys(op.RequestBody.Content), want)
				} else if want == "multipart/form-data" {
					uploads++
					checkFileSchema(t, rt.Pattern(), op.RequestBody.Content[want], doc.Components.Schemas)
				}
			}
			if _, found := op.Responses[strconv.Itoa(rt.Status)]; !found {
				t.Errorf("%s: success status %d is not documented", rt.Pattern(), rt.Status)
			}
			if _, found := op.Responses["default"]; !found {
				t.Errorf("%s: the error response is not documented", rt.Pattern())
			}
		}

		if uploads == 0 {
			t.Error("no route takes a multipart/form-data upload: POST /api/v1/conversations/{id}/uploads should")
		}

		// Every $ref resolves to a schema in components.
		var generic any
		ok(t, "decode", json.Unmarshal(raw, &generic))
		var all []string
		refs(generic, &all)
		if len(all) == 0 {
			t.Fatal("the document names no schemas")
		}
		for _, r := range all {
			name, isSchema := strings.CutPrefix(r, "#/components/schemas/")
			if !isSchema {
				t.Errorf("$ref %q does not point into components/schemas", r)
				continue
			}
			if _, found := doc.Components.Schemas[name]; !found {
				t.Errorf("$ref %q does not resolve", r)
			}
		}

		// Every documented operation is served: never 404 no_route or 405.
		admin := s.Admin(t)
		tokenClient, _ := s.TokenClient(t, admin, client.ScopeAdmin)
		paths := make([]string, 0, len(doc.Paths))
		for p := range doc.Paths {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			for method, op := range doc.Paths[p] {
				var body any
				if op.RequestBody != nil {
					body = map[string]any{}
				}
				// The admin token: it cannot sign itself out, so the walk goes on.
				resp, err := tokenClient.Do(ctx, strings.ToUpper(method), anyIDs(p), body, nil)
				what := strings.ToUpper(method) + " " + p
				if e, isAPI := client.AsError(err); isAPI {
					if e.Code == "no_route" || e.Status == http.StatusMethodNotAllowed || e.Status >= 500 {
						t.Errorf("%s is documented but answers %d %s", what, e.Status, e.Code)
					}
				} else if err != nil {
					t.Fatalf("%s: %v", what, err)
				} else if resp.StatusCode >= 300 {
					t.Errorf("%s: status %d", what, resp.StatusCode)
				}
			}
		}
		// And an undocumented one is not.
		_, err := tokenClient.Do(ctx, http.MethodGet, "/api/v1/not-documented", nil, nil)
		wantError(t, "an undocumented path", err, http.StatusNotFound, "no_route")
		_, err = tokenClient.Do(ctx, http.MethodPatch, "/api/v1/openapi.json", nil, nil)
		if e, _ := client.AsError(err); e == nil || (e.Code != "no_route" && e.Status != http.StatusMethodNotAllowed) {
			t.Errorf("an undocumented method answers %v", err)
		}
	})
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkFileSchema requires a multipart body schema with a binary "file" field.
func checkFileSchema(t *testing.T, what string, media json.RawMessage, schemas map[string]json.RawMessage) {
	t.Helper()
	var m struct {
		Schema struct {
			Ref string `json:"$ref"`
		} `json:"schema"`
	}
	if err := json.Unmarshal(media, &m); err != nil {
		t.Errorf("%s: multipart media type: %v", what, err)
		return
	}
	raw := schemas[strings.TrimPrefix(m.Schema.Ref, "#/components/schemas/")]
	var schema struct {
		Properties map[string]struct {
			Type   any    `json:"type"`
			Format string `json:"format"`
		} `json:"properties"`
	}
	if raw == nil || json.Unmarshal(raw, &schema) != nil {
		t.Errorf("%s: the multipart schema %q is not defined", what, m.Schema.Ref)
		return
	}
	if f, found := schema.Properties["file"]; !found || f.Format != "binary" {
		t.Errorf("%s: the multipart schema has no binary field \"file\": %s", what, raw)
	}
}
