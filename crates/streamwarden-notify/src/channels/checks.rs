//! Configuration checks shared by channel kinds, for their [`DescribedConfig::validate`]: each
//! check adds `(field path, reason)` pairs to a list of problems.
//!
//! [`DescribedConfig::validate`]: crate::describe::DescribedConfig::validate

use std::time::Duration;

/// Problems found in a configuration: `(field path, reason)` pairs.
pub(crate) type Problems = Vec<(String, String)>;

/// That `url` (the value of `field`) is http or https.
pub(crate) fn http_scheme(field: &str, url: &url::Url, problems: &mut Problems) {
    if !matches!(url.scheme(), "http" | "https") {
        problems.push((
            field.into(),
            format!("scheme must be http or https, not {:?}", url.scheme()),
        ));
    }
}

/// That `url` (the value of `field`) is http or https and names a host.
pub(crate) fn http_url(field: &str, url: &url::Url, problems: &mut Problems) {
    http_scheme(field, url, problems);
    if url.host_str().is_none_or(str::is_empty) {
        problems.push((field.into(), "has no host".into()));
    }
}

/// That a robot's signing `secret`, when set, is not blank and has no white space, which
/// copying it from the robot's settings tends to bring along; `what` says what to copy
/// instead (e.g. `the SEC… string`).
pub(crate) fn secret(secret: Option<&str>, what: &str, problems: &mut Problems) {
    let Some(secret) = secret else { return };
    if secret.trim().is_empty() {
        problems.push((
            "secret".into(),
            "must not be blank (or leave it out)".into(),
        ));
    } else if secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
        problems.push((
            "secret".into(),
            format!("contains white space: copy only {what}"),
        ));
    }
}

/// Whether `mobile` is a plausible mobile number: 5 to 20 ASCII digits (no `+`, no spaces).
pub(crate) fn is_mobile(mobile: &str) -> bool {
    (5..=20).contains(&mobile.len()) && mobile.bytes().all(|b| b.is_ascii_digit())
}

/// That `timeout` (the `timeout` field) is longer than zero.
pub(crate) fn positive_timeout(timeout: Duration, problems: &mut Problems) {
    if timeout.is_zero() {
        problems.push(("timeout".into(), "must be greater than zero".into()));
    }
}

/// The result of `validate`: `Ok` when there is no problem.
pub(crate) fn finish(problems: Problems) -> Result<(), Problems> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The field paths `config` fails validation on, in order (for tests).
#[cfg(test)]
pub(crate) fn failed_fields(config: &impl crate::describe::DescribedConfig) -> Vec<String> {
    let problems = config.validate().err().unwrap_or_default();
    problems.into_iter().map(|(field, _)| field).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        let mut problems = Problems::new();
        http_url("webhook_url", &url("https://example.com/x"), &mut problems);
        assert_eq!(problems, []);
        http_url("webhook_url", &url("mailto:a@example.com"), &mut problems);
        assert_eq!(
            problems,
            [
                (
                    "webhook_url".to_string(),
                    "scheme must be http or https, not \"mailto\"".to_string()
                ),
                ("webhook_url".to_string(), "has no host".to_string())
            ]
        );
    }

    #[test]
    fn secrets_timeouts_and_mobiles() {
        let mut problems = Problems::new();
        secret(None, "it", &mut problems);
        secret(Some("SEC1"), "it", &mut problems);
        assert_eq!(finish(problems.clone()), Ok(()));
        secret(Some(" "), "it", &mut problems);
        secret(Some("SEC 1"), "the SEC… string", &mut problems);
        positive_timeout(Duration::ZERO, &mut problems);
        let reasons: Vec<&str> = problems.iter().map(|(_, r)| r.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "must not be blank (or leave it out)",
                "contains white space: copy only the SEC… string",
                "must be greater than zero"
            ]
        );
        assert!(finish(problems).is_err());
        assert!(is_mobile("13800000000") && !is_mobile("+86138") && !is_mobile("1234"));
    }
}
