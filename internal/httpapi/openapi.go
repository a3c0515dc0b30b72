package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// OpenAPIDoc is an OpenAPI 3.1 document, generated from the route table and
// the Go types of requests and responses, so that it cannot drift from them.
type OpenAPIDoc struct {
	OpenAPI    string                    `json:"openapi"`
	Info       OpenAPIInfo               `json:"info"`
	Paths      map[string]map[string]*Op `json:"paths"`
	Components Components                `json:"components"`
	Security   []map[string][]string     `json:"security"`
	Tags       []OpenAPITag              `json:"tags,omitempty"`
}

// OpenAPIInfo is the document's info object.
type OpenAPIInfo struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description"`
}

// OpenAPITag groups operations.
type OpenAPITag struct {
	Name string `json:"name"`
}

// Op is one operation.
type Op struct {
	OperationID string                `json:"operationId"`
	Summary     string                `json:"summary"`
	Tags        []string              `json:"tags"`
	Parameters  []OpParam             `json:"parameters,omitempty"`
	RequestBody *RequestBody          `json:"requestBody,omitempty"`
	Responses   map[string]*Response  `json:"responses"`
	Security    []map[string][]string `json:"security,omitempty"`
	Access      string                `json:"x-access"`
}

// OpParam is a path or query parameter.
type OpParam struct {
	Name        string  `json:"name"`
	In          string  `json:"in"`
	Required    bool    `json:"required"`
	Description string  `json:"description,omitempty"`
	Schema      *Schema `json:"schema"`
}

// RequestBody is an operation's JSON body.
type RequestBody struct {
	Required bool                 `json:"required"`
	Content  map[string]MediaType `json:"content"`
}

// Response is one documented response.
type Response struct {
	Description string               `json:"description"`
	Content     map[string]MediaType `json:"content,omitempty"`
}

// MediaType holds a schema.
type MediaType struct {
	Schema *Schema `json:"schema"`
}

// Components holds the named schemas and security schemes.
type Components struct {
	Schemas         map[string]*Schema        `json:"schemas"`
	SecuritySchemes map[string]SecurityScheme `json:"securitySchemes"`
}

// SecurityScheme is a way to authenticate.
type SecurityScheme struct {
	Type   string `json:"type"`
	Scheme string `json:"scheme,omitempty"`
	In     string `json:"in,omitempty"`
	Name   string `json:"name,omitempty"`
}

