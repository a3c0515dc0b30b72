package bench

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/switchboard-cs/switchboard/client"
)

// verify reads the conversations of all (sample < 0) or some visitors back
// through the REST API and marks what is stored: once, under the acked seq,
// in send order.
func (r *run) verify(ctx context.Context, sample int) error {
	var vs []*visitor
	for _, v := range r.visitors {
		if v == nil {
			continue
		}
		v.mu.Lock()
		has := len(v.convs) > 0
		v.mu.Unlock()
		if has {
			vs = append(vs, v)
		}
	}
	if sample > 0 && sample < len(vs) {
		// An even spread over the visitors.
		picked := make([]*visitor, 0, sample)
		for i := 0; i < sample; i++ {
			picked = append(picked, vs[i*len(vs)/sample])
		}
		vs = picked
	}
	r.logf("reading %d visitors' conversations back through the REST API", len(vs))
	jobs := make(chan *visitor)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range jobs {
				if err := r.verifyVisitor(ctx, v); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, v := range vs {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			break
		}
		jobs <- v
	}
	close(jobs)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

func (r *run) verifyVisitor(ctx context.Context, v *visitor) error {
	v.mu.Lock()
	convs := append([]string(nil), v.convs...)
	v.mu.Unlock()
	var stored []client.Message
	for _, c := range convs {
		var after int64
		for {
			page, err := r.api.ListMessages(ctx, c, after, 200)
			if err != nil {
				return err
			}
			stored = append(stored, page...)
			if len(page) < 200 {
				break
			}
			after = page[len(page)-1].Seq
		}
	}
	prefix := r.runID + "-" + strconv.Itoa(v.idx) + "-"
	v.mu.Lock()
	defer v.mu.Unlock()
	lastN := 0
	for _, m := range stored {
		rest, ok := strings.CutPrefix(m.ClientID, prefix)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 || n > len(v.msgs) {
			continue
		}
		rec := &v.msgs[n-1]
		rec.stored++
		if rec.acks > 0 && rec.seq != m.Seq {
			rec.seqMismatch = true
		}
		if n < lastN {
			rec.storedOutOfOrder = true
		}
		lastN = max(lastN, n)
	}
	for i := range v.msgs {
		v.msgs[i].verified = true
	}
	return nil
}
