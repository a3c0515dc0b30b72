package storecontract

import "github.com/switchboard-cs/switchboard/internal/platform/store"

func storetestPage() store.Page { return store.Page{} }
