//! Container image references, parsed as Docker does: `[registry[:port]/]repo[:tag][@digest]`.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// `docker.io` when the reference names no registry.
    pub registry: String,
    /// With `library/` added for official Docker Hub images.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    pub fn parse(reference: &str) -> Option<ImageRef> {
        let reference = reference.trim();
        if reference.is_empty() || reference.contains(char::is_whitespace) {
            return None;
        }
        let (rest, digest) = match reference.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (reference, None),
        };
        // A tag is after the last ':' that follows the last '/', so a registry port stays.
        let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (
                &rest[..last_slash + i],
                Some(rest[last_slash + i + 1..].to_string()),
            ),
            None => (rest, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, path)) if first.contains(['.', ':']) || first == "localhost" => {
                (first.to_ascii_lowercase(), path.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let registry = if registry == "index.docker.io" {
            "docker.io".to_string()
        } else {
            registry
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        Some(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// `registry/repository`, the identity that decides whether two images are "the same
    /// image at another version".
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The version: digest when pinned, else the tag (`latest` when none is given).
    pub fn version(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.clone(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_names_are_normalised() {
        let a = ImageRef::parse("postgres:16").unwrap();
        let b = ImageRef::parse("docker.io/library/postgres:16").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.name(), "docker.io/library/postgres");
    }

    #[test]
    fn registry_ports_are_not_tags() {
        let i = ImageRef::parse("registry.local:5000/team/api").unwrap();
        assert_eq!(i.registry, "registry.local:5000");
        assert_eq!(i.repository, "team/api");
        assert_eq!(i.tag, None);
        assert_eq!(i.version(), "latest");
        let i = ImageRef::parse("registry.local:5000/team/api:1.3").unwrap();
        assert_eq!(i.tag.as_deref(), Some("1.3"));
    }

    #[test]
    fn digests_win_over_tags() {
        let i = ImageRef::parse("ghcr.io/acme/api:1.2@sha256:abc").unwrap();
        assert_eq!(i.digest.as_deref(), Some("sha256:abc"));
        assert_eq!(i.version(), "sha256:abc");
        assert_eq!(i.name(), "ghcr.io/acme/api");
    }
}
