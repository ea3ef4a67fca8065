//! Clicking through the dashboard in a real browser (headless Chromium): a chart's bar
//! shows its tooltip when focused and leads to its commits, a sha to its commit page, a
//! name to that person's view; at 1400 px the pages use the width with no date or count
//! wrapped and no table clipped; on a phone the lists become cards and the charts are drawn
//! for the phone; an unknown address answers inside the frame. Screenshots of each page are
//! kept under `target/screenshots/`.

use gitdash_tests::{
    chrome::Chrome,
    databases::{Backend, TestDatabase},
    eventually,
    git_fixture::GitRepo,
    processes::Stack,
};

/// Three people over a few weeks, a merge and a bot's commit.
fn a_project_with_a_merge_and_a_bot() -> GitRepo {
    let repo = GitRepo::named("parser");
    repo.write("README.md", "# Parser\n");
    repo.commit("Start the parser");
    repo.pass_time(9 * 86_400);
    repo.git(["checkout", "-q", "-b", "fix"]);
    repo.write("src/lexer.rs", "fn lex() {}\n");
    repo.commit_as(
        b"Grace Hopper",
        b"grace@example.org",
        b"Fix the tokenizer on empty input\n\nAn empty file now gives one EOF token.",
    );
    repo.git(["checkout", "-q", "main"]);
    repo.pass_time(5 * 86_400);
    repo.merge("fix");
    repo.write("Cargo.lock", "# lock\n");
    repo.commit_as(b"dependabot[bot]", b"49699333+dependabot[bot]@users.noreply.github.com", b"Bump serde");
    repo.pass_time(4 * 86_400);
    repo.write("src/parser.rs", "fn parse() {}\n".repeat(1500));
    repo.commit_as(
        b"Linus",
        b"linus@example.org",
        b"Add the parser with a very long summary line that goes on for a while",
    );
    repo
}

/// Elements of the page that wrap onto a second line although they are meant to stay on
/// one (dates, counts), and whether any table sticks out of the page.
const LAYOUT_PROBLEMS: &str = "
    const wrapped = [...document.querySelectorAll('.nowrap, td.num, time')].filter(e => {
        const range = document.createRange(); range.selectNodeContents(e);
        return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
    }).map(e => e.textContent);
    const main = document.querySelector('main').getBoundingClientRect();
    const clipped = [...document.querySelectorAll('table')].filter(t => t.getBoundingClientRect().right > main.right + 1)
        .map(t => t.className);
    return { wrapped, clipped, main_width: main.width, page_overflow: document.documentElement.scrollWidth - window.innerWidth };
";

#[tokio::test]
async fn bars_shas_and_names_lead_on_and_pages_use_a_wide_screen() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (id, run) = web.add_and_sync(a_project_with_a_merge_and_a_bot().path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let chrome = Chrome::start("click-through", 1400, 1000).await;
    chrome.sign_in(&web.base, "alice").await;

    // A first visit: the history is years old, so the overview shows the year up to it.
    chrome.goto(&web.url(&format!("/?repository={id}"))).await;
    let note = chrome.text_of("p.note").await;
    assert!(note.contains("showing the 12 months up to the latest commit"), "{note}");
    let left_out = chrome.text_of("p.left-out").await;
    assert!(left_out.contains("1 merge and 1 commit by bots"), "{left_out}");
    chrome.screenshot("overview").await;

    // Focus a bar (as a tap does): its tooltip shows the period and the count.
    let tip = chrome
        .client
        .execute(
            "const slot = [...document.querySelectorAll('svg.wide .slot')].find(s => s.querySelector('a.hit'));
             const tip = slot.querySelector('.tip');
             const before = getComputedStyle(tip).visibility;
             slot.focus();
             return [before, getComputedStyle(tip).visibility, tip.textContent];",
            vec![],
        )
        .await
        .expect("focus a bar");
    assert_eq!(tip[0], "hidden", "no tooltip until asked: {tip}");
    assert_eq!(tip[1], "visible", "the tooltip shows on focus: {tip}");
    assert!(tip[2].as_str().is_some_and(|t| t.contains("1 commit") && t.contains("2023")), "{tip}");
    chrome.screenshot("overview-tooltip").await;

    // The bar leads to the commits behind it.
    chrome.find("svg.wide a.hit").await.click().await.expect("click a bar");
    eventually(20, "the commits of the bar's period", || async {
        let url = chrome.url().await;
        (url.contains("/commits?") && url.contains("since=") && url.contains("until=")).then_some(())
    })
    .await;
    assert!(chrome.text_of("main table").await.contains("Start the parser"));
    chrome.screenshot("commits-of-a-bar").await;

    // A sha leads to its commit page, a name to that person's view.
    chrome.goto(&web.url(&format!("/commits?repository={id}&q=tokenizer"))).await;
    assert!(chrome.text_of("main").await.contains("1 commit matches"));
    chrome.find("td[data-label=Hash] a").await.click().await.expect("click the sha");
    chrome.wait_for_url(&web.url(&format!("/repositories/{id}/commits/"))).await;
    assert!(chrome.text_of("main").await.contains("An empty file now gives one EOF token."));
    chrome.screenshot("commit").await;
    chrome.find("dl.facts a[href^='/person']").await.click().await.expect("click the author");
    chrome.wait_for_url(&web.url("/person?")).await;
    assert!(chrome.text_of("main h1").await.starts_with("Grace Hopper"));
    chrome.screenshot("person").await;

    // At 1400 px: the width is used, nothing that should stay on one line wraps, no table
    // is cut off.
    for (name, path) in [
        ("commits", format!("/commits?repository={id}")),
        ("committers", format!("/committers?repository={id}&bots=include")),
        ("statistics", format!("/statistics?repository={id}&range=all")),
        ("repositories", "/repositories".to_owned()),
    ] {
        chrome.goto(&web.url(&path)).await;
        let layout = chrome.client.execute(LAYOUT_PROBLEMS, vec![]).await.expect("measure");
        assert_eq!(layout["wrapped"], serde_json::json!([]), "{name}: {layout}");
        assert_eq!(layout["clipped"], serde_json::json!([]), "{name}: {layout}");
        assert!(layout["main_width"].as_f64().is_some_and(|w| w > 1100.0), "{name} uses the width: {layout}");
        assert!(layout["page_overflow"].as_i64().is_some_and(|px| px <= 0), "{name}: {layout}");
        let current = chrome.text_of("nav.side a[aria-current=page]").await;
        assert!(!current.is_empty(), "{name}: the side navigation marks the page");
        chrome.screenshot(name).await;
    }

    chrome.goto(&web.url("/no/such/page")).await;
    assert_eq!(chrome.text_of("main h1").await, "Not found");
    assert!(chrome.shows("nav.side a[href='/commits']").await, "the 404 page keeps the frame");
    chrome.screenshot("not-found").await;
    chrome.quit().await;
}