// Schema is a JSON Schema (2020-12, as OpenAPI 3.1 uses it).
type Schema struct {
	Ref                  string             `json:"$ref,omitempty"`
	Type                 SchemaType         `json:"type,omitempty"`
	Format               string             `json:"format,omitempty"`
	Description          string             `json:"description,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	Items                *Schema            `json:"items,omitempty"`
	AdditionalProperties *Schema            `json:"additionalProperties,omitempty"`
}

// SchemaType is one type name, or several (["string","null"]).
type SchemaType []string

// MarshalJSON writes a single type as a string.
func (t SchemaType) MarshalJSON() ([]byte, error) {
	if len(t) == 1 {
		return json.Marshal(t[0])
	}
	return json.Marshal([]string(t))
}

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

var accessNames = map[Access]string{Public: "public", Authenticated: "authenticated", Read: "read", Write: "write", Admin: "admin"}

// OpenAPI builds the document.
func (a *API) OpenAPI() OpenAPIDoc {
	g := &schemaGen{schemas: map[string]*Schema{}}
	doc := OpenAPIDoc{
		OpenAPI: "3.1.0",
		Info: OpenAPIInfo{Title: "Switchboard API", Version: a.version,
			Description: "REST API v1 of Switchboard. Authenticate with `Authorization: Bearer <token>` (API tokens) or the session cookie " +
				"(browsers; writes then need the X-CSRF-Token header). Errors have the shape {\"error\":{\"code\",\"message\",\"field\"}}. " +
				"Lists are paged with next_cursor → ?cursor=."},
		Paths: map[string]map[string]*Op{},
		Components: Components{Schemas: g.schemas, SecuritySchemes: map[string]SecurityScheme{
			"bearer":  {Type: "http", Scheme: "bearer"},
			"session": {Type: "apiKey", In: "cookie", Name: a.SessionCookie()},
		}},
		Security: []map[string][]string{{"bearer": {}}, {"session": {}}},
	}
	errRef := g.ref(reflect.TypeOf(ErrorBody{}))
	tags := map[string]bool{}
	for _, rt := range a.routes {
		op := &Op{OperationID: operationID(rt), Summary: rt.Summary, Tags: []string{rt.Tag}, Access: accessNames[rt.Access],
			Responses: map[string]*Response{}}
		tags[rt.Tag] = true
		if rt.Access == Public {
			op.Security = []map[string][]string{{}}
		}
		for _, m := range pathParamRE.FindAllStringSubmatch(rt.Path, -1) {
			op.Parameters = append(op.Parameters, OpParam{Name: m[1], In: "path", Required: true, Schema: &Schema{Type: SchemaType{"string"}}})
		}
		for _, p := range rt.Query {
			op.Parameters = append(op.Parameters, OpParam{Name: p.Name, In: "query", Description: p.Description, Schema: &Schema{Type: SchemaType{"string"}}})
		}
		if rt.In != nil {
			mt := "application/json"
			if _, ok := rt.In.(Multipart); ok {
				mt = "multipart/form-data"
			}
			op.RequestBody = &RequestBody{Required: true, Content: map[string]MediaType{mt: {Schema: g.ref(reflect.TypeOf(rt.In))}}}
		}
		resp := &Response{Description: http.StatusText(rt.Status)}
		if rt.Out != nil {
			resp.Content = map[string]MediaType{"application/json": {Schema: g.ref(reflect.TypeOf(rt.Out))}}
		}
		op.Responses[strconv.Itoa(rt.Status)] = resp
		op.Responses["default"] = &Response{Description: "Error", Content: map[string]MediaType{"application/json": {Schema: errRef}}}
		if doc.Paths[rt.Path] == nil {
			doc.Paths[rt.Path] = map[string]*Op{}
		}
		doc.Paths[rt.Path][strings.ToLower(rt.Method)] = op
	}
	for t := range tags {
		doc.Tags = append(doc.Tags, OpenAPITag{Name: t})
	}
	sort.Slice(doc.Tags, func(i, j int) bool { return doc.Tags[i].Name < doc.Tags[j].Name })
	return doc
}

func operationID(rt Route) string {
	parts := []string{strings.ToLower(rt.Method)}
	for _, seg := range strings.Split(strings.TrimPrefix(rt.Path, "/api/v1/"), "/") {
		seg = strings.Trim(seg, "{}")
		seg = strings.NewReplacer(".", "_", "-", "_").Replace(seg)
		parts = append(parts, seg)
	}
	return strings.Join(parts, "_")
}

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, a.OpenAPI())
	return nil
}

type schemaGen struct {
	schemas map[string]*Schema
}

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

func schemaName(t reflect.Type) string {
	n := t.Name()
	n = strings.NewReplacer("[", "_", "]", "", "*", "", ".", "_", "/", "_").Replace(n)
	// List[github.com/…/account.User] → List_User
	if i := strings.Index(n, "_"); i >= 0 {
		last := n[strings.LastIndex(n, "_")+1:]
		n = n[:i] + "_" + last
	}
	return n
}

// ref returns a schema for t, registering named structs as components.
func (g *schemaGen) ref(t reflect.Type) *Schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && t != timeType {
		name := schemaName(t)
		if _, ok := g.schemas[name]; !ok {
			g.schemas[name] = &Schema{} // placeholder against recursion
			g.schemas[name] = g.object(t)
		}
		return &Schema{Ref: "#/components/schemas/" + name}
	}
	return g.inline(t)
}

func (g *schemaGen) inline(t reflect.Type) *Schema {
	switch {
	case t == timeType:
		return &Schema{Type: SchemaType{"string"}, Format: "date-time"}
	case t == rawType:
		return &Schema{Description: "any JSON value"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := g.ref(t.Elem())
		if s.Ref != "" {
			return s
		}
		s.Type = append(s.Type, "null")
		return s
	case reflect.String:
		return &Schema{Type: SchemaType{"string"}}
	case reflect.Bool:
		return &Schema{Type: SchemaType{"boolean"}}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return &Schema{Type: SchemaType{"integer"}}
	case reflect.Float32, reflect.Float64:
		return &Schema{Type: SchemaType{"number"}}
	case reflect.Slice, reflect.Array:
		return &Schema{Type: SchemaType{"array"}, Items: g.ref(t.Elem())}
	case reflect.Map:
		return &Schema{Type: SchemaType{"object"}, AdditionalProperties: g.ref(t.Elem())}
	case reflect.Struct:
		return g.ref(t)
	}
	return &Schema{}
}

func (g *schemaGen) object(t reflect.Type) *Schema {
	s := &Schema{Type: SchemaType{"object"}, Properties: map[string]*Schema{}}
	g.fields(t, s)
	sort.Strings(s.Required)
	return s
}

func (g *schemaGen) fields(t reflect.Type, s *Schema) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			g.fields(f.Type, s)
			continue
		}
		if name == "" {
			name = f.Name
		}
		s.Properties[name] = g.inline(f.Type)
		if format := f.Tag.Get("format"); format != "" {
			s.Properties[name].Format = format
		}
		if !strings.Contains(opts, "omitempty") {
			s.Required = append(s.Required, name)
		}
	}
}
