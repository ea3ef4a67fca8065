//! The signed-in overview at `/`: the Commit History chart and totals, for all repositories
//! or one, over the chosen range — all of it in the URL.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::spread_history,
    idp::signed_in,
    processes::Stack,
};

#[tokio::test]
async fn the_overview_charts_the_history_and_its_totals_equal_the_database() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = spread_history();
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let browser = signed_in(&web.base, "alice").await;
    let page = |path: String| {
        let client = browser.client.clone();
        let url = web.url(&path);
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };

    let html = page(format!("/?repository={id}&range=all")).await;
    assert!(html.contains("Commit History") && html.contains("<svg"), "{html}");
    assert!(html.contains("<strong>40</strong> commits"), "{html}");
    assert!(html.contains("<strong>2</strong> committers"), "{html}");
    assert!(html.contains("aria-current=\"page\">All time"), "the chosen range is marked");
    // Over more than two years, one bar per month from the first commit to today, each with
    // its tooltip.
    let (_, api) = web.get(&format!("/api/v1/repositories/{id}/activity?bucket=month&since=2023-11-14")).await;
    let months = api["points"].as_array().expect("points").len();
    // Drawn twice (for a wide screen and for a phone), each bar with its tooltip.
    assert_eq!(html.matches("<rect class=\"bar up\"").count(), 2 * months);
    assert_eq!(html.matches("<g class=\"tip\">").count(), 2 * months, "a tooltip per bar");
    assert!(html.contains("Mar 2024") || html.contains("2024"), "months carry their year");

    // A first visit names no range: the history ended long ago, so the page shows the 12
    // months up to its last commit instead of 30 empty days, and says so.
    let first_visit = page(format!("/?repository={id}")).await;
    assert!(
        first_visit.contains("Nothing in the last 30 days; showing the 12 months up to the latest commit"),
        "{first_visit}"
    );
    assert!(!first_visit.contains("<strong>0</strong> commits"), "the chosen range has commits: {first_visit}");

    let html = page("/?range=week".into()).await;
    assert!(html.contains("<strong>0</strong> commits"), "nothing this week, when asked for: {html}");
    assert!(html.contains("All repositories"));

    // No inline script anywhere, and a policy that would refuse one.
    let response = browser.client.get(web.url("/")).send().await.expect("page");
    let csp = response.headers()["content-security-policy"].to_str().expect("ascii").to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert!(!response.text().await.expect("html").contains("<script"));

    let visitor = reqwest::get(web.url("/")).await.expect("landing").text().await.expect("html");
    assert!(!visitor.contains("<svg") && visitor.contains("Sign in"), "visitors see no data");
}
