//! migration-image-mismatch: a migration must run the same image version as the app
//! it migrates for.

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::AppGraph;
use crate::graph::image::ImageRef;
use crate::rules::{Check, Context, Rule};

pub const RULE: Rule = Rule {
    id: "migration-image-mismatch",
    severity: Severity::Error,
    page: include_str!("../../rules/migration-image-mismatch.md"),
    check: Check::App(check),
};

/// `Some(true)` when both name the same version; `None` when it cannot be told (one
/// pinned only by digest, the other only by tag).
fn same_version(a: &ImageRef, b: &ImageRef) -> Option<bool> {
    match (&a.digest, &b.digest) {
        (Some(x), Some(y)) => Some(x == y),
        _ => match (&a.tag, &b.tag) {
            (None, _) if a.digest.is_some() => None,
            (_, None) if b.digest.is_some() => None,
            _ => Some(a.tag.as_deref().unwrap_or("latest") == b.tag.as_deref().unwrap_or("latest")),
        },
    }
}

fn check(graph: &AppGraph, _: &Context, out: &mut Vec<Diagnostic>) {
    let workloads: Vec<_> = graph
        .resources
        .iter()
        .filter(|r| {
            (r.is_workload() || r.kind == "CronJob") && r.migration.is_none() && !r.hook.dropped()
        })
        .flat_map(|r| {
            r.pod
                .iter()
                .flat_map(move |p| p.containers.iter().filter(|c| !c.init).map(move |c| (r, c)))
        })
        .collect();
    for r in graph
        .resources
        .iter()
        .filter(|r| r.migration.is_some() && !r.hook.dropped() && !r.hook.skip)
    {
        let Some(pod) = &r.pod else { continue };
        for c in &pod.containers {
            let (Some(image), Some(image_node)) = (&c.image, c.image_node) else {
                continue;
            };
            let differing: Vec<_> = workloads
                .iter()
                .filter(|(_, w)| {
                    w.image.as_ref().is_some_and(|wi| {
                        wi.name() == image.name() && same_version(wi, image) == Some(false)
                    })
                })
                .collect();
            let Some((first_r, first_c)) = differing.first() else {
                continue;
            };
            let first_image = first_c.image.as_ref().unwrap();
            let message = format!(
                "migration {} runs {} at `{}` but {} runs it at `{}`: the schema is migrated for a different version of the code than the one rolling out",
                r.describe(),
                image.name(),
                image.version(),
                first_r.describe(),
                first_image.version()
            );
            let help = "Use one image version for the migration and the app (set both from the same value, e.g. Kustomize `images:` or one Helm value).";
            // An overlay that changes only the workload's image (a patch) is where the
            // versions part: the finding points there, not at the shared base.
            let written_apart = |res: &crate::graph::Resource, node| {
                let tree = graph.tree(res);
                tree.span(node).file != tree.span(res.root).file
            };
            let at_workload = first_c
                .image_node
                .filter(|node| written_apart(first_r, *node) && !written_apart(r, image_node));
            let mut d = match at_workload {
                Some(node) => graph
                    .finding(
                        &RULE,
                        first_r,
                        node,
                        &format!("{}/image", first_c.field(first_r.pod.as_ref().unwrap())),
                        message,
                    )
                    .with_label(format!("runs `{}`", first_image.version()))
                    .with_related(
                        graph.location(r, image_node),
                        format!("{} runs `{}`", r.describe(), image.version()),
                    ),
                None => graph
                    .finding(
                        &RULE,
                        r,
                        image_node,
                        &format!("{}/image", c.field(pod)),
                        message,
                    )
                    .with_label(format!("runs `{}`", image.version())),
            }
            .with_help(help);
            for (w, wc) in &differing {
                if let Some(node) = wc.image_node
                    && Some(node) != at_workload.filter(|_| std::ptr::eq(*w, *first_r))
                {
                    d = d.with_related(
                        graph.location(w, node),
                        format!(
                            "{} runs `{}`",
                            w.describe(),
                            wc.image.as_ref().unwrap().version()
                        ),
                    );
                }
            }
            out.push(d);
        }
    }
}
