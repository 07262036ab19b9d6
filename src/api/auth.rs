//! Server-side authentication: the API secret and the token signed with it.
//!
//! Stream authenticates a backend with an HS256 JWT signed with the app's secret. Like the Go,
//! Node and Rust SDKs, headcount signs `{"server": true}` without `iat` or `exp`: such a token
//! cannot be rejected for clock skew, so it is created once and reused for every request.

use std::fmt;
use std::str::FromStr;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

/// What a secret prints as, wherever it would otherwise be shown.
const REDACTED: &str = "(redacted)";

/// The API secret. Neither `Debug` nor `Display` shows the value, so a secret held in a parsed
/// command line, a config file or an error message cannot leak by being printed.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub(crate) struct ApiSecret(String);

impl ApiSecret {
    pub(crate) fn new(secret: impl Into<String>) -> ApiSecret {
        ApiSecret(secret.into())
    }

    /// The secret itself, for signing only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for ApiSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for ApiSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl FromStr for ApiSecret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(ApiSecret::new(s))
    }
}

/// The server token, sent verbatim (no `Bearer`) in the `Authorization` header. It grants full
/// access to the app, so its `Debug` is redacted too.
#[derive(Clone)]
pub(crate) struct ServerToken(String);

impl ServerToken {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ServerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerToken(<redacted>)")
    }
}

#[derive(Serialize)]
struct ServerClaims {
    server: bool,
}

/// Signs the server token. HMAC signing only fails if the crypto backend is missing, which the
/// error reports instead of panicking.
pub(crate) fn server_token(secret: &ApiSecret) -> Result<ServerToken, jsonwebtoken::errors::Error> {
    let key = EncodingKey::from_secret(secret.expose().as_bytes());
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &ServerClaims { server: true },
        &key,
    )?;
    Ok(ServerToken(token))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use jsonwebtoken::{DecodingKey, Validation};
    use serde_json::{Value, json};

    use super::*;

    fn decode_with(secret: &str, token: &ServerToken) -> jsonwebtoken::errors::Result<Value> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.required_spec_claims = HashSet::new();
        validation.validate_exp = false;
        let key = DecodingKey::from_secret(secret.as_bytes());
        jsonwebtoken::decode::<Value>(token.as_str(), &key, &validation).map(|data| data.claims)
    }

    #[test]
    fn token_is_hs256_signed_with_the_secret_and_claims_exactly_server_true() {
        let token = server_token(&ApiSecret::new("s3cr3t")).unwrap();
        let header = jsonwebtoken::decode_header(token.as_str()).unwrap();
        assert_eq!(header.alg, Algorithm::HS256);
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(
            decode_with("s3cr3t", &token).unwrap(),
            json!({"server": true})
        );
    }

    #[test]
    fn token_signed_with_another_secret_does_not_verify() {
        let token = server_token(&ApiSecret::new("s3cr3t")).unwrap();
        assert!(decode_with("other", &token).is_err());
    }

    #[test]
    fn token_has_no_bearer_prefix_and_is_stable() {
        let secret = ApiSecret::new("s3cr3t");
        let first = server_token(&secret).unwrap();
        assert_eq!(first.as_str().split('.').count(), 3);
        assert!(!first.as_str().starts_with("Bearer"));
        // No iat: the same secret always gives the same token.
        assert_eq!(first.as_str(), server_token(&secret).unwrap().as_str());
    }

    #[test]
    fn printing_never_shows_the_secret_or_the_token() {
        let secret: ApiSecret = "hunter2-secret".parse().unwrap();
        let token = server_token(&secret).unwrap();
        let printed = format!("{secret} {secret:?} {:?} {token:?}", Some(&secret));
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains(token.as_str()), "{printed}");
        assert!(printed.contains("redacted"));
    }

    #[test]
    fn a_secret_reads_from_a_config_string() {
        let secret: ApiSecret = serde_json::from_str(r#""hunter2""#).unwrap();
        assert_eq!(secret.expose(), "hunter2");
    }
}