#[tokio::test]
async fn on_a_phone_lists_are_cards_and_charts_are_drawn_for_the_phone() {
    let stack = Stack::new(TestDatabase::new(Backend::Sqlite).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (id, _) = web.add_and_sync(a_project_with_a_merge_and_a_bot().path()).await;
    let chrome = Chrome::start_phone("click-through-phone", 390, 844).await;
    chrome.sign_in(&web.base, "bob").await;

    chrome.goto(&web.url(&format!("/commits?repository={id}"))).await;
    let cards = chrome
        .client
        .execute(
            "const row = document.querySelector('table.list tbody tr');
             const header = document.querySelector('table.list thead').getBoundingClientRect();
             return [getComputedStyle(row).display, row.getBoundingClientRect().width, header.height];",
            vec![],
        )
        .await
        .expect("measure");
    assert_eq!(cards[0], "block", "each commit is a card: {cards}");
    assert!(cards[1].as_f64().is_some_and(|w| w > 300.0), "a card spans the phone's width: {cards}");
    chrome.screenshot("commits").await;

    chrome.goto(&web.url(&format!("/?repository={id}&range=all"))).await;
    let charts = chrome
        .client
        .execute(
            "const shown = s => getComputedStyle(document.querySelector(s)).display !== 'none';
             const label = document.querySelector('svg.narrow .label');
             return [shown('svg.chart.wide'), shown('svg.chart.narrow'), label.getBoundingClientRect().height];",
            vec![],
        )
        .await
        .expect("measure");
    assert_eq!((charts[0].as_bool(), charts[1].as_bool()), (Some(false), Some(true)), "{charts}");
    assert!(charts[2].as_f64().is_some_and(|h| h >= 9.0), "axis labels are readable on the phone: {charts}");
    chrome.screenshot("overview").await;

    // A tap on a bar shows its tooltip (a touch screen has no hover), whose link leads on.
    let bar = "svg.narrow .slot:has(a.hit) rect.bar.up";
    chrome.find(bar).await.click().await.expect("tap a bar");
    assert!(chrome.url().await.contains("range=all"), "a tap alone does not leave the page");
    let tip = chrome.find("svg.narrow .slot:focus .tip").await;
    assert!(tip.text().await.expect("text").contains("See the list"), "the tooltip shows, with its link");
    chrome.screenshot("overview-tapped").await;
    chrome.find("svg.narrow .slot:focus .tip a").await.click().await.expect("follow the tooltip's link");
    eventually(20, "the commits of the tapped bar", || async {
        chrome.url().await.contains("/commits?").then_some(())
    })
    .await;

    // The API explorer renders at the phone's width, with a way back.
    chrome.goto(&web.url("/docs")).await;
    chrome.find("#ui .information-container").await;
    let width = chrome
        .client
        .execute("return [window.innerWidth, document.documentElement.scrollWidth]", vec![])
        .await
        .expect("measure");
    assert_eq!(width[0], 390, "the explorer is laid out for the phone, not for 980 px: {width}");
    assert!(width[1].as_i64().is_some_and(|w| w <= 390), "nothing wider than the phone: {width}");
    chrome.screenshot("docs").await;
    chrome.find("header.docs-top a[href='/']").await.click().await.expect("back to the dashboard");
    chrome.wait_for_url(&web.url("/")).await;
    chrome.quit().await;
}
