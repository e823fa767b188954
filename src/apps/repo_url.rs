//! Is a `repoURL` this checkout? Compared after normalising the forms Git accepts.

use std::path::Path;

/// `https://user@GitHub.com/acme/gitops.git/`, `ssh://git@github.com/acme/gitops` and
/// `git@github.com:acme/gitops.git` all become `github.com/acme/gitops`.
pub fn normalize(url: &str) -> String {
    let mut s = url.trim();
    for scheme in [
        "https://",
        "http://",
        "ssh://",
        "git://",
        "git+ssh://",
        "ssh+git://",
    ] {
        if let Some(rest) = s.strip_prefix(scheme) {
            s = rest;
            break;
        }
    }
    let s = match s.split_once('@') {
        Some((user, rest)) if !user.contains('/') => rest,
        _ => s,
    };
    // scp-like `host:org/repo` (but not `host:22/org/repo` with a port).
    let s = match s.split_once(':') {
        Some((host, rest)) if !host.contains('/') => {
            let rest = rest
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start_matches('/');
            format!("{host}/{rest}")
        }
        _ => s.to_string(),
    };
    let s = s.trim_end_matches('/');
    let s = s.strip_suffix(".git").unwrap_or(s);
    match s.split_once('/') {
        Some((host, path)) => format!("{}/{}", host.to_ascii_lowercase(), path),
        None => s.to_ascii_lowercase(),
    }
}

/// The `url =` lines of every remote in `.git/config` (read, never executed).
pub fn git_remotes(root: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(root.join(".git").join("config")) else {
        return Vec::new();
    };
    let mut in_remote = false;
    let mut urls = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_remote = line.starts_with("[remote ");
        } else if in_remote
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "url"
        {
            urls.push(value.trim().to_string());
        }
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn git_url_forms_agree() {
        let want = "github.com/acme/gitops";
        for url in [
            "https://github.com/acme/gitops.git",
            "https://user@GitHub.com/acme/gitops/",
            "ssh://git@github.com/acme/gitops",
            "git@github.com:acme/gitops.git",
            "ssh://git@github.com:22/acme/gitops.git",
        ] {
            assert_eq!(normalize(url), want, "{url}");
        }
        assert_ne!(normalize("https://github.com/acme/other"), want);
    }
}
