//! The region and account in every ARN the engine makes: a flag, else `stepline.toml`,
//! else the AWS SDKs' environment variables, else AWS's documentation defaults.

use anyhow::{bail, Result};

/// `(region, account)` from the flags, the file and the environment, checked.
pub fn resolve(
    flags: (Option<String>, Option<String>),
    file: (Option<String>, Option<String>),
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(String, String)> {
    let region = flags
        .0
        .or(file.0)
        .or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "us-east-1".into());
    let account = flags.1.or(file.1).or_else(|| env("AWS_ACCOUNT_ID")).unwrap_or_else(|| "000000000000".into());
    // A region is lowercase words and a number joined by dashes (eu-west-1, us-gov-east-1).
    let region_ok = region.split('-').count() >= 3
        && region.split('-').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    if !region_ok {
        bail!("'{region}' is not an AWS region (like eu-west-1): check --region, region in [server] or AWS_REGION");
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        bail!(
            "'{account}' is not an AWS account ID (12 digits): check --account, account in [server] or AWS_ACCOUNT_ID"
        );
    }
    Ok((region, account))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn flags_win_over_the_file_which_wins_over_the_environment() {
        let none = (None, None);
        assert_eq!(
            resolve(none.clone(), none.clone(), &env(&[])).unwrap(),
            ("us-east-1".into(), "000000000000".into())
        );
        let e = env(&[("AWS_DEFAULT_REGION", "eu-west-1"), ("AWS_ACCOUNT_ID", "123456789012")]);
        assert_eq!(resolve(none.clone(), none.clone(), &e).unwrap(), ("eu-west-1".into(), "123456789012".into()));
        let e = env(&[("AWS_REGION", "ap-south-1"), ("AWS_DEFAULT_REGION", "eu-west-1")]);
        assert_eq!(resolve(none.clone(), none.clone(), &e).unwrap().0, "ap-south-1");
        let file = (Some("eu-central-1".to_string()), Some("111122223333".to_string()));
        assert_eq!(resolve(none, file.clone(), &e).unwrap(), ("eu-central-1".into(), "111122223333".into()));
        let flags = (Some("us-gov-west-1".to_string()), None);
        assert_eq!(resolve(flags, file, &e).unwrap(), ("us-gov-west-1".into(), "111122223333".into()));
    }

    #[test]
    fn a_malformed_region_or_account_is_named() {
        let e = resolve((Some("EU West".into()), None), (None, None), &env(&[])).unwrap_err().to_string();
        assert!(e.contains("'EU West' is not an AWS region"), "{e}");
        let e = resolve((None, Some("12".into())), (None, None), &env(&[])).unwrap_err().to_string();
        assert!(e.contains("'12' is not an AWS account ID"), "{e}");
    }
}
