//! "Did you mean": the nearest known name to a misspelt one.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name = name.to_ascii_lowercase();
    let length = name.chars().count();
    let allowed = (length / 3).max(1);
    let letters = Letters::of(&name);
    candidates
        .into_iter()
        // No edit distance is shorter than the difference in length, nor than the letters
        // one has and the other lacks: both cheap, and most candidates stop here.
        .filter(|candidate| candidate.chars().count().abs_diff(length) <= allowed)
        .filter(|candidate| letters.apart(candidate) <= allowed)
        .map(|candidate| {
            let distance = strsim::osa_distance(&name, &candidate.to_ascii_lowercase());
            (distance, candidate)
        })
        .filter(|&(distance, _)| distance <= allowed)
        .min()
        .map(|(_, candidate)| candidate)
}

/// How many of each ASCII letter and digit a name has (case folded; anything else counts
/// as one kind), for a lower bound on the edit distance between two names.
struct Letters([u8; 37]);

impl Letters {
    fn slot(c: char) -> usize {
        match c.to_ascii_lowercase() {
            c @ 'a'..='z' => c as usize - 'a' as usize,
            c @ '0'..='9' => 26 + c as usize - '0' as usize,
            _ => 36,
        }
    }

    fn of(name: &str) -> Self {
        let mut counts = [0u8; 37];
        for c in name.chars() {
            let slot = &mut counts[Self::slot(c)];
            *slot = slot.saturating_add(1);
        }
        Letters(counts)
    }

    /// The larger of what `other` lacks of these letters and what it has beyond them: each
    /// edit (insertion, deletion, substitution, transposition) changes either by one at
    /// most, so no edit distance is shorter.
    fn apart(&self, other: &str) -> usize {
        let theirs = Letters::of(other);
        let (mut missing, mut extra) = (0usize, 0usize);
        for (&mine, &their) in self.0.iter().zip(&theirs.0) {
            if mine > their {
                missing += usize::from(mine - their);
            } else {
                extra += usize::from(their - mine);
            }
        }
        missing.max(extra)
    }
}

/// `did you mean `x`?`, or nothing when no candidate is close.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates).map(|candidate| format!("did you mean `{candidate}`?"))
}

/// How many names of one kind may be compared with every candidate: a file that misspells
/// ten thousand names against ten thousand candidates would otherwise take a hundred million
/// comparisons. Past it, names get no suggestion; their findings are past the report's limit
/// per code too ([`crate::finding::diagnostic::DEFAULT_PER_CODE`]), so are counted, not
/// listed.
pub const SUGGESTED: usize = 100;

/// The suggestions left for one kind of name, [`SUGGESTED`] to start with.
#[derive(Debug, Clone)]
pub struct Budget {
    left: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { left: SUGGESTED }
    }
}

impl Budget {
    /// `candidates` while the budget lasts, each call spending one; then none, and the
    /// candidates are never gone through.
    pub fn spend<I: IntoIterator>(&mut self, candidates: I) -> std::iter::Take<I::IntoIter> {
        let open = self.try_spend();
        candidates
            .into_iter()
            .take(if open { usize::MAX } else { 0 })
    }

    /// Whether one more search may go through every candidate, spending it if so.
    pub fn try_spend(&mut self) -> bool {
        let open = self.left > 0;
        self.left = self.left.saturating_sub(1);
        open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_and_ignores_strangers() {
        let keys = ["address", "site", "fqdn"];
        assert_eq!(closest("adress", keys), Some("address"));
        assert_eq!(closest("Sitte", keys), Some("site"));
        assert_eq!(closest("weight", keys), None);
    }

    proptest::proptest! {
        #[test]
        fn the_letter_bound_is_a_lower_bound(a in "[a-c0-2-]{0,8}", b in "[a-c0-2-]{0,8}") {
            proptest::prop_assert!(Letters::of(&a).apart(&b) <= strsim::osa_distance(&a, &b));
        }
    }

    #[test]
    fn the_letter_bound_never_exceeds_the_distance() {
        let names = [
            "site", "sitte", "stie", "address", "adress", "tok-1", "tok-12", "ny-1", "", "x",
        ];
        for a in names {
            for b in names {
                let bound = Letters::of(a).apart(b);
                let distance = strsim::osa_distance(a, b);
                assert!(bound <= distance, "{a} {b}: {bound} > {distance}");
            }
        }
    }

    #[test]
    fn a_budget_stops_suggesting_once_spent() {
        let keys = ["address", "site"];
        let mut budget = Budget::default();
        for _ in 0..SUGGESTED {
            assert_eq!(closest("adress", budget.spend(keys)), Some("address"));
        }
        assert_eq!(closest("adress", budget.spend(keys)), None);
        let mut touched = false;
        let _ = closest(
            "adress",
            budget.spend(keys.iter().map(|k| {
                touched = true;
                *k
            })),
        );
        assert!(!touched, "a spent budget goes through no candidate");
    }
}
