// Package suggest finds the name a rep probably meant when they mistype a
// key, a section, a time zone or a template field ("did you mean ...?").
// Every "did you mean" in Rapport asks Closest, so a slip is forgiven the
// same way in config.toml, a campaign and a template.
package suggest

import "strings"

// Closest returns the candidate word was most likely meant to be, or ""
// when none is near enough to be a slip. Case does not count, and '-' and
// '_' are the same letter (people type either in a key).
//
// Near enough is one edit for a short word, up to a third of its letters
// for a long one. A word of four letters or more may also be a slip for
// the start of a longer candidate ("Frist" for "FirstName"); that counts
// one edit more than the slip itself, so a whole-word match of the same
// distance is preferred. On a tie the earlier candidate wins.
func Closest(word string, candidates []string) string {
	w := []rune(fold(word))
	limit := max(1, len(w)/3)
	best, bestScore := "", limit+2
	for _, c := range candidates {
		if score, ok := slip(w, []rune(fold(c)), limit); ok && score < bestScore {
			best, bestScore = c, score
		}
	}
	return best
}

// slip scores how far w is from c, and whether it is near enough.
func slip(w, c []rune, limit int) (int, bool) {
	if d := distance(w, c); d <= limit {
		return d, true
	}
	if len(w) >= 4 && len(c) > len(w) {
		if d := distance(w, c[:len(w)]); d <= limit {
			return d + 1, true
		}
	}
	return 0, false
}

func fold(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "-", "_")
}

// distance is the optimal-string-alignment edit distance between ra and
// rb: an insertion, deletion, substitution or swap of two neighbours each
// counts one ("nmae" is one edit from "name").
func distance(ra, rb []rune) int {
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
