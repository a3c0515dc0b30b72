// Package storecontract is the store contract suite: the same tests of every
// domain service's storage, run unchanged on SQLite and on PostgreSQL.
package storecontract
