package config

import (
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// flagNames are the names an error of Validate may start with.
func flagNames() []string {
	names := []string{"tls-cert and tls-key"}
	for _, f := range fields {
		names = append(names, f.name)
	}
	return names
}

func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"",
		"addr = \"0.0.0.0:9000\"\ndata_dir = \"/var/lib/switchboard\"\n",
		"database = \"postgres://sb:secret@db:5432/sb?sslmode=disable\"\nbus = \"nats://u:pw@nats:4222\"\n",
		"admin_email = \"root@example.com\"\nadmin_password = \"a long secret phrase\"\n",
		"demo = true\nlog_level = \"debug\"\nlog_format = \"json\"\n",
		"session_idle_timeout = \"45m\"\nsession_max_lifetime = \"24h\"\nmax_body_bytes = 2048\n",
		"public_url = \"https://support.example.com/\"\ntls_cert = \"c.pem\"\ntls_key = \"k.pem\"\n",
		"addr = 5", "demo = \"yes\"", "nope = 1", "[section]\nkey = 1", "addr = \"a\"\naddr = \"b\"",
		"session_idle_timeout = \"abc\"", "session_idle_timeout = 30", "max_body_bytes = 1.5",
		"data_dir = \"\\u0007\"", "data_dir = \"tab\\there\"", "data_dir = 'C:\\data'", "data_dir = \"\"\"\nmulti\nline\"\"\"",
		"data_dir = \"quote\\\"s\"", "addr = \"[::1]:0\"", "data_dir = \"\\u00ff\\u2028\"", "# only a comment\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		c := Defaults()
		if err := Parse(doc, &c); err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		// Every key the document sets holds its value; the others keep their default.
		var generic map[string]any
		if err := toml.Unmarshal(doc, &generic); err != nil {
			t.Fatalf("Parse accepted a document the TOML decoder refuses: %v", err)
		}
		want := Defaults()
		for key, v := range generic {
			var ok bool
			switch key {
			case "session_idle_timeout", "session_max_lifetime":
				var s string
				var d time.Duration
				if s, ok = v.(string); ok {
					var err error
					d, err = time.ParseDuration(s)
					ok = err == nil
				}
				if key == "session_idle_timeout" {
					want.SessionIdle = d
				} else {
					want.SessionMax = d
				}
			case "demo":
				want.Demo, ok = v.(bool)
			case "max_body_bytes":
				want.MaxBodyBytes, ok = v.(int64)
			default:
				var s string
				s, ok = v.(string)
				p := stringField(&want, key)
				if p == nil {
					t.Fatalf("Parse accepted the unknown key %q", key)
				}
				*p = s
			}
			if !ok {
				t.Fatalf("Parse accepted %s = %#v", key, v)
			}
		}
		if c != want {
			t.Fatalf("parsed %+v\nwant   %+v", c, want)
		}
		if err := c.Validate(); err != nil {
			named := false
			for _, n := range flagNames() {
				named = named || strings.HasPrefix(err.Error(), n+":")
			}
			if !named {
				t.Fatalf("Validate error %q does not start with the setting's name", err)
			}
			return
		}
		// A valid configuration printed by "switchboard config" reads back
		// as the same configuration, its secrets hidden.
		printed := c.Print()
		var back Config
		if err := Parse([]byte(printed), &back); err != nil {
			t.Fatalf("the printed configuration does not parse: %v\n%s", err, printed)
		}
		hidden := c
		for _, sec := range []struct {
			name string
			p    *string
		}{{"database", &hidden.Database}, {"bus", &hidden.Bus}, {"admin-password", &hidden.AdminPassword}} {
			if *sec.p != "" {
				*sec.p = hide(sec.name, *sec.p)
			}
		}
		if back != hidden {
			t.Fatalf("printed and read back %+v\nwant %+v\n%s", back, hidden, printed)
		}
		if c.AdminPassword != "" && back.AdminPassword != "********" {
			t.Fatalf("the admin password was printed: %q", back.AdminPassword)
		}
	})
}

func stringField(c *Config, key string) *string {
	for _, f := range fields {
		if strings.ReplaceAll(f.name, "-", "_") == key {
			p, _ := f.ptr(c).(*string)
			return p
		}
	}
	return nil
}

func TestParseNamesTheKey(t *testing.T) {
	for _, tc := range []struct{ doc, key string }{
		{"nope = 1", "nope"},
		{"[server]\naddr = \"x\"", "server"},
		{"addr = 5", "addr"},
		{"demo = \"yes\"", "demo"},
		{"max_body_bytes = 1.5", "max_body_bytes"},
		{"session_idle_timeout = 30", "session_idle_timeout"},
		{"session_max_lifetime = \"forever\"", "session_max_lifetime"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			c := Defaults()
			err := Parse([]byte(tc.doc), &c)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("error %q does not name %q", err, tc.key)
			}
			if strings.Contains(err.Error(), "fileConfig") {
				t.Fatalf("error %q names an internal type", err)
			}
		})
	}
}

func TestPrintHidesSecrets(t *testing.T) {
	c := Defaults()
	c.Database = "postgres://sb:db-secret@db:5432/sb"
	c.Bus = "nats://nu:bus-secret@nats:4222"
	c.AdminEmail = "root@example.com"
	c.AdminPassword = "admin-secret phrase"
	out := c.Print()
	for _, secret := range []string{"db-secret", "bus-secret", "admin-secret"} {
		if strings.Contains(out, secret) {
			t.Fatalf("printed config shows %q:\n%s", secret, out)
		}
	}
	for _, kept := range []string{"postgres://sb:xxxxx@db:5432/sb", "nats://nu:xxxxx@nats:4222", `admin_password = "********"`, `admin_email = "root@example.com"`} {
		if !strings.Contains(out, kept) {
			t.Fatalf("printed config lacks %q:\n%s", kept, out)
		}
	}
}

func TestParseKeysAreCaseSensitive(t *testing.T) {
	for _, doc := range []string{"Addr = \"127.0.0.1:1\"", "addr = \"127.0.0.1:1\"\nADDR = \"127.0.0.1:2\""} {
		c := Defaults()
		err := Parse([]byte(doc), &c)
		if err == nil || !strings.Contains(err.Error(), "unknown key") {
			t.Fatalf("Parse(%q) = %v, want an unknown key", doc, err)
		}
	}
}
