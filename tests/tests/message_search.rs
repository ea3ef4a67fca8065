//! Searching commits finds messages holding every word of the search as the start of one of
//! their words, through each database's full-text index, with the same answers on SQLite and
//! PostgreSQL; the index follows the commits when a force push removes some.

use gitdash_tests::{
    databases::{Backend, TestDatabase},
    git_fixture::GitRepo,
    processes::{Stack, Web},
};

const MESSAGES: [&str; 7] = [
    "Crash fixed in src/parser.c",
    "Fix the tokenizer_state handling",
    "Better prefix handling for paths",
    "Release v2.30.1 with e-mail from alice@example.org",
    "Größe der Puffer anpassen",
    "100% coverage of the merge code",
    "Describe the backend\n\nThe body says why the reftable backend is faster.",
];

/// The summaries the commits API lists for a search, oldest first.
async fn found(web: &Web, repository: i64, q: &str) -> Vec<String> {
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    let (status, page) = web.get(&format!("/api/v1/repositories/{repository}/commits?q={q}")).await;
    assert_eq!(status, 200, "{page}");
    let mut summaries: Vec<String> = page["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| c["summary"].as_str().expect("summary").to_owned())
        .collect();
    summaries.reverse();
    summaries
}

async fn searches_find_words(backend: Backend) {
    let repo = GitRepo::new();
    let mut shas = Vec::new();
    for (i, message) in MESSAGES.iter().enumerate() {
        repo.write("file.txt", format!("{i}\n"));
        shas.push(repo.commit(message));
    }
    let stack = Stack::new(TestDatabase::new(backend).await);
    let web = stack.start_web().await;
    let _worker = stack.start_worker();
    let (id, run) = web.add_and_sync(repo.path().to_str().expect("utf-8 path")).await;
    assert_eq!(run["state"], "succeeded", "{run}");

    let summary = |i: usize| MESSAGES[i].lines().next().expect("summary").to_owned();
    let cases: [(&str, Vec<usize>, &str); 12] = [
        ("fix", vec![0, 1], "the start of a word, any case, and not inside \"prefix\""),
        ("parser CRASH", vec![0], "every word, in any order"),
        ("tokenizer", vec![1], "underscores separate words"),
        ("state", vec![1], "the part after an underscore"),
        ("example", vec![3], "e-mail addresses are words too"),
        ("30", vec![3], "version numbers are words too"),
        ("e mail", vec![3], "hyphenated words"),
        ("reftable", vec![6], "the message's body is searched"),
        ("größe", vec![4], "letters beyond ASCII"),
        ("%", vec![5], "text without a word is looked for as it is"),
        ("handling paths", vec![2], "the words need not be next to each other"),
        ("nothing", vec![], "no match"),
    ];
    for (q, expected, why) in cases {
        let expected: Vec<String> = expected.into_iter().map(summary).collect();
        assert_eq!(found(&web, id, q).await, expected, "search {q:?}: {why}");
    }
    assert_eq!(found(&web, id, &shas[2][..7]).await, [summary(2)], "a sha prefix");

    // A force push drops the last commit: the search no longer finds it.
    repo.git(["reset", "-q", "--hard", "HEAD~1"]);
    let run = web.sync_and_wait(id).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!(found(&web, id, "reftable").await, Vec::<String>::new(), "removed commits are not found");
    assert_eq!(found(&web, id, "fix").await, [summary(0), summary(1)], "the others still are");
}

#[tokio::test]
async fn searches_find_words_on_sqlite() {
    searches_find_words(Backend::Sqlite).await;
}

#[tokio::test]
async fn searches_find_words_on_postgres() {
    searches_find_words(Backend::Postgres).await;
}
