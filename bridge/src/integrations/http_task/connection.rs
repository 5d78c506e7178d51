//! A connection resolved from its settings: its credentials read, its client made, its
//! OAuth token cached. What it adds to a request never reaches history, logs or causes.

use super::form;
use crate::integrations::client::error::ClientError;
use crate::integrations::client::pool::{HttpClient, OutRequest};
use crate::integrations::settings::{ConnectionSettings, HttpParameters};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, Semaphore};

/// A credential, kept out of `Debug` output.
#[derive(Clone)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A mistake in `[[connections]]`, named with the connection.
#[derive(Debug, thiserror::Error)]
#[error("connection \"{name}\": {problem}")]
pub struct ConnectionError {
    pub name: String,
    pub problem: String,
}

#[derive(Debug)]
pub enum Auth {
    None,
    ApiKey { header: String, value: Secret },
    Basic { username: String, password: Secret },
    OAuth(Box<OAuth>),
}

/// OAuth client credentials, and the token last obtained with them.
#[derive(Debug)]
pub struct OAuth {
    pub endpoint: String,
    pub method: hyper::Method,
    pub client_id: String,
    pub client_secret: Secret,
    pub parameters: HttpParameters,
    token: Mutex<Option<Token>>,
}

#[derive(Debug, Clone)]
struct Token {
    value: Secret,
    /// Refreshed a little before this.
    expires: Option<Instant>,
}

/// Why a connection's credentials could not be had: the task fails with it.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the OAuth token endpoint of connection {connection} could not be reached: {source}")]
    Unreachable { connection: String, source: ClientError },
    #[error("the OAuth token endpoint of connection {connection} answered {status} instead of a token")]
    Refused { connection: String, status: u16 },
    #[error("the OAuth token endpoint of connection {connection} answered without an access_token")]
    NoToken { connection: String },
}

pub struct Connection {
    pub name: String,
    pub auth: Auth,
    pub parameters: HttpParameters,
    pub client: Arc<HttpClient>,
    /// Bounds the requests in flight through this connection.
    pub permits: Arc<Semaphore>,
}

/// Bodies read from endpoints and token endpoints at most.
pub const MAX_RESPONSE: usize = 8 * 1024 * 1024;

