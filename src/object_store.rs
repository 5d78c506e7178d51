//! Which object store Distributed Maps use: `[object_store]` in `stepline.toml`, or the
//! variables the AWS SDKs read. Without an endpoint, buckets are directories.

use crate::config::ObjectStore;
use anyhow::{bail, Result};
use stepline_core::engine::ObjectStoreConfig;

/// The object store to use, if any; `env` reads an environment variable.
pub fn resolve(file: Option<&ObjectStore>, env: &dyn Fn(&str) -> Option<String>) -> Result<Option<ObjectStoreConfig>> {
    let given = file.and_then(|f| f.endpoint.clone());
    let Some(endpoint) = given.or_else(|| env("AWS_ENDPOINT_URL_S3")).or_else(|| env("AWS_ENDPOINT_URL")) else {
        if file.is_some() {
            bail!("[object_store] needs an endpoint (or AWS_ENDPOINT_URL_S3 in the environment)");
        }
        return Ok(None);
    };
    let region = file
        .and_then(|f| f.region.clone())
        .or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| "us-east-1".into());
    let Some(access_key_id) = file.and_then(|f| f.access_key_id.clone()).or_else(|| env("AWS_ACCESS_KEY_ID")) else {
        bail!(
            "the object store at {endpoint} needs an access key: access_key_id in [object_store] or AWS_ACCESS_KEY_ID"
        );
    };
    let secret_var =
        file.and_then(|f| f.secret_access_key_env.clone()).unwrap_or_else(|| "AWS_SECRET_ACCESS_KEY".into());
    let Some(secret_access_key) = env(&secret_var) else {
        bail!("the object store at {endpoint} needs its secret key in the environment variable {secret_var}");
    };
    let session_token = env("AWS_SESSION_TOKEN");
    Ok(Some(ObjectStoreConfig { endpoint, region, access_key_id, secret_access_key, session_token }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn the_file_wins_and_the_sdk_variables_fill_in() {
        let env =
            env_of(&[("AWS_ENDPOINT_URL", "http://e:1"), ("AWS_ACCESS_KEY_ID", "k"), ("AWS_SECRET_ACCESS_KEY", "s")]);
        let c = resolve(None, &env).unwrap().unwrap();
        assert_eq!(
            (c.endpoint.as_str(), c.region.as_str(), c.access_key_id.as_str()),
            ("http://e:1", "us-east-1", "k")
        );
        let file =
            ObjectStore { endpoint: Some("http://f:2".into()), region: Some("eu-west-1".into()), ..Default::default() };
        let c = resolve(Some(&file), &env).unwrap().unwrap();
        assert_eq!(
            (c.endpoint.as_str(), c.region.as_str(), c.secret_access_key.as_str()),
            ("http://f:2", "eu-west-1", "s")
        );
        assert!(resolve(None, &env_of(&[])).unwrap().is_none());
        let err =
            resolve(None, &env_of(&[("AWS_ENDPOINT_URL_S3", "http://e:1"), ("AWS_ACCESS_KEY_ID", "k")])).unwrap_err();
        assert!(err.to_string().contains("AWS_SECRET_ACCESS_KEY"), "{err}");
    }
}
