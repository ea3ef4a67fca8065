//! How numbers and counts read on a page: thousands separators (`60,752`, from the shared
//! `numbers`) and plurals that agree with their number ("1 commit", "2 commits"). The API keeps plain numbers.

pub use gitdash_shared::numbers::grouped;

/// "1 commit", "2,465 committers": the count grouped, the noun agreeing with it.
pub fn count(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", grouped(n), if n == 1 { one } else { many })
}

/// The filters templates call: `{{ n|num }}` and `{{ n|counted("commit", "commits") }}`.
pub mod filters {
    use std::fmt::Display;

    /// Any integer the page shows, grouped by thousands.
    #[askama::filter_fn]
    pub fn num<T: Display>(value: T, _env: &dyn askama::Values) -> askama::Result<String> {
        let text = value.to_string();
        Ok(text.parse::<i64>().map(super::grouped).unwrap_or(text))
    }

    #[askama::filter_fn]
    pub fn counted<T: Display>(value: T, _env: &dyn askama::Values, one: &str, many: &str) -> askama::Result<String> {
        let text = value.to_string();
        Ok(match text.parse::<i64>() {
            Ok(n) => super::count(n, one, many),
            Err(_) => format!("{text} {many}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nouns_agree_with_their_count() {
        assert_eq!(count(1, "committer", "committers"), "1 committer");
        assert_eq!(count(0, "committer", "committers"), "0 committers");
        assert_eq!(count(2465, "committer", "committers"), "2,465 committers");
    }
}
