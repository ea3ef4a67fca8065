//! A folder changed by more than a thousand commits, paged through: the commits API and the
//! commits page list exactly what `git log -- <folder>` lists, page after page, newest first,
//! with bots left out when asked and a date range applied; the page counts them all.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::{GitRepo, fast_import},
    idp::signed_in,
    processes::{Stack, Web},
};

/// 1,500 commits a day apart: four in five change `src/`, the rest `docs/`; every seventh
/// is by a bot.
fn busy_history() -> GitRepo {
    use std::io::Write;
    let mut stream = Vec::new();
    for i in 0..1_500 {
        let time = 1_600_000_000 + i * 86_400;
        let who = if i % 7 == 0 { "renovate[bot] <bot@example.org>" } else { "Ada <ada@example.org>" };
        let path = if i % 5 == 0 { format!("docs/page{}.md", i % 3) } else { format!("src/mod{}/file.rs", i % 4) };
        let (message, content) = (format!("Change {i}"), format!("version {i}\n"));
        writeln!(stream, "commit refs/heads/main").ok();
        writeln!(stream, "author {who} {time} +0000\ncommitter {who} {time} +0000").ok();
        writeln!(stream, "data {}\n{message}", message.len()).ok();
        writeln!(stream, "M 100644 inline {path}\ndata {}\n{content}", content.len()).ok();
    }
    fast_import(&stream)
}

/// Every sha the commits API lists for `query`, following `next_cursor` 200 at a time.
async fn every_page(web: &Web, id: i64, query: &str) -> Vec<String> {
    let mut shas = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = web.get(&format!("/api/v1/repositories/{id}/commits?limit=200&{query}{cursor}")).await;
        assert_eq!(status, 200, "{page}");
        let listed = page["commits"].as_array().expect("commits");
        shas.extend(listed.iter().map(|c| c["sha"].as_str().expect("sha").to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return shas,
        }
    }
}

fn git_log(repo: &GitRepo, args: &[&str]) -> Vec<String> {
    let mut command = vec!["log", "--format=%H"];
    command.extend_from_slice(args);
    repo.git(command).lines().map(str::to_owned).collect()
}

async fn a_busy_folder_is_paged_as_git_lists_it(backend: Backend) {
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let repo = busy_history();
    let (id, run) = web.add_and_sync(repo.path()).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let everyone = git_log(&repo, &["--", "src"]);
    assert_eq!(everyone.len(), 1_200);
    assert_eq!(every_page(&web, id, "path=src").await, everyone);
    let people = git_log(&repo, &["--author=Ada", "--", "src"]);
    assert_eq!(every_page(&web, id, "path=src&include_bots=false").await, people, "bots left out");
    let range = ["--since=2021-06-01T00:00:00Z", "--until=2022-06-01T00:00:00Z", "--", "src/mod1"];
    let query = "path=src/mod1&since=2021-06-01T00:00:00Z&until=2022-06-01T00:00:00Z";
    assert_eq!(every_page(&web, id, query).await, git_log(&repo, &range), "a date range");

    // The page counts every commit of the folder (bots left out by default) and pages back
    // and forth through them.
    let browser = signed_in(&web.base, "alice").await;
    let get = |path: String| {
        let (client, url) = (browser.client.clone(), web.url(&path.replace("&#38;", "&")));
        async move { client.get(url).send().await.expect("page").text().await.expect("html") }
    };
    let first = get(format!("/commits?repository={id}&range=all&path=src")).await;
    let counted = format!("{} commits match changing <code>src</code>", thousands(people.len()));
    assert!(first.contains(&counted), "{counted}: {first}");
    assert_lists(&first, &people, 0..50);
    let second = get(link(&first, "Older commits").expect("a link to older commits")).await;
    assert_lists(&second, &people, 50..100);
    let third = get(link(&second, "Older commits").expect("a link to older commits")).await;
    assert_lists(&third, &people, 100..150);
    let back = get(link(&third, "Newer commits").expect("a link back to newer commits")).await;
    assert_lists(&back, &people, 50..100);
    let newest = get(link(&back, "Newer commits").expect("a link back to newer commits")).await;
    assert_lists(&newest, &people, 0..50);
    assert!(link(&newest, "Newer commits").is_none(), "nothing is newer than the newest");
}

/// The page lists `shas[range]`, in that order, and none next to them.
fn assert_lists(html: &str, shas: &[String], range: std::ops::Range<usize>) {
    let at = |k: usize| html.find(&shas[k][..10]);
    let positions: Vec<Option<usize>> = range.clone().map(at).collect();
    assert!(positions.iter().all(Option::is_some), "commits {range:?} listed: {html}");
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "commits {range:?} newest first");
    let before = range.start.checked_sub(1).and_then(at);
    assert!(before.is_none() && shas.get(range.end).and_then(|s| html.find(&s[..10])).is_none(), "{range:?} only");
}

/// The target of the page's link whose text starts with `text`.
fn link(html: &str, text: &str) -> Option<String> {
    let at = html.find(&format!("\">{text}")).or_else(|| html.find(&format!("\">← {text}")))?;
    let start = html[..at].rfind("href=\"")? + "href=\"".len();
    Some(html[start..at].to_owned())
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[tokio::test]
async fn a_busy_folder_is_paged_as_git_lists_it_on_sqlite() {
    a_busy_folder_is_paged_as_git_lists_it(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_busy_folder_is_paged_as_git_lists_it_on_postgres() {
    a_busy_folder_is_paged_as_git_lists_it(Backend::Postgres).await;
}
