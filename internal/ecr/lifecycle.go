package ecr

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/virga/virga/internal/wildcard"
)

// A lifecycle policy's rules, as ECR's user guide describes them
// ("Lifecycle policy properties"): each selects images by tag status
// (tagged with every prefix of tagPrefixList, or matching every
// pattern of tagPatternList; untagged; any) and expires those beyond a
// count or older than a number of days.
type lifecycleRule struct {
	RulePriority *int   `json:"rulePriority"`
	Description  string `json:"description"`
	Selection    struct {
		TagStatus      string   `json:"tagStatus"`
		TagPrefixList  []string `json:"tagPrefixList"`
		TagPatternList []string `json:"tagPatternList"`
		CountType      string   `json:"countType"`
		CountUnit      string   `json:"countUnit"`
		CountNumber    *int64   `json:"countNumber"`
	} `json:"selection"`
	Action struct {
		Type string `json:"type"`
	} `json:"action"`
}

// maxPatternWildcards is "There is a maximum limit of four wildcards (*)
// per string" in a tagPatternList.
const maxPatternWildcards = 4

// parseLifecyclePolicy reads and checks a lifecycle policy; the error
// says what is wrong, for ECR's "Lifecycle policy validation failure".
func parseLifecyclePolicy(text string) ([]lifecycleRule, error) {
	var doc struct {
		Rules []lifecycleRule `json:"rules"`
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("the policy is not valid JSON")
	}
	if len(doc.Rules) == 0 {
		return nil, fmt.Errorf("the policy has no rules")
	}
	seen := map[int]bool{}
	untagged := 0
	maxPriority, anyPriority := 0, -1
	for i, r := range doc.Rules {
		if r.RulePriority == nil || *r.RulePriority < 1 {
			return nil, fmt.Errorf("rule %d: rulePriority must be a positive integer", i+1)
		}
		p := *r.RulePriority
		if seen[p] {
			return nil, fmt.Errorf("rulePriority %d is used by more than one rule", p)
		}
		seen[p] = true
		maxPriority = max(maxPriority, p)
		sel := r.Selection
		tagLists := len(sel.TagPrefixList) > 0 || len(sel.TagPatternList) > 0
		switch sel.TagStatus {
		case "tagged":
			if !tagLists || (len(sel.TagPrefixList) > 0 && len(sel.TagPatternList) > 0) {
				return nil, fmt.Errorf("rule %d: a tagged selection needs a tagPrefixList or a tagPatternList", p)
			}
			for _, pat := range sel.TagPatternList {
				if strings.Count(pat, "*") > maxPatternWildcards {
					return nil, fmt.Errorf("rule %d: the tag pattern %s has more than %d wildcards (*)", p, pat, maxPatternWildcards)
				}
			}
		case "untagged":
			if tagLists {
				return nil, fmt.Errorf("rule %d: an untagged selection cannot have a tagPrefixList or a tagPatternList", p)
			}
			untagged++
		case "any":
			if tagLists {
				return nil, fmt.Errorf("rule %d: a selection of any images cannot have a tagPrefixList or a tagPatternList", p)
			}
			anyPriority = p
		default:
			return nil, fmt.Errorf("rule %d: tagStatus must be tagged, untagged or any", p)
		}
		switch sel.CountType {
		case "imageCountMoreThan":
			if sel.CountUnit != "" {
				return nil, fmt.Errorf("rule %d: countUnit is only for countType sinceImagePushed", p)
			}
		case "sinceImagePushed":
			if sel.CountUnit != "days" {
				return nil, fmt.Errorf("rule %d: countType sinceImagePushed needs countUnit days", p)
			}
		default:
			return nil, fmt.Errorf("rule %d: countType must be imageCountMoreThan or sinceImagePushed", p)
		}
		if sel.CountNumber == nil || *sel.CountNumber < 1 {
			return nil, fmt.Errorf("rule %d: countNumber must be a positive integer", p)
		}
		if r.Action.Type != "expire" {
			return nil, fmt.Errorf("rule %d: the action type must be expire", p)
		}
	}
	if untagged > 1 {
		return nil, fmt.Errorf("only one rule may select untagged images")
	}
	if anyPriority != -1 && anyPriority != maxPriority {
		return nil, fmt.Errorf("a rule with tagStatus any must have the highest rulePriority")
	}
	sort.Slice(doc.Rules, func(i, j int) bool { return *doc.Rules[i].RulePriority < *doc.Rules[j].RulePriority })
	return doc.Rules, nil
}

