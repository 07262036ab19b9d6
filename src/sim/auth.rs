//! Server-side authentication as Stream does it: the `api_key` query parameter, a raw HS256
//! JWT in `Authorization`, and `Stream-Auth-Type: jwt`.
//!
//! Every official SDK's server token is accepted: Go, Node and Rust send `{"server": true}`,
//! PHP and Ruby add `iat`, Python sends `{}`.

use axum::http::HeaderMap;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::error::{ErrorCode, Refusal};

/// Lets iat be slightly ahead of this clock, as the SDKs' own backdating allows.
const IAT_LEEWAY_SECS: u64 = 5;

/// Checks the credentials of one app.
pub(crate) struct Authenticator {
    api_key: String,
    key: DecodingKey,
    validation: Validation,
}

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    iat: Option<f64>,
}

impl Authenticator {
    pub(crate) fn new(api_key: &str, api_secret: &str) -> Authenticator {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.required_spec_claims.clear();
        validation.leeway = 0;
        Authenticator {
            api_key: api_key.to_owned(),
            key: DecodingKey::from_secret(api_secret.as_bytes()),
            validation,
        }
    }

    /// Accepts the request or says why not, with Stream's error codes.
    pub(crate) fn check(&self, api_key: Option<&str>, headers: &HeaderMap) -> Result<(), Refusal> {
        match api_key {
            Some(key) if key == self.api_key => {}
            Some(key) => {
                return Err(Refusal::new(
                    ErrorCode::AccessKey,
                    format!("api_key \"{key}\" is not valid"),
                ));
            }
            None => {
                return Err(Refusal::new(
                    ErrorCode::AccessKey,
                    "api_key is missing from the query string",
                ));
            }
        }
        let auth_type = header(headers, "stream-auth-type");
        if !auth_type.is_some_and(|t| t.eq_ignore_ascii_case("jwt")) {
            return Err(Refusal::new(
                ErrorCode::Authentication,
                "the Stream-Auth-Type header must be \"jwt\" for server-side requests",
            ));
        }
        let token = header(headers, "authorization")
            .map(|value| value.strip_prefix("Bearer ").unwrap_or(value).trim())
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                Refusal::new(
                    ErrorCode::Authentication,
                    "JWTAuth error: the Authorization header is missing",
                )
            })?;
        self.verify(token)
    }

    fn verify(&self, token: &str) -> Result<(), Refusal> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|err| self.rejection(err.kind()))?
            .claims;
        let now = jsonwebtoken::get_current_timestamp();
        if claims
            .iat
            .is_some_and(|iat| iat > (now + IAT_LEEWAY_SECS) as f64)
        {
            return Err(Refusal::new(
                ErrorCode::TokenBeforeIssuedAt,
                "JWTAuth error: token used before issue at (iat)",
            ));
        }
        Ok(())
    }

    fn rejection(&self, kind: &ErrorKind) -> Refusal {
        match kind {
            ErrorKind::InvalidSignature => Refusal::new(
                ErrorCode::TokenSignature,
                format!(
                    "JWTAuth error: signature is not valid. Make sure the token is created \
                     using the secret for API key \"{}\"",
                    self.api_key
                ),
            ),
            ErrorKind::ExpiredSignature => {
                Refusal::new(ErrorCode::TokenExpired, "JWTAuth error: token has expired")
            }
            ErrorKind::ImmatureSignature => Refusal::new(
                ErrorCode::TokenNotValidYet,
                "JWTAuth error: token is not valid yet (nbf)",
            ),
            ErrorKind::InvalidAlgorithm => Refusal::new(
                ErrorCode::Authentication,
                "JWTAuth error: server tokens must be signed with HS256",
            ),
            _ => Refusal::new(
                ErrorCode::Authentication,
                "JWTAuth error: token is malformed; expected a JWT signed with the API secret",
            ),
        }
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}
