//! "Did you mean": the nearest known name to a misspelt one.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name = name.to_ascii_lowercase();
    let length = name.chars().count();
    let allowed = (length / 3).max(1);
    candidates
        .into_iter()
        // No edit distance is shorter than the difference in length.
        .filter(|candidate| candidate.chars().count().abs_diff(length) <= allowed)
        .map(|candidate| {
            let distance = strsim::osa_distance(&name, &candidate.to_ascii_lowercase());
            (distance, candidate)
        })
        .filter(|&(distance, _)| distance <= allowed)
        .min()
        .map(|(_, candidate)| candidate)
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