// matches reports whether an image meets a rule's tagging requirements:
// every prefix (or pattern, with * for any characters) matched by one
// of its tags.
func (r *lifecycleRule) matches(im *image) bool {
	sel := r.Selection
	switch sel.TagStatus {
	case "untagged":
		return len(im.Tags) == 0
	case "any":
		return true
	}
	if len(im.Tags) == 0 {
		return false
	}
	for _, prefix := range sel.TagPrefixList {
		if !slices.ContainsFunc(im.Tags, func(t string) bool { return strings.HasPrefix(t, prefix) }) {
			return false
		}
	}
	for _, pattern := range sel.TagPatternList {
		if !slices.ContainsFunc(im.Tags, func(t string) bool { return wildcard.Match(pattern, t, 0) }) {
			return false
		}
	}
	return true
}

// expired returns the digests a policy's rules expire among images at
// now. All rules are evaluated, then applied by priority: an image is
// expired by at most one rule, and an image whose tags a rule matches
// cannot be expired by a rule of lower priority, though it still counts
// for that rule's imageCountMoreThan. Older images expire first.
func expired(rules []lifecycleRule, images []*image, now time.Time) []string {
	claimed := map[string]bool{} // matched by a rule of higher priority
	var out []string
	for i := range rules {
		r := &rules[i]
		var matched []*image
		for _, im := range images {
			if r.matches(im) {
				matched = append(matched, im)
			}
		}
		// Youngest first.
		sort.SliceStable(matched, func(a, b int) bool { return matched[a].Pushed > matched[b].Pushed })
		n := *r.Selection.CountNumber
		for k, im := range matched {
			var expire bool
			switch r.Selection.CountType {
			case "imageCountMoreThan":
				expire = int64(k) >= n
			case "sinceImagePushed":
				expire = now.Sub(time.UnixMilli(im.Pushed)) > time.Duration(n)*24*time.Hour
			}
			if expire && !claimed[im.Digest] {
				out = append(out, im.Digest)
			}
		}
		for _, im := range matched {
			claimed[im.Digest] = true
		}
	}
	return out
}

// lifecycleInterval is how often, on virga's clock, lifecycle policies
// are applied to every repository that has one (ECR says within 24
// hours); a new policy or a push to a repository with one is applied
// at the next poll.
const lifecycleInterval = time.Hour

// lifecyclePoll is how often Run looks whether policies are due.
const lifecyclePoll = 200 * time.Millisecond

// lifecycleState is what Run needs between polls.
type lifecycleState struct {
	dirty atomic.Bool  // a policy was put, or an image pushed under one
	next  atomic.Int64 // when, epoch ms, every policy is applied again
}

// Run applies lifecycle policies until ctx is done.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(lifecyclePoll)
	defer t.Stop()
	s.lifecycle.dirty.Store(true)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := s.clock.Now()
			if s.lifecycle.dirty.Swap(false) || now.UnixMilli() >= s.lifecycle.next.Load() {
				s.lifecycle.next.Store(now.Add(lifecycleInterval).UnixMilli())
				if err := s.applyLifecyclePolicies(now); err != nil && log != nil {
					log.Warn("ecr: lifecycle policies", "err", err)
				}
			}
		}
	}
}

// applyLifecyclePolicies expires, in every repository with a lifecycle
// policy, the images its rules select, and records when it did.
func (s *Service) applyLifecyclePolicies(now time.Time) error {
	repos, err := s.repos()
	if err != nil {
		return err
	}
	for _, r := range repos {
		if r.Lifecycle == "" {
			continue
		}
		if err := s.applyLifecyclePolicy(r.Name, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) applyLifecyclePolicy(name string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.loadRepo(name)
	if err != nil || r == nil || r.Lifecycle == "" {
		return err
	}
	rules, err := parseLifecyclePolicy(r.Lifecycle)
	if err != nil {
		return err
	}
	images, err := s.images(name)
	if err != nil {
		return err
	}
	byDigest := map[string]*image{}
	for _, im := range images {
		byDigest[im.Digest] = im
	}
	for _, d := range expired(rules, images, now) {
		b := s.store.NewBatch()
		ok, err := s.deleteImage(b, r, byDigest[d])
		if err == nil && ok {
			err = b.Commit()
		}
		b.Close()
		if err != nil {
			return err
		}
	}
	r.LifecycleEvaluated = now.UnixMilli()
	return s.saveRepo(r)
}
