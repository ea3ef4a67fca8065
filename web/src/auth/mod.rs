//! Signing in with OpenID Connect (Okta or any provider), sessions, Bearer tokens for the API,
//! CSRF protection and who may do what.

pub mod bearer;
pub mod guard;
pub mod http;
pub mod okta;
mod openapi;
pub mod provider;
pub mod return_to;
pub mod routes;
pub mod session;

use std::sync::Arc;

use gitdash_shared::{auth_config::AuthConfig, entities::user, queries::Caller};
use poem::web::cookie::{Cookie, SameSite};

use self::{okta::Okta, provider::Provider, session::Sessions};

pub struct Auth {
    pub config: Arc<AuthConfig>,
    pub provider: Arc<Provider>,
    pub sessions: Sessions,
    pub okta: Option<Okta>,
}

/// The signed-in person behind a request, as the guard found them.
#[derive(Debug, Clone)]
pub struct Identity {
    pub user: user::Model,
    pub caller: Caller,
    /// The session's id and CSRF token, when the request came with the session cookie.
    pub session: Option<SessionRef>,
}

#[derive(Debug, Clone)]
pub struct SessionRef {
    pub id: String,
    pub csrf_token: String,
}

impl Auth {
    /// `__Host-` when served over https: the browser then insists on Secure, Path=/ and no
    /// Domain, so no sibling site can set or shadow it.
    pub fn session_cookie(&self) -> &'static str {
        if self.config.secure_cookies() { "__Host-gitdash_session" } else { "gitdash_session" }
    }

    pub fn login_cookie(&self) -> &'static str {
        if self.config.secure_cookies() { "__Host-gitdash_login" } else { "gitdash_login" }
    }

    /// A cookie with the flags every gitdash cookie has.
    pub fn cookie(&self, name: &str, value: &str, max_age: std::time::Duration) -> Cookie {
        let mut cookie = Cookie::new_with_str(name, value);
        cookie.set_http_only(true);
        cookie.set_same_site(SameSite::Lax);
        cookie.set_secure(self.config.secure_cookies());
        cookie.set_path("/");
        cookie.set_max_age(max_age);
        cookie
    }

    /// An expired cookie that makes the browser drop `name`.
    pub fn removal(&self, name: &str) -> Cookie {
        self.cookie(name, "", std::time::Duration::ZERO)
    }

    /// Whether someone with this email and these groups may use gitdash at all.
    pub fn admits(&self, email: Option<&str>, email_verified: Option<bool>, groups: &[String]) -> Result<(), String> {
        let config = &self.config;
        if !config.allowed_email_domains.is_empty() {
            let domain = email.and_then(|e| e.rsplit_once('@')).map(|(_, d)| d.to_ascii_lowercase());
            let verified = email_verified != Some(false);
            if !verified || !domain.is_some_and(|d| config.allowed_email_domains.contains(&d)) {
                return Err("your email address is not in a domain allowed to use this gitdash".into());
            }
        }
        if !config.allowed_groups.is_empty() && !groups.iter().any(|g| config.allowed_groups.contains(g)) {
            return Err("you are not in a group allowed to use this gitdash".into());
        }
        Ok(())
    }

    pub fn caller(&self, user: &user::Model) -> Caller {
        let is_admin = self.config.admin_group.as_ref().is_some_and(|admin| user.group_names().contains(admin));
        Caller { user_id: user.id, is_admin }
    }
}