impl Connection {
    /// Reads the connection's secrets (`lookup` is the environment) and makes its client.
    pub fn resolve(
        s: &ConnectionSettings,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Connection, ConnectionError> {
        let problem = |p: String| ConnectionError { name: s.name.clone(), problem: p };
        let secret =
            |env: &Option<String>, file: &Option<std::path::PathBuf>, what: &str| -> Result<Secret, ConnectionError> {
                match (env, file) {
                    (Some(var), None) => lookup(var).map(Secret).ok_or_else(|| {
                        problem(format!("the environment variable {var} holding its {what} is not set"))
                    }),
                    (None, Some(path)) => std::fs::read_to_string(path)
                        .map(|t| Secret(t.trim_end_matches(['\n', '\r']).to_string()))
                        .map_err(|e| problem(format!("cannot read its {what} from {}: {e}", path.display()))),
                    (Some(_), Some(_)) => {
                        Err(problem(format!("its {what} is given both as an environment variable and a file")))
                    }
                    (None, None) => {
                        Err(problem(format!("its {what} is missing: give it as *_env (a variable) or *_file (a path)")))
                    }
                }
            };
        let required = |v: &Option<String>, field: &str| -> Result<String, ConnectionError> {
            v.clone().ok_or_else(|| problem(format!("auth = \"{}\" needs {field}", s.auth)))
        };
        let auth = match s.auth.as_str() {
            "none" => Auth::None,
            "api_key" => Auth::ApiKey {
                header: required(&s.api_key_name, "api_key_name")?,
                value: secret(&s.api_key_value_env, &s.api_key_value_file, "API key")?,
            },
            "basic" => Auth::Basic {
                username: required(&s.username, "username")?,
                password: secret(&s.password_env, &s.password_file, "password")?,
            },
            "oauth_client_credentials" => {
                let endpoint = required(&s.authorization_endpoint, "authorization_endpoint")?;
                let method = s.http_method.as_deref().unwrap_or("POST");
                Auth::OAuth(Box::new(OAuth {
                    endpoint,
                    method: method.parse().map_err(|_| problem(format!("http_method {method} is not a method")))?,
                    client_id: required(&s.client_id, "client_id")?,
                    client_secret: secret(&s.client_secret_env, &s.client_secret_file, "client secret")?,
                    parameters: s.oauth_parameters.clone(),
                    token: Mutex::new(None),
                }))
            }
            other => {
                return Err(problem(format!(
                    "auth = \"{other}\" is not one of none, api_key, basic, oauth_client_credentials"
                )))
            }
        };
        let client = HttpClient::new(&s.tls(), MAX_RESPONSE).map_err(|e| problem(e.to_string()))?;
        Ok(Connection {
            name: s.name.clone(),
            auth,
            parameters: s.invocation_parameters.clone(),
            client: Arc::new(client),
            permits: Arc::new(Semaphore::new(s.max_concurrency.unwrap_or(64).max(1))),
        })
    }

    /// The header that authorizes a request, if any; an OAuth token is fetched when none
    /// is cached or the cached one is expired (or `stale`, refused by the endpoint).
    pub async fn authorization(&self, stale: bool) -> Result<Option<(String, String)>, AuthError> {
        Ok(match &self.auth {
            Auth::None => None,
            Auth::ApiKey { header, value } => Some((header.clone(), value.expose().to_string())),
            Auth::Basic { username, password } => Some(("authorization".into(), basic(username, password.expose()))),
            Auth::OAuth(o) => Some((
                "authorization".into(),
                format!("Bearer {}", o.token(&self.name, &self.client, stale).await?.expose()),
            )),
        })
    }

    /// The connection's OAuth: tokens it may refresh.
    pub fn is_oauth(&self) -> bool {
        matches!(self.auth, Auth::OAuth(_))
    }
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

/// Tokens are refreshed this long before they expire (as EventBridge does).
const EARLY: Duration = Duration::from_secs(60);

impl OAuth {
    async fn token(&self, connection: &str, client: &HttpClient, stale: bool) -> Result<Secret, AuthError> {
        // Held while fetching: concurrent requests wait for one token request.
        let mut cached = self.token.lock().await;
        if let Some(t) = cached.as_ref() {
            let fresh = t.expires.is_none_or(|e| Instant::now() + EARLY < e);
            if fresh && !stale {
                return Ok(t.value.clone());
            }
        }
        let token = self.fetch(connection, client).await?;
        *cached = Some(token.clone());
        Ok(token.value)
    }

    /// The client-credentials grant: the client's id and secret as Basic credentials,
    /// `grant_type=client_credentials` and the extra parameters as a form body.
    async fn fetch(&self, connection: &str, client: &HttpClient) -> Result<Token, AuthError> {
        let mut body = serde_json::Map::new();
        body.insert("grant_type".into(), Value::String("client_credentials".into()));
        body.extend(self.parameters.body.clone());
        let pairs = form::pairs(&body, form::ArrayFormat::Indices);
        let mut url = self.endpoint.clone();
        if !self.parameters.query.is_empty() {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&form::encode(&form::pairs(&self.parameters.query, form::ArrayFormat::Indices)));
        }
        let mut headers: Vec<(String, String)> = self
            .parameters
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
            .collect();
        headers.push(("authorization".into(), basic(&self.client_id, self.client_secret.expose())));
        headers.push(("accept".into(), "application/json".into()));
        let (url, body) = if self.method == hyper::Method::GET {
            let sep = if url.contains('?') { '&' } else { '?' };
            (format!("{url}{sep}{}", form::encode(&pairs)), bytes::Bytes::new())
        } else {
            headers.push(("content-type".into(), "application/x-www-form-urlencoded".into()));
            (url, bytes::Bytes::from(form::encode(&pairs)))
        };
        let req = OutRequest { method: self.method.clone(), url, headers, body };
        let res = client
            .send(req, Duration::from_secs(30))
            .await
            .map_err(|source| AuthError::Unreachable { connection: connection.into(), source })?;
        if !(200..300).contains(&res.status) {
            return Err(AuthError::Refused { connection: connection.into(), status: res.status });
        }
        let v: Value = serde_json::from_slice(&res.body).unwrap_or(Value::Null);
        let value = v
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| AuthError::NoToken { connection: connection.into() })?;
        let expires = v.get("expires_in").and_then(|e| e.as_u64().or_else(|| e.as_str()?.parse().ok()));
        Ok(Token {
            value: Secret(value.to_string()),
            expires: expires.map(|s| Instant::now() + Duration::from_secs(s)),
        })
    }
}

/// The connection a `ConnectionArn` names: the part after `connection/`, up to the next
/// `/` (AWS adds an id), or the whole text when it is a bare name.
pub fn connection_name(arn: &str) -> &str {
    match arn.split_once(":connection/") {
        Some((_, rest)) => rest.split('/').next().unwrap_or(rest),
        None => arn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_arn_names_its_connection() {
        assert_eq!(connection_name("arn:aws:events:us-east-1:123456789012:connection/stripe/0a1b-2c3d"), "stripe");
        assert_eq!(connection_name("arn:aws:events:us-east-1:123456789012:connection/stripe"), "stripe");
        assert_eq!(connection_name("stripe"), "stripe");
    }

    #[test]
    fn secrets_come_from_the_environment_or_a_file_and_mistakes_are_named() {
        let env = |k: &str| (k == "KEY").then(|| "s3cret".to_string());
        let s = ConnectionSettings {
            name: "api".into(),
            auth: "api_key".into(),
            api_key_name: Some("x-api-key".into()),
            api_key_value_env: Some("KEY".into()),
            ..Default::default()
        };
        let c = Connection::resolve(&s, &env).unwrap();
        assert!(
            matches!(&c.auth, Auth::ApiKey { header, value } if header == "x-api-key" && value.expose() == "s3cret")
        );
        assert!(!format!("{:?}", c.auth).contains("s3cret"));
        let missing = ConnectionSettings { api_key_value_env: Some("NOPE".into()), ..s.clone() };
        let e = Connection::resolve(&missing, &env).err().unwrap().to_string();
        assert_eq!(e, "connection \"api\": the environment variable NOPE holding its API key is not set");
        let wrong = ConnectionSettings { auth: "kerberos".into(), ..s };
        assert!(Connection::resolve(&wrong, &env).err().unwrap().to_string().contains("kerberos"));
    }

    #[test]
    fn basic_credentials_are_encoded_as_rfc_7617_says() {
        assert_eq!(basic("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    }
}
