//! Headless Chromium driven over WebDriver: Debian's `chromium` and `chromium-driver`
//! (`.ci/run` installs them). Each test starts its own chromedriver, stopped when dropped.
//! Screenshots go to `target/screenshots/<test>/` for a person to look at.

use std::{
    cell::Cell,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};

/// A browser session and the chromedriver serving it.
pub struct Chrome {
    pub client: Client,
    driver: Child,
    shots: PathBuf,
    taken: Cell<u32>,
    _profile: tempfile::TempDir,
}

fn program(variable: &str, default: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| default.to_owned())
}

/// `target/screenshots/<test>`, under the workspace's target directory.
fn screenshot_dir(test: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("target"));
    target.join("screenshots").join(test)
}

impl Chrome {
    /// Starts chromedriver (`CHROMEDRIVER`, default `chromedriver`) and a headless Chromium
    /// (`CHROMIUM`, default `/usr/bin/chromium`) with a fresh profile, at `width`×`height`.
    pub async fn start(test: &str, width: u32, height: u32) -> Self {
        Self::launch(test, width, height, false).await
    }

    /// Like [`start`](Self::start), emulating a phone's screen (a desktop window cannot be
    /// made that narrow).
    pub async fn start_phone(test: &str, width: u32, height: u32) -> Self {
        Self::launch(test, width, height, true).await
    }

    async fn launch(test: &str, width: u32, height: u32, phone: bool) -> Self {
        let port = crate::processes::free_port();
        let driver = Command::new(program("CHROMEDRIVER", "chromedriver"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (apt-get install chromium chromium-driver)");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut capabilities = fantoccini::wd::Capabilities::new();
        capabilities.insert("browserName".into(), "chrome".into());
        let mut options = serde_json::json!({
                "binary": program("CHROMIUM", "/usr/bin/chromium"),
                "args": [
                    "--headless=new",
                    // Tests run as root in containers, where Chromium's sandbox cannot start.
                    "--no-sandbox",
                    "--disable-dev-shm-usage",
                    "--disable-gpu",
                    "--lang=en-US",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
        });
        if phone {
            options["mobileEmulation"] = serde_json::json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2.0, "touch": true } });
        }
        capabilities.insert("goog:chromeOptions".into(), options);
        let webdriver = format!("http://127.0.0.1:{port}");
        let client = crate::eventually(20, "chromedriver to start a session", || {
            let capabilities = capabilities.clone();
            let webdriver = webdriver.clone();
            async move {
                let connector = hyper_util::client::legacy::connect::HttpConnector::new();
                ClientBuilder::new(connector).capabilities(capabilities).connect(&webdriver).await.ok()
            }
        })
        .await;
        let shots = screenshot_dir(test);
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).expect("screenshot dir");
        Self { client, driver, shots, taken: Cell::new(0), _profile: profile }
    }

    /// Saves what the browser shows as `NN-name.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let n = self.taken.get() + 1;
        self.taken.set(n);
        std::fs::write(self.shots.join(format!("{n:02}-{name}.png")), png).expect("save screenshot");
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The element `css` points at, waiting up to 10 s for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    /// Whether the page holds an element `css` points at, now.
    pub async fn shows(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    pub async fn url(&self) -> String {
        self.client.current_url().await.expect("current url").to_string()
    }

    pub async fn text_of(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// Waits until the page's URL starts with `prefix`.
    pub async fn wait_for_url(&self, prefix: &str) {
        crate::eventually(20, &format!("the browser to reach {prefix}"), || async {
            self.url().await.starts_with(prefix).then_some(())
        })
        .await;
    }

    /// Signs in at the provider's own forms: login, then consent (unless the provider skips
    /// it and sends the browser straight back to `gitdash`).
    pub async fn sign_in_at_the_provider(&self, user: &str, gitdash: &str) {
        self.find("input[name=login]").await.send_keys(user).await.expect("type login");
        self.find("input[name=password]").await.send_keys("any").await.expect("type password");
        self.screenshot("provider-sign-in").await;
        self.find("button[type=submit]").await.click().await.expect("sign in");
        // The click starts a navigation: until the consent page has replaced the login page,
        // a submit button found is the old page's, gone by the time it would be clicked.
        let asks_consent = crate::eventually(20, "the provider's consent page or gitdash", || async {
            if self.shows("input[name=prompt][value=consent]").await {
                Some(true)
            } else {
                self.url().await.starts_with(gitdash).then_some(false)
            }
        })
        .await;
        if asks_consent {
            self.find("button[type=submit]").await.click().await.expect("consent");
        }
    }

    /// Signs `user` in to gitdash at `base` from its sign-in link, ending on the overview.
    pub async fn sign_in(&self, base: &str, user: &str) {
        self.goto(&format!("{base}/login")).await;
        let home = format!("{base}/");
        self.sign_in_at_the_provider(user, &home).await;
        self.wait_for_url(&home).await;
    }

    /// Ends the session (the browser quits), then the driver.
    pub async fn quit(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
