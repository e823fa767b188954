//! `helm template` output, cut into documents with the template each came from.

/// One document of `helm template` output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedDoc {
    /// The path after `# Source: `, e.g. `hydra/templates/job-migration.yaml` or
    /// `hydra/charts/x/templates/y.yaml` (see [`super::ChartSources::file_for`]). A
    /// document without its own comment keeps the previous one's: a CRD file that starts
    /// with `---` is printed as a comment-only document followed by the CRD.
    pub source: String,
    /// The document, comments included, without the `---` line before it.
    pub text: String,
    /// Where `text` starts in the whole output (`output[offset..][..text.len()] == text`).
    pub offset: usize,
}

/// Splits Helm's output at `---` lines. Documents that are empty or only comments are
/// dropped.
pub fn split_output(output: &str) -> Vec<RenderedDoc> {
    let mut docs = Vec::new();
    let mut source = String::new();
    let mut start = 0;
    let mut push = |start: usize, end: usize, source: &mut String| {
        let text = &output[start..end];
        if let Some(own) = source_comment(text) {
            *source = own.to_string();
        }
        if !is_comment_only(text) {
            docs.push(RenderedDoc {
                source: source.clone(),
                text: text.to_string(),
                offset: start,
            });
        }
    };
    let mut line_start = 0;
    for line in output.split_inclusive('\n') {
        let line_end = line_start + line.len();
        match separator(line) {
            Separator::Not => {}
            Separator::Alone => {
                push(start, line_start, &mut source);
                start = line_end;
            }
            Separator::WithContent => {
                push(start, line_start, &mut source);
                start = line_start;
            }
        }
        line_start = line_end;
    }
    push(start, output.len(), &mut source);
    docs
}

enum Separator {
    Not,
    /// `---`, maybe with a comment: the document starts on the next line.
    Alone,
    /// `--- value`: the document starts on this line.
    WithContent,
}

fn separator(line: &str) -> Separator {
    let Some(rest) = line.strip_prefix("---") else {
        return Separator::Not;
    };
    if !rest.is_empty() && !rest.starts_with([' ', '\t', '\r', '\n']) {
        return Separator::Not;
    }
    let rest = rest.trim();
    if rest.is_empty() || rest.starts_with('#') {
        Separator::Alone
    } else {
        Separator::WithContent
    }
}

/// The `# Source: ` path among the comments that open a document.
fn source_comment(text: &str) -> Option<&str> {
    text.lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# Source: "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn is_comment_only(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Abridged from `helm template rel ory/k8s/helm/charts/hydra --include-crds`.
    const HYDRA: &str = "---
# Source: hydra/charts/hydra-maester/crds/crd-oauth2clients.yaml
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: oauth2clients.hydra.ory.sh
---
# Source: hydra/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: rel-hydra
data:
  sql: |
    SELECT 1;
    ---not a separator
---
# Source: hydra/templates/hpa.yaml
# only a comment survived the template
---
# Source: hydra/templates/job-migration.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: rel-hydra-automigrate
  annotations:
    helm.sh/hook: pre-install, pre-upgrade
";

    #[test]
    fn documents_keep_their_source_and_offset() {
        let docs = split_output(HYDRA);
        let summary: Vec<(&str, &str)> = docs
            .iter()
            .map(|d| {
                (
                    d.source.as_str(),
                    d.text.lines().find(|l| l.starts_with("kind")).unwrap(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "hydra/charts/hydra-maester/crds/crd-oauth2clients.yaml",
                    "kind: CustomResourceDefinition"
                ),
                ("hydra/templates/configmap.yaml", "kind: ConfigMap"),
                ("hydra/templates/job-migration.yaml", "kind: Job"),
            ]
        );
        for d in &docs {
            assert_eq!(&HYDRA[d.offset..d.offset + d.text.len()], d.text);
        }
        assert!(docs[0].text.starts_with("apiVersion:"));
        assert!(
            docs[1]
                .text
                .starts_with("# Source: hydra/templates/configmap.yaml\n")
        );
        assert!(docs[1].text.contains("---not a separator"));
        assert!(docs[2].text.ends_with("pre-upgrade\n"));
    }

    #[test]
    fn odd_output_does_not_break_the_split() {
        assert!(split_output("").is_empty());
        assert!(split_output("---\n---\n\n# c\n---").is_empty());
        let docs = split_output("a: 1\r\n--- # note\r\n--- {b: 2}\n");
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(texts, ["a: 1\r\n", "--- {b: 2}\n"]);
        assert!(docs.iter().all(|d| d.source.is_empty()));
        let docs = split_output("---\n# Source: é/t.yaml\nk: ü\n");
        assert_eq!((docs[0].source.as_str(), docs[0].offset), ("é/t.yaml", 4));
    }
}
