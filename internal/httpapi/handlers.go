package httpapi

import (
	"context"
	"net/http"

	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// listRoute serves one page of a list of the caller's tenant.
func listRoute[T any](list func(ctx context.Context, tenantID string, p store.Page) ([]T, string, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := page(r)
		if err != nil {
			return err
		}
		items, next, err := list(r.Context(), tenantOf(r), p)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, List[T]{Items: items, NextCursor: next})
		return nil
	}
}

// oneRoute serves the result of fn on the thing named by the {id} path value:
// a get, or an action that returns the changed thing (close, reopen).
func oneRoute[T any](what string, fn func(ctx context.Context, tenantID, id string) (T, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", what)
		if err != nil {
			return err
		}
		v, err := fn(r.Context(), tenantOf(r), id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, v)
		return nil
	}
}

// deleteRoute deletes (or revokes) the thing named by the {id} path value.
func deleteRoute(what string, del func(ctx context.Context, tenantID, id string) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", what)
		if err != nil {
			return err
		}
		if err := del(r.Context(), tenantOf(r), id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
