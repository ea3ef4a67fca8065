//! Who knows a file, from history alone (no `git blame`): the degree-of-authorship model
//! (Fritz et al.) with the weights and thresholds Avelino et al. use to estimate truck
//! factors ("A novel approach for estimating truck factors", ICPC 2016), and their greedy
//! truck-factor algorithm.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// One person's work on one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Work<P> {
    pub person: P,
    /// Their commits to the file (deliveries).
    pub commits: i64,
    /// Whether they created it (made its first commit).
    pub created: bool,
}

/// Everyone's work on one file from (person, commits, first commit) rows: whoever committed
/// first created it (ties: the smaller person, so the answer does not depend on order).
pub fn credit<P: Clone + Ord, T: Ord>(rows: impl IntoIterator<Item = (P, i64, T)>) -> Vec<Work<P>> {
    let rows: Vec<(P, i64, T)> = rows.into_iter().collect();
    let creator = rows.iter().min_by(|a, b| (&a.2, &a.0).cmp(&(&b.2, &b.0))).map(|r| r.0.clone());
    rows.into_iter()
        .map(|(person, commits, _)| Work { created: Some(&person) == creator.as_ref(), person, commits })
        .collect()
}

/// Degree of authorship: `3.293 + 1.098·FA + 0.164·DL − 0.321·ln(1 + AC)`, with FA whether
/// the person created the file, DL their commits to it and AC everyone else's.
pub fn degree(created: bool, commits: i64, others: i64) -> f64 {
    3.293 + 1.098 * f64::from(u8::from(created)) + 0.164 * commits as f64 - 0.321 * (1.0 + others as f64).ln()
}

/// A file's authors: the people whose degree is at least 3.293 and at least 75 % of the
/// file's highest.
pub fn authors_of<P: Clone>(work: &[Work<P>]) -> Vec<P> {
    let total: i64 = work.iter().map(|w| w.commits).sum();
    let degrees: Vec<f64> = work.iter().map(|w| degree(w.created, w.commits, total - w.commits)).collect();
    let highest = degrees.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    work.iter()
        .zip(&degrees)
        .filter(|(_, d)| **d >= 3.293 && **d >= 0.75 * highest)
        .map(|(w, _)| w.person.clone())
        .collect()
}

/// The truck factor of files whose authors are `files`: how many people must leave before
/// more than half of the files have no author left, removing first whoever authors the most
/// of them (ties: the smaller person, so the answer does not depend on order). Returns the
/// people removed, in order; the factor is their number.
pub fn truck_factor<P: Clone + Eq + Hash + Ord>(files: &[Vec<P>]) -> Vec<P> {
    let mut gone: HashSet<P> = HashSet::new();
    let mut removed = Vec::new();
    if files.is_empty() {
        return removed;
    }
    loop {
        let mut authored: HashMap<&P, usize> = HashMap::new();
        let mut covered = 0;
        for authors in files {
            let mut any = false;
            for person in authors.iter().filter(|p| !gone.contains(*p)) {
                *authored.entry(person).or_default() += 1;
                any = true;
            }
            covered += usize::from(any);
        }
        // Stop once more than half of the files have no author left.
        if covered * 2 < files.len() {
            return removed;
        }
        let top = authored
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(person, _)| person.clone())
            .expect("a covered file has an author");
        gone.insert(top.clone());
        removed.push(top);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(person: &'static str, commits: i64, created: bool) -> Work<&'static str> {
        Work { person, commits, created }
    }

    #[test]
    fn whoever_committed_first_created_the_file_and_ties_go_to_the_smaller_name() {
        let credited = credit([("bob", 3, 20), ("ada", 1, 10), ("cy", 2, 10)]);
        let created: Vec<&str> = credited.iter().filter(|w| w.created).map(|w| w.person).collect();
        assert_eq!(created, ["ada"]);
        assert_eq!(credited.iter().map(|w| w.commits).sum::<i64>(), 6);
    }

    #[test]
    fn the_creator_who_did_most_of_the_work_is_the_only_author() {
        assert_eq!(authors_of(&[work("ada", 10, true), work("bob", 1, false)]), ["ada"]);
    }

    #[test]
    fn two_people_with_similar_work_both_author_a_file() {
        assert_eq!(authors_of(&[work("ada", 6, true), work("bob", 8, false)]), ["ada", "bob"]);
    }

    #[test]
    fn someone_among_many_changes_by_others_authors_nothing() {
        // 3.293 + 0.164 - 0.321 ln(1 + 60) < 3.293: below the threshold even as the top.
        assert!(authors_of(&[work("ada", 1, false), work("bob", 60, false)]).contains(&"bob"));
        assert!(!authors_of(&[work("ada", 1, false), work("bob", 60, false)]).contains(&"ada"));
    }

    #[test]
    fn the_truck_factor_removes_the_largest_author_until_half_the_files_are_orphans() {
        let files = vec![vec!["ada"], vec!["ada"], vec!["ada", "bob"], vec!["bob"], vec!["cy"]];
        // Without ada: files 3, 4, 5 covered (3 of 5); without bob too: 1 of 5.
        assert_eq!(truck_factor(&files), ["ada", "bob"]);
        assert_eq!(truck_factor(&[vec!["ada"], vec!["ada"], vec!["bob"]]), ["ada"]);
        assert!(truck_factor::<&str>(&[vec![], vec![], vec!["ada"]]).is_empty());
        assert!(truck_factor::<&str>(&[]).is_empty());
    }
}
