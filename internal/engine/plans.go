package engine

import (
	"sync"
	"time"
)

// planKey is everything a journey's plan depends on (see planSteps): the
// campaign, the trigger, the contact's zone and the moment of planning.
type planKey struct {
	campaign string
	trigger  int64
	dateOnly bool
	loc      *time.Location // Zone returns one *Location per name
	now      int64
}

// planCache remembers journeys' plans. An import plans a journey for every
// order, all at one moment, and orders fall on a few hundred dates in a
// few zones: working each one out again (time zone arithmetic for every
// step) was a sixth of an import's time.
type planCache struct {
	mu sync.Mutex
	m  map[planKey][]stepPlan
}

// maxPlans bounds the cache; when full it starts again.
const maxPlans = 4096

// get returns the plan for k, making it with plan when it is not known.
// The plan returned is shared: callers must not change it.
func (pc *planCache) get(k planKey, plan func(planKey) []stepPlan) []stepPlan {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if p, ok := pc.m[k]; ok {
		return p
	}
	if pc.m == nil || len(pc.m) >= maxPlans {
		pc.m = make(map[planKey][]stepPlan)
	}
	p := plan(k)
	pc.m[k] = p
	return p
}
