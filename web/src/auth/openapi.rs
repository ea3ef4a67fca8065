//! [`Identity`] as a poem-openapi extractor: an operation that takes one is documented with
//! gitdash's two security schemes (a Bearer JWT, or the session cookie), and receives the
//! identity the guard has already established.

use poem::{Request, RequestBody};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
    registry::{MetaSecurityScheme, Registry},
};

use super::Identity;

const BEARER: &str = "bearer";
const COOKIE: &str = "session";

impl<'a> ApiExtractor<'a> for Identity {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        registry.create_security_scheme(
            BEARER,
            MetaSecurityScheme {
                ty: "http",
                description: Some("An access token (JWT) from the sign-in provider, with the API audience."),
                name: None,
                key_in: None,
                scheme: Some("bearer"),
                bearer_format: Some("JWT"),
                flows: None,
                openid_connect_url: None,
            },
        );
        registry.create_security_scheme(
            COOKIE,
            MetaSecurityScheme {
                ty: "apiKey",
                description: Some(
                    "The session cookie set at sign-in (`__Host-gitdash_session` over https). State-changing \
                     requests also need the session's token in `X-CSRF-Token`.",
                ),
                name: Some("gitdash_session"),
                key_in: Some("cookie"),
                scheme: None,
                bearer_format: None,
                flows: None,
                openid_connect_url: None,
            },
        );
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![BEARER, COOKIE]
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        // The guard in front of `/api/v1` refuses requests without one, so this only fails if
        // an operation is ever mounted outside it.
        request.extensions().get::<Identity>().cloned().ok_or_else(|| {
            poem::Error::from_response(crate::error::json(poem::http::StatusCode::UNAUTHORIZED, "sign in first"))
        })
    }
}
